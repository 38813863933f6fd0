import { closeSync, existsSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import type { JudgeBackend } from '../core/types.ts';
import { AdaptiveLimit, FixedLimit, type ConcurrencyLimit } from '../engine/adaptiveConcurrency.ts';
import { EndpointPool } from '../engine/endpointPool.ts';
import type { RetryEvent } from '../engine/execute.ts';
import { schedule } from '../engine/scheduler.ts';
import type { RunEvent, RunProgress } from '../engine/run.ts';
import { acquireRunLock } from '../engine/runLock.ts';
import { askModel, type AskPolicy } from './ask.ts';
import type { InstructionToAnswer } from './instructions.ts';
import { splitReasoning } from './reasoning.ts';
import { AnswerStore, type AnswerCounts, type AnswerManifest, type AnswerRow } from './store.ts';

export interface AnswerRunConfig {
  instructions: readonly InstructionToAnswer[];
  /** The SQLite state (source of truth) and the JSONL written from it. */
  stateFile: string;
  outFile: string;
  manifest: AnswerManifest;
  backends: JudgeBackend[];
  /** Answers per instruction (each its own request; sample index 0 … K−1). */
  samples: number;
  /** Only the first N requests (instruction × sample, in dataset order). */
  limit?: number;
  concurrency: number | 'auto';
  maxConcurrency?: number;
  policy?: AskPolicy;
  /** The state holds answers made with other settings: move it aside and start afresh. */
  forceNew?: boolean;
  stop?: AbortSignal;
  abort?: AbortSignal;
  /** Progress in the engine's terms: `scored` = answered, `unscored` = truncated (also answered), `error`. */
  onEvent?: (event: RunEvent) => void;
}

export interface AnswerRunSummary {
  outFile: string;
  stateFile: string;
  /** Requests (instruction × sample) this run covers. */
  total: number;
  answeredNow: number;
  counts: AnswerCounts;
  pending: number;
  wallMs: number;
  answersPerSecond: number;
  concurrency: { final: number; decreases: number };
  stopped: boolean;
  movedAside: string | null;
  firstErrors: Array<{ promptId: string; sample: number; error: string }>;
}

/** `prompt_id` and sample index: the resume key. */
export function answerKey(promptId: string, sample: number): string {
  return `${promptId}\u0000${sample}`;
}

const MANIFEST_FIELDS: ReadonlyArray<[keyof AnswerManifest, string]> = [
  ['dataset', 'dataset'],
  ['model', 'model'],
  ['modelId', 'model id'],
  ['params', 'generation parameters'],
  ['system', 'system message'],
];

function manifestChanges(stored: AnswerManifest, wanted: AnswerManifest): string[] {
  const changes: string[] = [];
  for (const [field, label] of MANIFEST_FIELDS) {
    const a = field === 'dataset' ? stored.dataset.fingerprint : JSON.stringify(stored[field]);
    const b = field === 'dataset' ? wanted.dataset.fingerprint : JSON.stringify(wanted[field]);
    // The system message is secret-free but may be long: name the change, do not print it.
    if (a !== b) changes.push(field === 'system' || field === 'dataset' ? `${label} differs` : `${label}: ${a} → ${b}`);
  }
  return changes;
}

function openState(file: string, manifest: AnswerManifest, forceNew: boolean): { store: AnswerStore; movedAside: string | null } {
  let movedAside: string | null = null;
  if (existsSync(file)) {
    const existing = new AnswerStore(file);
    const stored = existing.getManifest();
    existing.close();
    const changes = stored ? manifestChanges(stored, manifest) : [];
    if (changes.length > 0) {
      if (!forceNew) {
        throw new UsageError(
          `${file} holds answers made with different settings:\n  ${changes.join('\n  ')}\n` +
            'Use another --out, or --force-new to move them aside and start anew.',
        );
      }
      movedAside = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, movedAside + suffix);
    }
  }
  const store = new AnswerStore(file);
  store.setManifest(manifest);
  return { store, movedAside };
}

/**
 * Asks the model under test for every pending (instruction, sample), storing each answer as it
 * arrives; then writes the answers JSONL from the store (all answers so far, in dataset order,
 * replaced atomically). Running it again resumes: what is answered is never asked again.
 */
export async function runAnswers(config: AnswerRunConfig): Promise<AnswerRunSummary> {
  const started = Date.now();
  const lock = acquireRunLock(config.stateFile);
  let store: AnswerStore;
  let movedAside: string | null;
  try {
    ({ store, movedAside } = openState(config.stateFile, config.manifest, config.forceNew ?? false));
  } catch (err) {
    lock.release();
    throw err;
  }
  const emit = config.onEvent ?? (() => {});
  try {
    const done = store.answeredKeys();
    const work: Array<{ seq: number; item: InstructionToAnswer; sample: number; key: string }> = [];
    let total = 0;
    config.instructions.forEach((item, seq) => {
      for (let sample = 0; sample < config.samples; sample++) {
        if (config.limit !== undefined && total >= config.limit) return;
        total++;
        const key = answerKey(item.promptId, sample);
        if (!done.has(key)) work.push({ seq, item, sample, key });
      }
    });
    const pool = new EndpointPool(config.backends);
    const limit: ConcurrencyLimit =
      config.concurrency === 'auto' ? new AdaptiveLimit({ initial: 8, max: config.maxConcurrency ?? 512 }) : new FixedLimit(config.concurrency);
    const before = store.counts();
    const progress: RunProgress = {
      total,
      done: total - work.length,
      doneNow: 0,
      scored: total - work.length,
      unscored: 0,
      error: 0,
      inFlight: 0,
      concurrency: limit.limit,
      completionTokens: 0,
      elapsedMs: 0,
    };
    let stopped = Boolean(config.stop?.aborted || config.abort?.aborted);
    if (work.length > 0 && !stopped) {
      emit({ type: 'phase', message: `answering ${work.length} request(s) (${progress.done} of ${total} already answered)` });
      stopped = await answerPending(config, store, pool, limit, work, progress, emit);
    }
    const written = writeAnswersJsonl(store, config.outFile, config.manifest.modelId, config.samples);
    const counts = store.counts();
    const wallMs = Date.now() - started;
    const answeredNow = counts.answered - before.answered;
    const answeredKeys = store.answeredKeys();
    const pending = work.filter((w) => !answeredKeys.has(w.key)).length;
    return {
      outFile: config.outFile,
      stateFile: config.stateFile,
      total,
      answeredNow,
      counts: { ...counts, answered: written },
      pending,
      wallMs,
      answersPerSecond: answeredNow / Math.max(wallMs / 1000, 1e-3),
      concurrency: { final: limit.limit, decreases: limit.decreases },
      stopped: stopped && pending > 0,
      movedAside,
      firstErrors: store.errors(5),
    };
  } finally {
    store.close();
    lock.release();
  }
}

async function answerPending(
  config: AnswerRunConfig,
  store: AnswerStore,
  pool: EndpointPool,
  limit: ConcurrencyLimit,
  work: Array<{ seq: number; item: InstructionToAnswer; sample: number; key: string }>,
  progress: RunProgress,
  emit: (e: RunEvent) => void,
): Promise<boolean> {
  const onRetry = (retry: RetryEvent) => emit({ type: 'retry', retry });
  return schedule<(typeof work)[number], AnswerRow>({
    work,
    keyOf: (w) => w.key,
    send: async (w, signal) => {
      const result = await askModel(w.item.instruction, { pool, limit, policy: config.policy, signal, onRetry });
      const base = { key: w.key, seq: w.seq, promptId: w.item.promptId, sample: w.sample, attempts: result.attempts, finishedAt: Date.now() };
      if (!result.ok) {
        return {
          ...base,
          status: 'error',
          answer: null,
          reasoning: null,
          finishReason: null,
          truncated: false,
          promptTokens: null,
          completionTokens: null,
          latencyMs: null,
          endpoint: result.error.endpoint,
          error: `${result.error.kind}: ${result.error.message}`,
        };
      }
      const r = result.reply;
      const split = splitReasoning(r.text, r.reasoning);
      return {
        ...base,
        status: 'answered',
        answer: split.answer,
        reasoning: split.reasoning,
        finishReason: r.finishReason,
        // A cut-off answer is still the model's answer: kept and flagged, never dropped.
        truncated: r.finishReason === 'length',
        promptTokens: r.usage.prompt,
        completionTokens: r.usage.completion,
        latencyMs: r.latencyMs,
        endpoint: r.endpoint,
        error: null,
      };
    },
    save: (rows) => store.save(rows),
    // In the engine's terms: `scored` = answered, `unscored` = truncated (also answered).
    tally: (row, p) => {
      if (row.status === 'error') p.error++;
      else if (row.truncated) p.unscored++;
      else p.scored++;
      p.completionTokens += row.completionTokens ?? 0;
    },
    limit,
    progress,
    emit,
    ...(config.stop ? { stop: config.stop } : {}),
    ...(config.abort ? { abort: config.abort } : {}),
  });
}

/**
 * The answers file `pollux run DATASET --answers FILE` reads: `prompt_id`, `model_id`, `answer`,
 * plus what the generation said about itself. Written to a temporary name, synced and renamed, so
 * a reader never sees half a file. With several samples per instruction each line has an `id`
 * (model, prompt_id, sample), since equal answers would otherwise share a derived id.
 */
export function writeAnswersJsonl(store: AnswerStore, outFile: string, modelId: string, samples: number): number {
  const tmp = `${outFile}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let n = 0;
  try {
    let buf = '';
    for (const r of store.answered()) {
      if (r.sample >= samples) continue;
      const line: Record<string, unknown> = {};
      if (samples > 1) line.id = `${modelId}/${r.promptId}/${r.sample}`;
      Object.assign(line, {
        prompt_id: r.promptId,
        model_id: modelId,
        answer: r.answer,
        sample: r.sample,
        reasoning: r.reasoning,
        finish_reason: r.finishReason,
        truncated: r.truncated,
        usage: { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens },
        latency_ms: r.latencyMs === null ? null : Math.round(r.latencyMs),
      });
      buf += `${JSON.stringify(line)}\n`;
      n++;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, outFile);
  return n;
}
