import { setMaxListeners } from 'node:events';
import type { ConcurrencyLimit } from './adaptiveConcurrency.ts';
import { AbortedError } from './execute.ts';
import type { RunEvent, RunProgress } from './run.ts';

/**
 * The one scheduler of requests to a model (`pollux run` judging, `pollux answer` answering): at
 * most `limit.limit` in flight, results committed in groups, progress ticks, and the two-stage stop.
 */
export interface ScheduleConfig<W, R> {
  /** The work, in order; read only as fast as slots free up. */
  work: Iterable<W> | AsyncIterable<W>;
  /** Identifies a piece of work: one with a key in flight or not yet committed is not started again. */
  keyOf: (work: W) => string;
  /** false: the work is done already (a duplicate row judged meanwhile); skipped. */
  isPending?: (work: W) => boolean;
  /** Stop reading work once this many have been started. */
  maxStarts?: number;
  /** Sends one piece of work to its end; throws AbortedError only when `signal` aborts (it stays pending). */
  send: (work: W, signal: AbortSignal) => Promise<R>;
  /** Commits results in one transaction: a result counts only once this returns. */
  save: (results: R[]) => void;
  /** Counts a result into the progress (`done` and `doneNow` are counted here). */
  tally: (result: R, progress: RunProgress) => void;
  limit: ConcurrencyLimit;
  progress: RunProgress;
  emit: (event: RunEvent) => void;
  /** First abort: take no new work; what is in flight finishes. */
  stop?: AbortSignal;
  /** Abort the work in flight too. */
  abort?: AbortSignal;
  /** Other reasons to take no new work (every endpoint down, a judge that does not speak POLLUX). */
  halted?: () => boolean;
}

const TICK_MS = 250;

/** Runs the work; returns whether the caller stopped or aborted it. Rethrows the first unexpected failure. */
export async function schedule<W, R>(config: ScheduleConfig<W, R>): Promise<boolean> {
  const { limit, progress, emit } = config;
  const started = Date.now();
  const inFlight = new Set<string>();
  let wake: (() => void) | null = null;
  const signalFreeSlot = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForSlot = () => new Promise<void>((resolve) => (wake = resolve));
  let firstFailure: unknown = null;
  const stopRequested = () => Boolean(config.stop?.aborted || config.abort?.aborted || config.halted?.());
  // Every request in flight listens to the abort signal: one local signal, linked once to the
  // caller's, with no listener limit (hundreds in flight are normal, not a leak).
  const aborter = new AbortController();
  setMaxListeners(0, aborter.signal);
  const onAbort = () => aborter.abort();
  if (config.abort?.aborted) aborter.abort();
  else config.abort?.addEventListener('abort', onAbort, { once: true });
  config.stop?.addEventListener('abort', signalFreeSlot, { once: true });
  const report = () => {
    progress.elapsedMs = Date.now() - started;
    progress.inFlight = inFlight.size;
    progress.concurrency = limit.limit;
    emit({ type: 'progress', progress: { ...progress } });
  };
  const tick = setInterval(report, TICK_MS);

  // Group commit: results that complete in the same turn of the event loop are written in one
  // transaction right after it (setImmediate, no timer), so each is durable within the same
  // millisecond it completes, and a burst of replies costs one commit instead of one each.
  let unsaved: R[] = [];
  const unsavedKeys = new Set<string>();
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (unsaved.length === 0) return;
    const batch = unsaved;
    unsaved = [];
    try {
      config.save(batch);
    } catch (err) {
      firstFailure ??= err;
    } finally {
      unsavedKeys.clear();
      signalFreeSlot();
    }
  };
  const finish = (key: string, result: R) => {
    unsaved.push(result);
    unsavedKeys.add(key);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    progress.done++;
    progress.doneNow++;
    config.tally(result, progress);
  };
  const start = (work: W, key: string) => {
    inFlight.add(key);
    config
      .send(work, aborter.signal)
      .then((result) => finish(key, result))
      .catch((err: unknown) => {
        // Aborted work stays pending: a rerun asks it again. Anything else is a bug to surface.
        if (!(err instanceof AbortedError)) firstFailure ??= err;
      })
      .finally(() => {
        inFlight.delete(key);
        signalFreeSlot();
      });
  };

  try {
    let sent = 0;
    const maxStarts = config.maxStarts ?? Infinity;
    for await (const work of config.work) {
      if (sent >= maxStarts) break;
      while (inFlight.size >= limit.limit && !stopRequested()) await waitForSlot();
      if (stopRequested() || firstFailure) break;
      const key = config.keyOf(work);
      // Duplicate rows give the same key: sent once.
      if (inFlight.has(key) || unsavedKeys.has(key) || (config.isPending && !config.isPending(work))) continue;
      start(work, key);
      sent++;
    }
    if (stopRequested() && inFlight.size > 0) emit({ type: 'stopping', inFlight: inFlight.size });
    while (inFlight.size > 0) await waitForSlot();
  } finally {
    flush();
    config.abort?.removeEventListener('abort', onAbort);
    config.stop?.removeEventListener('abort', signalFreeSlot);
    clearInterval(tick);
    progress.elapsedMs = Date.now() - started;
    progress.inFlight = 0;
    emit({ type: 'progress', progress: { ...progress } });
  }
  if (firstFailure) throw firstFailure;
  return Boolean(config.stop?.aborted || config.abort?.aborted);
}
