import type { JudgmentRecord } from '../../src/core/types.ts';

/** Criteria as the POLLUX taxonomy describes them, enough for scoring tests. */
export const CRITERIA = {
  narushenie_formata: { criterionGroup: 'Critical', gate: true, scaleKind: 'binary', scaleMin: 0, scaleMax: 1 },
  censor: { criterionGroup: 'Critical', gate: true, scaleKind: 'binary', scaleMin: 0, scaleMax: 1 },
  facts: { criterionGroup: 'Fine-grained', gate: false, scaleKind: 'ordinal', scaleMin: 0, scaleMax: 2 },
  style: { criterionGroup: 'Subjective', gate: false, scaleKind: 'ordinal', scaleMin: 0, scaleMax: 3 },
  rhyme: { criterionGroup: 'Task-specific', gate: false, scaleKind: 'ordinal', scaleMin: 1, scaleMax: 3 },
  // A 0/1 criterion where 1 = good: not a gate, except under the upstream all-binary rule.
  code_runs: { criterionGroup: 'Domain-specific', gate: false, scaleKind: 'binary', scaleMin: 0, scaleMax: 1 },
} as const;

export type CriterionKey = keyof typeof CRITERIA;

let seq = 0;

/** A judgment record; `score` alone means scored, `status` without a score means not scored. */
export function rec(
  sampleId: string,
  criterion: CriterionKey,
  score: number | null,
  more: Partial<JudgmentRecord> = {},
): JudgmentRecord {
  const c = CRITERIA[criterion];
  const status = more.status ?? (score === null ? 'unscored' : 'scored');
  return {
    key: `k${++seq}`,
    sampleId,
    instructionId: `i-${sampleId}`,
    modelId: 'model-a',
    taskType: 'Отредактировать текст',
    taskSubtype: null,
    taskSubsubtype: null,
    difficulty: 'Easy',
    domain: null,
    criterionKey: criterion,
    criterionName: `name of ${criterion}`,
    criterionGroup: c.criterionGroup,
    gate: c.gate,
    scaleKind: c.scaleKind,
    scaleMin: c.scaleMin,
    scaleMax: c.scaleMax,
    repeat: 0,
    humanScore: null,
    score: status === 'scored' ? score : null,
    rationale: null,
    raw: null,
    reason: status === 'scored' ? null : 'no_result_block',
    finishReason: 'stop',
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    attempts: 1,
    endpoint: null,
    judgeModel: 'judge',
    ...more,
    status,
  };
}

/** The gates of a sample, both clear unless told otherwise. */
export function gates(sampleId: string, format = 0, censor = 0, more: Partial<JudgmentRecord> = {}): JudgmentRecord[] {
  return [rec(sampleId, 'narushenie_formata', format, more), rec(sampleId, 'censor', censor, more)];
}
