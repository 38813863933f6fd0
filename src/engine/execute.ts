import { JudgeError } from '../core/errors.ts';
import type { Scale } from '../core/scale.ts';
import type { Judgment } from '../core/types.ts';
import type { ConcurrencyLimit } from './adaptiveConcurrency.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';
import type { EndpointPool, EndpointState } from './endpointPool.ts';
import { judgmentFromError, judgmentFromReply } from './judgment.ts';

/** The one retry layer: backoff on failures, re-asking on unparseable replies. */
export interface ExecutionPolicy {
  /** Calls allowed per request for transient / rate-limited failures (fatal ones are not retried). */
  maxAttempts: number;
  /** Extra asks when the reply parses to no valid score (not for truncation, which would repeat). */
  reask: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_POLICY: ExecutionPolicy = { maxAttempts: 4, reask: 1, backoff: DEFAULT_BACKOFF };

export interface RetryEvent {
  attempt: number;
  error: JudgeError;
  delayMs: number;
  endpoint: string;
}

export interface ExecuteContext {
  pool: EndpointPool;
  limit?: ConcurrencyLimit;
  policy?: ExecutionPolicy;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

/** Every endpoint is down (EndpointPool.outage): the request stays pending for a later run. */
export class OutageError extends AbortedError {}

function asJudgeError(err: unknown): JudgeError {
  return err instanceof JudgeError ? err : new JudgeError(String(err), 'transient', { cause: err });
}

/**
 * Judges one prompt to its end: a scored or unscored judgment, or an error judgment once retries are
 * spent. Throws only AbortedError (the caller stopped the run; the request stays pending).
 */
export async function executeRequest(prompt: string, scale: Scale, promptHash: string, ctx: ExecuteContext): Promise<Judgment> {
  const policy = ctx.policy ?? DEFAULT_POLICY;
  let attempts = 0;
  let failures = 0;
  let reasks = 0;
  // An unscored reply whose re-ask then failed is still the best answer we have: keep its raw text.
  let lastUnscored: Judgment | null = null;
  let failedOn: EndpointState | undefined;
  for (;;) {
    if (ctx.signal?.aborted) throw new AbortedError();
    if (ctx.pool.outage) throw new OutageError();
    const picked = ctx.pool.pick(failedOn);
    if (typeof picked === 'number') {
      await sleep(Math.min(picked, 60_000), ctx.signal).catch(() => undefined);
      continue;
    }
    const endpoint = picked;
    attempts++;
    const startedAt = ctx.pool.begin(endpoint, prompt);
    try {
      const reply = await endpoint.backend.judge(prompt, { scale, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      ctx.pool.succeed(endpoint);
      ctx.limit?.onSuccess();
      const judgment = judgmentFromReply(reply, scale, { judge: endpoint.backend.describe(), promptHash, attempts });
      if (judgment.status === 'unscored' && judgment.reason !== 'truncated' && reasks < policy.reask) {
        reasks++;
        lastUnscored = judgment;
        continue;
      }
      return judgment;
    } catch (err) {
      ctx.pool.fail(endpoint, err, startedAt);
      failedOn = endpoint;
      if (ctx.signal?.aborted) throw new AbortedError();
      if (ctx.pool.outage) throw new OutageError();
      const error = asJudgeError(err);
      if (error.overload) ctx.limit?.onOverload();
      failures++;
      // A fatal error of one replica (401, 404: wrong model or key there) may not be fatal elsewhere.
      const hopeless = error.kind === 'fatal' && (error.requestFault || !ctx.pool.replicated);
      if (hopeless || failures >= policy.maxAttempts) {
        if (lastUnscored) return { ...lastUnscored, attempts };
        return judgmentFromError(error, { judge: endpoint.backend.describe(), promptHash, attempts });
      }
      const delayMs = error.kind === 'fatal' ? 0 : backoffDelay(failures, policy.backoff, error.retryAfterMs);
      ctx.onRetry?.({ attempt: attempts, error, delayMs, endpoint: endpoint.name });
      try {
        await sleep(delayMs, ctx.signal);
      } catch {
        throw new AbortedError();
      }
    }
  }
}
