import { sha256Hex } from '../../src/core/hash.ts';
import type { JudgmentRecord } from '../../src/core/types.ts';
import { openRunStore, type RequestRow } from '../../src/store/index.ts';

/** Writes records into a real run file through the store API, as a run would. */
export function writeRunFile(file: string, records: readonly JudgmentRecord[]): void {
  const store = openRunStore(file);
  try {
    const rows: RequestRow[] = records.map((r, seq) => ({
      key: r.key,
      seq,
      sampleId: r.sampleId,
      instructionId: r.instructionId,
      modelId: r.modelId,
      taskType: r.taskType,
      taskSubtype: r.taskSubtype,
      taskSubsubtype: r.taskSubsubtype,
      difficulty: r.difficulty,
      domain: r.domain,
      criterionKey: r.criterionKey,
      criterionName: r.criterionName,
      criterionGroup: r.criterionGroup,
      gate: r.gate,
      scaleKind: r.scaleKind,
      scaleMin: r.scaleMin,
      scaleMax: r.scaleMax,
      repeat: r.repeat,
      humanScore: r.humanScore,
      judgeModel: r.judgeModel,
      promptHash: sha256Hex(r.key),
    }));
    store.addRequests(rows);
    store.saveJudgments(
      records
        .filter((r) => r.status !== 'pending')
        .map((r) => ({
          key: r.key,
          times: { startedAt: 0, finishedAt: 1 },
          judgment: {
            status: r.status as 'scored' | 'unscored' | 'error',
            score: r.score,
            rationale: null,
            raw: r.status === 'error' ? null : (r.raw ?? `[RESULT] ${r.score ?? '?'} [END]`),
            reasoning: null,
            reason: r.reason,
            finishReason: 'stop',
            usage: { prompt: null, completion: null, total: null },
            latencyMs: 5,
            attempts: 1,
            judge: { backend: 'openai', endpoint: null, model: r.judgeModel, params: {} },
            endpoint: null,
            promptHash: sha256Hex(r.key),
          },
        })),
    );
  } finally {
    store.close();
  }
}
