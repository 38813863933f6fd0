import { JudgeError } from '../core/errors.ts';
import type { JudgeReply } from '../core/types.ts';
import type { ConcurrencyLimit } from '../engine/adaptiveConcurrency.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../engine/backoff.ts';
import type { EndpointPool } from '../engine/endpointPool.ts';
import { sendToPool, type RetryEvent } from '../engine/execute.ts';

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

/**
 * One generation, with the engine's failure handling (sendToPool). Unlike a judgment there is
 * nothing to parse, so every reply is final; and a lost server turns the requests into errors
 * rather than stopping the run. Throws only AbortedError (the run was stopped; the request stays
 * to be asked again).
 */
export async function askModel(prompt: string, ctx: AskContext): Promise<AskResult> {
  const policy = ctx.policy ?? DEFAULT_ASK_POLICY;
  return sendToPool<AskResult>(prompt, ctx, {
    maxAttempts: policy.maxAttempts,
    backoff: policy.backoff,
    stopOnOutage: false,
    call: {},
    onReply: (reply, _endpoint, attempts) => ({ ok: true, reply, attempts }),
    onError: (error, _endpoint, attempts) => ({ ok: false, error, attempts }),
  });
}
