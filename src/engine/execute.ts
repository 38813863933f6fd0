import { JudgeError } from '../core/errors.ts';
import type { Scale } from '../core/scale.ts';
import type { JudgeCallOptions, JudgeReply, Judgment } from '../core/types.ts';
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

/** What a reply means to the caller: the result, or `ASK_AGAIN` (a reply worth asking anew). */
export const ASK_AGAIN: unique symbol = Symbol('ask again');

export interface SendOptions<T> {
  /** Calls allowed after failures (transient ones, rate limits; fatal ones only elsewhere on replicas). */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Give up (OutageError: the request stays pending) once the pool has seen every endpoint down. */
  stopOnOutage: boolean;
  call: JudgeCallOptions;
  onReply: (reply: JudgeReply, endpoint: EndpointState, attempts: number) => T | typeof ASK_AGAIN;
  /** The result once retries are spent or the error is hopeless. */
  onError: (error: JudgeError, endpoint: EndpointState, attempts: number) => T;
}

/**
 * The one way a request goes to an endpoint pool: the least-loaded healthy endpoint, backoff with
 * jitter (Retry-After honoured), overload lowering the adaptive concurrency, a replica's own
 * 401/404 tried elsewhere. Throws only AbortedError (the caller stopped; the request stays pending).
 */
export async function sendToPool<T>(prompt: string, ctx: Omit<ExecuteContext, 'policy'>, options: SendOptions<T>): Promise<T> {
  let attempts = 0;
  let failures = 0;
  let failedOn: EndpointState | undefined;
  const call: JudgeCallOptions = ctx.signal ? { ...options.call, signal: ctx.signal } : options.call;
  for (;;) {
    if (ctx.signal?.aborted) throw new AbortedError();
    if (options.stopOnOutage && ctx.pool.outage) throw new OutageError();
    const picked = ctx.pool.pick(failedOn);
    if (typeof picked === 'number') {
      await sleep(Math.min(picked, 60_000), ctx.signal).catch(() => undefined);
      continue;
    }
    const endpoint = picked;
    attempts++;
    const startedAt = ctx.pool.begin(endpoint, prompt);
    let reply: JudgeReply;
    try {
      reply = await endpoint.backend.judge(prompt, call);
    } catch (err) {
      ctx.pool.fail(endpoint, err, startedAt);
      failedOn = endpoint;
      if (ctx.signal?.aborted) throw new AbortedError();
      if (options.stopOnOutage && ctx.pool.outage) throw new OutageError();
      const error = asJudgeError(err);
      if (error.overload) ctx.limit?.onOverload();
      failures++;
      // A fatal error of one replica (401, 404: wrong model or key there) may not be fatal elsewhere.
      const hopeless = error.kind === 'fatal' && (error.requestFault || !ctx.pool.replicated);
      if (hopeless || failures >= options.maxAttempts) return options.onError(error, endpoint, attempts);
      const delayMs = error.kind === 'fatal' ? 0 : backoffDelay(failures, options.backoff, error.retryAfterMs);
      ctx.onRetry?.({ attempt: attempts, error, delayMs, endpoint: endpoint.name });
      try {
        await sleep(delayMs, ctx.signal);
      } catch {
        throw new AbortedError();
      }
      continue;
    }
    ctx.pool.succeed(endpoint);
    ctx.limit?.onSuccess();
    const result = options.onReply(reply, endpoint, attempts);
    if (result !== ASK_AGAIN) return result;
  }
}

/**
 * Judges one prompt to its end: a scored or unscored judgment, or an error judgment once retries are
 * spent. Throws only AbortedError (the caller stopped the run; the request stays pending).
 */
export async function executeRequest(prompt: string, scale: Scale, promptHash: string, ctx: ExecuteContext): Promise<Judgment> {
  const policy = ctx.policy ?? DEFAULT_POLICY;
  let reasks = 0;
  // An unscored reply whose re-ask then failed is still the best answer we have: keep its raw text.
  let lastUnscored: Judgment | null = null;
  return sendToPool<Judgment>(prompt, ctx, {
    maxAttempts: policy.maxAttempts,
    backoff: policy.backoff,
    stopOnOutage: true,
    call: { scale },
    onReply: (reply, endpoint, attempts) => {
      const judgment = judgmentFromReply(reply, scale, { judge: endpoint.backend.describe(), promptHash, attempts });
      if (judgment.status === 'unscored' && judgment.reason !== 'truncated' && reasks < policy.reask) {
        reasks++;
        lastUnscored = judgment;
        return ASK_AGAIN;
      }
      return judgment;
    },
    onError: (error, endpoint, attempts) => {
      if (lastUnscored) return { ...lastUnscored, attempts };
      return judgmentFromError(error, { judge: endpoint.backend.describe(), promptHash, attempts });
    },
  });
}
