import { renameSync, existsSync, rmSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.ts';
import type { JudgeBackend, Judgment } from '../core/types.ts';
import { compareManifests, openRunStore, type JudgmentToSave, type RunCounts, type RunManifest, type RunStats, type RunStore } from '../store/index.ts';
import { AdaptiveLimit, FixedLimit, type ConcurrencyLimit } from './adaptiveConcurrency.ts';
import { acquireRunLock, type RunLock } from './runLock.ts';
import { EndpointPool } from './endpointPool.ts';
import { enumerateRequests, type EnumerableItem, type EnumerateOptions, type PlannedRequest } from './enumerate.ts';
import { DEFAULT_POLICY, executeRequest, type ExecutionPolicy, type RetryEvent } from './execute.ts';
import { schedule } from './scheduler.ts';

export type RunEvent =
  | { type: 'phase'; message: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'retry'; retry: RetryEvent }
  | { type: 'stopping'; inFlight: number };

export interface RunProgress {
  total: number;
  /** Requests finished before this invocation (resume) plus those finished now. */
  done: number;
  doneNow: number;
  scored: number;
  unscored: number;
  error: number;
  inFlight: number;
  concurrency: number;
  completionTokens: number;
  elapsedMs: number;
}

/** What judging needs once the run file is open (see openRun, which owns opening it). */
export interface JudgeRunConfig {
  storeFile: string;
  /** Opens the dataset anew: the engine reads it twice (enumerate, then judge) to stay in constant memory. */
  items: () => AsyncIterable<EnumerableItem>;
  backends: JudgeBackend[];
  enumerate: EnumerateOptions;
  concurrency: number | 'auto';
  maxConcurrency?: number;
  policy?: ExecutionPolicy;
  retryUnscored?: boolean;
  retryErrors?: boolean;
  /** First abort: take no new requests, let those in flight finish. */
  stop?: AbortSignal;
  /** Abort the requests in flight too; they stay pending in the store. */
  abort?: AbortSignal;
  /**
   * Replies after which, when none of them (and nothing judged before) was scored, judging stops:
   * the judge does not speak the POLLUX format (default 20; 0 turns the check off).
   */
  formatCheckAfter?: number;
  onEvent?: (event: RunEvent) => void;
}

export interface RunConfig extends JudgeRunConfig {
  manifest: RunManifest;
  /** Move an existing run file with a different manifest aside and start afresh. */
  forceNew?: boolean;
}

/** A run file opened for writing: its store, the lock that makes this process its one writer. */
export interface OpenRunFile {
  store: RunStore;
  movedAside: string | null;
  lock: RunLock;
  /** The file did not exist before: an empty run removes it (discardIfEmpty). */
  created: boolean;
  /** Only the dataset's fingerprint changed: the previous run was moved aside, its judgments carried over. */
  datasetChanged: boolean;
}

export interface RunSummary {
  file: string;
  total: number;
  judgedNow: number;
  counts: RunCounts;
  stats: RunStats;
  wallMs: number;
  judgmentsPerSecond: number;
  prefixShare: number | null;
  concurrency: { final: number; decreases: number };
  stopped: boolean;
  endpoints: Array<{ name: string; sent: number; failed: number; benched: boolean }>;
  movedAside: string | null;
  /** Judgments taken from the run moved aside: requests whose key (prompt, judge, parameters) is unchanged. */
  carriedOver: number;
  /**
   * Why judging stopped early because every endpoint was down (the last such error), or null. The
   * requests not judged stay pending; the same command continues once the endpoint is fixed.
   */
  outage: string | null;
  /** Calls made again after a failure (backoff retries) during this invocation. */
  retries: number;
  /**
   * Judging stopped because the first replies held no POLLUX verdict at all: how many replies, and
   * one of them as received. Null when the check passed or did not apply.
   */
  notPollux: { replies: number; reason: string | null; raw: string } | null;
}

const INSERT_BATCH = 500;

/** Opens the run file, refusing to resume a run that asked for something else (unless forceNew). */
export function openForRun(file: string, manifest: RunManifest, forceNew: boolean): OpenRunFile {
  const lock = acquireRunLock(file);
  try {
    return { ...openLocked(file, manifest, forceNew), lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}

function openLocked(file: string, manifest: RunManifest, forceNew: boolean): { store: RunStore; movedAside: string | null; created: boolean; datasetChanged: boolean } {
  let movedAside: string | null = null;
  let datasetChanged = false;
  if (existsSync(file)) {
    const existing = openRunStore(file);
    const stored = existing.getManifest();
    const changes = stored ? compareManifests(stored, manifest) : [];
    existing.close();
    // Only the data changed (a row added or edited): a new run file over the same settings, carrying
    // over every judgment whose key (prompt, judge, parameters, repeat) is still asked.
    const dataOnly = changes.every((l) => l.startsWith('dataset fingerprint') || l.startsWith('answers file fingerprint'));
    datasetChanged = changes.length > 0 && dataOnly;
    if (changes.length > 0) {
      if (!forceNew && !dataOnly) {
        throw new UsageError(
          `${file} holds a run made with different settings:\n  ${changes.join('\n  ')}\n` +
            'Use another --out, or --force-new to move that run aside and start a new one.',
        );
      }
      movedAside = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, movedAside + suffix);
    }
  }
  const created = !existsSync(file);
  const store = openRunStore(file);
  const stored = store.getManifest();
  store.setManifest(stored ? { ...manifest, createdAt: stored.createdAt } : manifest);
  return { store, movedAside, created, datasetChanged };
}

export const FORMAT_CHECK_AFTER = 20;

/**
 * A plain chat model pointed at as a judge answers every request, but never with a POLLUX verdict:
 * without this check a run would fill its file with `no_result_block` and report success.
 */
class FormatCheck {
  private replies = 0;
  private sample: Judgment | null = null;
  failed: RunSummary['notPollux'] = null;

  constructor(
    private readonly after: number,
    private passed: boolean,
  ) {
    if (after <= 0) this.passed = true;
  }

  see(j: Judgment): void {
    if (this.passed || this.failed || j.status === 'error') return;
    if (j.status === 'scored') {
      this.passed = true;
      return;
    }
    this.replies++;
    // Prefer a reply that is not merely cut short: it shows what the model writes instead.
    if (!this.sample || (this.sample.reason === 'truncated' && j.reason !== 'truncated')) this.sample = j;
    if (this.replies >= this.after) this.failed = { replies: this.replies, reason: this.sample.reason, raw: this.sample.raw ?? '' };
  }
}

/** No request to judge (every row rejected): an error, and a run file this call created is removed. */
export class NothingToJudgeError extends InputError {}

export function discardIfEmpty(store: RunStore, created: boolean): void {
  if (store.counts().requests > 0) return;
  const file = store.file;
  store.close();
  if (created) for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  throw new NothingToJudgeError('the dataset gives no request to judge', { file });
}

/**
 * Judges every request of a dataset into a run file. Resumable: requests already judged are skipped;
 * each judgment is written as it completes, so a crash loses at most the requests in flight.
 */
export async function runJudgments(config: RunConfig): Promise<RunSummary> {
  const started = Date.now();
  const opened = openForRun(config.storeFile, config.manifest, config.forceNew ?? false);
  try {
    return await judgeOpenRun(opened, config, started);
  } finally {
    opened.store.close();
    opened.lock.release();
  }
}

/** Judges the pending requests of a run file already opened (and locked) by openForRun; leaves it open. */
export async function judgeOpenRun(opened: OpenRunFile, config: JudgeRunConfig, started = Date.now()): Promise<RunSummary> {
  const { store, movedAside, created, datasetChanged } = opened;
  let retries = 0;
  const onEvent = config.onEvent;
  const emit = (event: RunEvent) => {
    if (event.type === 'retry') retries++;
    onEvent?.(event);
  };
  emit({ type: 'phase', message: 'reading the dataset and listing requests' });
  let batch = [];
  let listedAll = true;
  for await (const planned of enumerateRequests(config.items(), config.enumerate)) {
    // Ctrl-C while listing: what is listed so far is kept (the same rows come back on resume).
    if (config.stop?.aborted || config.abort?.aborted) {
      listedAll = false;
      break;
    }
    batch.push(planned.row);
    if (batch.length >= INSERT_BATCH) {
      store.addRequests(batch);
      batch = [];
    }
  }
  if (batch.length) store.addRequests(batch);
  if (listedAll) discardIfEmpty(store, created);
  const carriedOver = movedAside ? store.carryOver(movedAside) : 0;
  if (movedAside) {
    emit({
      type: 'phase',
      message: `${datasetChanged ? 'the dataset changed: ' : ''}the previous run was moved aside to ${movedAside}; ${carriedOver} judgment(s) of unchanged requests carried over`,
    });
  }
  // Errors that were the endpoint's fault (down, overloaded, a refused key) say nothing about the
  // request: they are asked again. Only the request's own (400, 413, 422) wait for --retry-errors.
  const reset = store.resetForRetry({ unscored: config.retryUnscored ?? false, errors: config.retryErrors ?? false, endpointErrors: true });
  if (reset > 0) emit({ type: 'phase', message: `${reset} earlier judgment(s) sent back to be asked again` });
  const before = store.counts();
  const pool = new EndpointPool(config.backends);
  const formatCheck = new FormatCheck(config.formatCheckAfter ?? FORMAT_CHECK_AFTER, before.scored > 0);
  const limit: ConcurrencyLimit =
    config.concurrency === 'auto'
      ? new AdaptiveLimit({ initial: 8, max: config.maxConcurrency ?? 512 })
      : new FixedLimit(config.concurrency);
  const progress: RunProgress = {
    total: before.total,
    done: before.total - before.pending,
    doneNow: 0,
    scored: before.scored,
    unscored: before.unscored,
    error: before.error,
    inFlight: 0,
    concurrency: limit.limit,
    completionTokens: 0,
    elapsedMs: 0,
  };
  let stopped = Boolean(config.stop?.aborted || config.abort?.aborted);
  if (before.pending > 0 && !stopped) {
    emit({ type: 'phase', message: `judging ${before.pending} request(s) (${progress.done} of ${before.total} already done)` });
    stopped = await judgePending(config, store, pool, limit, progress, emit, before.pending, formatCheck);
  }
  const counts = store.counts();
  const wallMs = Date.now() - started;
  return {
    file: config.storeFile,
    total: counts.total,
    judgedNow: progress.doneNow,
    counts,
    stats: store.stats(),
    wallMs,
    judgmentsPerSecond: progress.doneNow / Math.max(wallMs / 1000, 1e-3),
    prefixShare: pool.prefixShare(),
    concurrency: { final: limit.limit, decreases: limit.decreases },
    // Interrupted only if something was left undone.
    stopped: stopped && (counts.pending > 0 || !listedAll),
    endpoints: pool.endpoints.map((e) => ({ name: e.name, sent: e.sent, failed: e.failed, benched: e.benchedUntil > Date.now() })),
    movedAside,
    carriedOver,
    outage: pool.outage?.message ?? null,
    notPollux: formatCheck.failed,
    retries,
  };
}

async function judgePending(
  config: JudgeRunConfig,
  store: RunStore,
  pool: EndpointPool,
  limit: ConcurrencyLimit,
  progress: RunProgress,
  emit: (e: RunEvent) => void,
  pending: number,
  formatCheck: FormatCheck,
): Promise<boolean> {
  const policy = config.policy ?? DEFAULT_POLICY;
  const onRetry = (retry: RetryEvent) => emit({ type: 'retry', retry });
  // The store knows what is pending (the listing pass rejected bad rows), so this pass stops once
  // every pending request is on its way. With --limit it reads only the first N requests: a file
  // listed in full by an earlier run holds pending requests beyond them, which must wait.
  const { limit: _limit, ...unlimited } = config.enumerate;
  return schedule<PlannedRequest, JudgmentToSave>({
    work: enumerateRequests(config.items(), config.enumerate.limit !== undefined ? config.enumerate : unlimited),
    keyOf: (planned) => planned.row.key,
    isPending: (planned) => store.statusOf(planned.row.key) === 'pending',
    maxStarts: pending,
    send: async (planned, signal) => {
      const startedAt = Date.now();
      const judgment = await executeRequest(planned.prompt, planned.scale, planned.row.promptHash, { pool, limit, policy, signal, onRetry });
      return { key: planned.row.key, judgment, times: { startedAt, finishedAt: Date.now() } };
    },
    save: (batch) => store.saveJudgments(batch),
    tally: ({ judgment }, p) => {
      formatCheck.see(judgment);
      p[judgment.status]++;
      p.completionTokens += judgment.usage.completion ?? 0;
    },
    limit,
    progress,
    emit,
    ...(config.stop ? { stop: config.stop } : {}),
    ...(config.abort ? { abort: config.abort } : {}),
    halted: () => pool.outage !== null || formatCheck.failed !== null,
  });
}
