import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { JudgeError, errorMessage } from '../core/errors.ts';
import { keyHint, v1Hint } from './endpointCheck.ts';
import { ReplyTooLargeError } from './httpFetch.ts';
import { redactSecrets } from './redact.ts';

/**
 * Retry-After is seconds or an HTTP date (RFC 9110); vLLM and OpenAI also send `retry-after-ms`.
 * Returns milliseconds, or null when absent or unreadable.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined | null, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The one place where an HTTP judge failure is classified; the engine decides what to do with it.
 * Its message never holds the API key, whatever the server echoed back.
 */
export function classifyHttpError(err: unknown, endpoint: string, timeoutMs: number, apiKey?: string): JudgeError {
  if (err instanceof JudgeError) return err;
  const e = classify(err, endpoint, timeoutMs, apiKey);
  const message = redactSecrets(e.message, apiKey);
  if (message === e.message) return e;
  return new JudgeError(message, e.kind, { endpoint: e.endpoint, status: e.status, retryAfterMs: e.retryAfterMs, timeout: e.timeout, connection: e.connection, cause: e.cause });
}

function classify(err: unknown, endpoint: string, timeoutMs: number, apiKey: string | undefined): JudgeError {
  const tooLarge = err instanceof ReplyTooLargeError ? err : err instanceof Error && err.cause instanceof ReplyTooLargeError ? err.cause : null;
  if (tooLarge) return new JudgeError(`${endpoint}: ${tooLarge.message}`, 'transient', { endpoint, cause: err });
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) {
    return new JudgeError(`${endpoint}: request aborted`, 'transient', { endpoint, cause: err });
  }
  if (err instanceof APIConnectionTimeoutError || (err instanceof Error && err.name === 'TimeoutError')) {
    return new JudgeError(`${endpoint}: no reply within ${timeoutMs / 1000} s (timeout)`, 'transient', { endpoint, timeout: true, cause: err });
  }
  if (err instanceof APIConnectionError) {
    const cause = err.cause ? `: ${errorMessage(err.cause)}` : '';
    return new JudgeError(`${endpoint}: connection failed${cause}`, 'transient', { endpoint, connection: true, cause: err });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const retryAfterMs = parseRetryAfter(err.headers);
    const hint = status === 401 || status === 403 ? ` (${keyHint(apiKey)})` : status === 404 ? v1Hint(endpoint).replace(/^; /, ' (') + (v1Hint(endpoint) ? ')' : '') : '';
    const detail = `${endpoint}: HTTP ${status}: ${err.message}${hint}`;
    if (status === 429 || (status === 503 && retryAfterMs !== null)) {
      return new JudgeError(detail, 'rate_limited', { endpoint, status, retryAfterMs, cause: err });
    }
    if (status >= 500 || status === 408 || status === 409) {
      return new JudgeError(detail, 'transient', { endpoint, status, retryAfterMs, cause: err });
    }
    return new JudgeError(detail, 'fatal', { endpoint, status, cause: err });
  }
  // A 200 with a body that is not JSON, or JSON without the fields of a chat completion.
  if (err instanceof SyntaxError) {
    return new JudgeError(`${endpoint}: malformed reply body: ${err.message}`, 'transient', { endpoint, cause: err });
  }
  return new JudgeError(`${endpoint}: ${errorMessage(err)}`, 'transient', { endpoint, cause: err });
}
