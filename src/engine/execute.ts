import { JudgeError } from '../core/errors.ts';
import type { Scale } from '../core/scale.ts';
import type { Judgment } from '../core/types.ts';
import type { ConcurrencyLimit } from './adaptiveConcurrency.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';
import type { EndpointPool } from './endpointPool.ts';
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
  let lastError: JudgeError | null = null;
  for (;;) {
    if (ctx.signal?.aborted) throw new AbortedError();
    const picked = ctx.pool.pick();
    if (typeof picked === 'number') {
      await sleep(Math.min(picked, 60_000), ctx.signal).catch(() => undefined);
      continue;
    }
    const endpoint = picked;
    attempts++;
    ctx.pool.begin(endpoint, prompt);
    try {
      const reply = await endpoint.backend.judge(prompt, { scale, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      ctx.pool.succeed(endpoint);
      ctx.limit?.onSuccess();
      const judgment = judgmentFromReply(reply, scale, { judge: endpoint.backend.describe(), promptHash, attempts });
      if (judgment.status === 'unscored' && judgment.reason !== 'truncated' && reasks < policy.reask) {
        reasks++;
        continue;
      }
      return judgment;
    } catch (err) {
      ctx.pool.fail(endpoint, err);
      if (ctx.signal?.aborted) throw new AbortedError();
      const error = asJudgeError(err);
      lastError = error;
      if (error.kind === 'rate_limited' || /timeout/.test(error.message)) ctx.limit?.onOverload();
      failures++;
      if (error.kind === 'fatal' || failures >= policy.maxAttempts) {
        return judgmentFromError(lastError, { judge: endpoint.backend.describe(), promptHash, attempts });
      }
      const delayMs = backoffDelay(failures, policy.backoff, error.retryAfterMs);
      ctx.onRetry?.({ attempt: attempts, error, delayMs, endpoint: endpoint.name });
      try {
        await sleep(delayMs, ctx.signal);
      } catch {
        throw new AbortedError();
      }
    }
  }
}
