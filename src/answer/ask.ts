import { JudgeError } from '../core/errors.ts';
import type { JudgeReply } from '../core/types.ts';
import type { ConcurrencyLimit } from '../engine/adaptiveConcurrency.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from '../engine/backoff.ts';
import type { EndpointPool, EndpointState } from '../engine/endpointPool.ts';
import { AbortedError, type RetryEvent } from '../engine/execute.ts';

export interface AskPolicy {
  /** Calls allowed per request on transient failures and rate limits. */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_ASK_POLICY: AskPolicy = { maxAttempts: 4, backoff: DEFAULT_BACKOFF };

export interface AskContext {
  pool: EndpointPool;
  limit?: ConcurrencyLimit;
  policy?: AskPolicy;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

export type AskResult = { ok: true; reply: JudgeReply; attempts: number } | { ok: false; error: JudgeError; attempts: number };

function asJudgeError(err: unknown): JudgeError {
  return err instanceof JudgeError ? err : new JudgeError(String(err), 'transient', { cause: err });
}

/**
 * One generation, with the engine's failure handling: the least-loaded healthy endpoint, backoff
 * with jitter (Retry-After honoured), overload lowering the adaptive concurrency, a replica's own
 * 401/404 tried elsewhere. Unlike a judgment there is nothing to parse, so every reply is final.
 * Throws only AbortedError (the run was stopped; the request stays to be asked again).
 */
export async function askModel(prompt: string, ctx: AskContext): Promise<AskResult> {
  const policy = ctx.policy ?? DEFAULT_ASK_POLICY;
  let attempts = 0;
  let failedOn: EndpointState | undefined;
  for (;;) {
    if (ctx.signal?.aborted) throw new AbortedError();
    const picked = ctx.pool.pick(failedOn);
    if (typeof picked === 'number') {
      await sleep(Math.min(picked, 60_000), ctx.signal).catch(() => undefined);
      continue;
    }
    attempts++;
    const startedAt = ctx.pool.begin(picked, prompt);
    try {
      const reply = await picked.backend.judge(prompt, ctx.signal ? { signal: ctx.signal } : {});
      ctx.pool.succeed(picked);
      ctx.limit?.onSuccess();
      return { ok: true, reply, attempts };
    } catch (err) {
      ctx.pool.fail(picked, err, startedAt);
      failedOn = picked;
      if (ctx.signal?.aborted) throw new AbortedError();
      const error = asJudgeError(err);
      if (error.overload) ctx.limit?.onOverload();
      const hopeless = error.kind === 'fatal' && (error.requestFault || !ctx.pool.replicated);
      if (hopeless || attempts >= policy.maxAttempts) return { ok: false, error, attempts };
      const delayMs = error.kind === 'fatal' ? 0 : backoffDelay(attempts, policy.backoff, error.retryAfterMs);
      ctx.onRetry?.({ attempt: attempts, error, delayMs, endpoint: picked.name });
      try {
        await sleep(delayMs, ctx.signal);
      } catch {
        throw new AbortedError();
      }
    }
  }
}
