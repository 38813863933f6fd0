/**
 * Synthetic judged runs shaped like POLLUX: instructions answered by several models, each answer
 * judged on ~11 criteria (0–2 scales and 0/1 gates), expert scores the mean of 2–3 experts. The
 * judge's accuracy varies by instruction, so the pairs of an instruction are correlated as in real
 * data. Deterministic for a seed.
 */
import type { JudgmentRecord } from '../../src/core/types.ts';
import { POLLUX_OUT_OF_DOMAIN_TASKS, seededRandom } from '../../src/meta/index.ts';

export interface SyntheticOptions {
  instructions: number;
  models?: readonly string[];
  /** Stop after exactly this many records (the last instruction may be cut short). */
  limit?: number;
  seed?: number;
  /** How often the judge strays from the truth (0 = perfect judge). */
  judgeNoise?: number;
  unscoredRate?: number;
  judgeModel?: string;
}

export const SYNTHETIC_MODELS = ['o1', 'claude-3.5-sonnet', 'gpt-4o', 'llama-3.1-405b', 'gigachat-max', 'yandexgpt-4-pro', 't-pro-it-1.0'];

const CRITERIA: Array<{ key: string; group: string; binary: boolean }> = [
  { key: 'narushenie_formata', group: 'Critical', binary: true },
  { key: 'censor', group: 'Critical', binary: true },
  { key: 'repeats', group: 'Fine-grained', binary: false },
  { key: 'special_symbol', group: 'Fine-grained', binary: false },
  { key: 'system_prompt_follow', group: 'Fine-grained', binary: false },
  { key: 'proactivity', group: 'Subjective', binary: false },
  { key: 'value', group: 'Subjective', binary: false },
  { key: 'speech', group: 'Fine-grained', binary: false },
  { key: 'understanding', group: 'Fine-grained', binary: false },
  { key: 'format', group: 'Fine-grained', binary: false },
  { key: 'general', group: 'Subjective', binary: false },
  { key: 'facts', group: 'Domain-specific', binary: false },
  { key: 'style', group: 'Task-specific', binary: false },
];

const TASKS = [...POLLUX_OUT_OF_DOMAIN_TASKS.slice(0, 8), ...Array.from({ length: 27 }, (_, i) => `in-domain task ${i + 1}`)];
const DIFFICULTIES = ['Easy', 'Medium', 'Hard'];

export interface SyntheticRecord extends JudgmentRecord {
  /** Individual experts' scores behind humanScore. */
  expertScores: number[];
}

export function syntheticRecords(o: SyntheticOptions): SyntheticRecord[] {
  const rnd = seededRandom(o.seed ?? 1);
  const models = o.models ?? SYNTHETIC_MODELS;
  const noise = o.judgeNoise ?? 0.35;
  const out: SyntheticRecord[] = [];
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  for (let i = 0; i < o.instructions; i++) {
    const instructionId = `ins-${i}`;
    const taskType = TASKS[i % TASKS.length]!;
    const difficulty = DIFFICULTIES[rnd.below(3)]!;
    const hardness = rnd.next();
    const strayRate = clip(noise * (0.5 + hardness), 1);
    const criteria = CRITERIA.slice(0, 10 + rnd.below(3));
    for (const modelId of models) {
      const quality = rnd.next();
      for (const c of criteria) {
        if (o.limit !== undefined && out.length >= o.limit) return out;
        const max = c.binary ? 1 : 2;
        const truth = c.binary ? (rnd.next() < 0.1 ? 1 : 0) : clip(Math.round(quality * 2 + (rnd.next() - 0.5)), 2);
        const k = 2 + rnd.below(2);
        const expertScores: number[] = [];
        for (let e = 0; e < k; e++) {
          const off = rnd.next() < 0.2;
          const down = rnd.next() < 0.5;
          expertScores.push(clip(truth + (off ? (down ? -1 : 1) : 0), max));
        }
        const humanScore = expertScores.reduce((s, v) => s + v, 0) / k;
        // Both draws always happen, so runs differing only in judge noise share their expert scores.
        const stray = rnd.next() < strayRate;
        const up = rnd.next() < 0.6;
        const judged = clip(truth + (stray ? (up ? 1 : -1) : 0), max);
        const unscored = rnd.next() < (o.unscoredRate ?? 0);
        const sampleId = `${instructionId}/${modelId}`;
        out.push({
          key: `${sampleId}/${c.key}`,
          sampleId,
          instructionId,
          modelId,
          taskType,
          taskSubtype: null,
          taskSubsubtype: null,
          difficulty,
          domain: null,
          criterionKey: c.key,
          criterionName: c.key,
          criterionGroup: c.group,
          gate: c.binary,
          scaleKind: c.binary ? 'binary' : 'ordinal',
          scaleMin: 0,
          scaleMax: max,
          repeat: 0,
          humanScore,
          status: unscored ? 'unscored' : 'scored',
          score: unscored ? null : judged,
          rationale: null,
          raw: unscored ? 'no verdict' : `[RESULT] ${judged} [END]`,
          reason: unscored ? 'no_result_block' : null,
          finishReason: 'stop',
          promptTokens: null,
          completionTokens: null,
          latencyMs: null,
          attempts: 1,
          endpoint: null,
          judgeModel: o.judgeModel ?? 'synthetic-judge',
          expertScores,
        });
      }
    }
  }
  return out;
}
