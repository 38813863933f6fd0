import { JudgeError, UsageError, errorMessage } from '../core/errors.ts';
import { redactSecrets } from './redact.ts';

/**
 * Before any judging: is something listening, is it an OpenAI-compatible server at this URL, does
 * it take our key, does it serve the model? A wrong URL then costs one clear message instead of
 * every request of a run ending in an error after minutes of retries.
 */
export interface EndpointCheckOptions {
  /** Normalised base URL, e.g. `http://localhost:8000/v1`. */
  baseUrl: string;
  /** The bearer token sent; `undefined` or `EMPTY` when the user set none. */
  apiKey?: string;
  /** The model the user asked for; without one the server must list exactly one. */
  model?: string;
  timeoutMs?: number;
}

export interface EndpointCheck {
  /** The model to use: the one asked for, or the only one listed. */
  model: string;
  /** What GET /models listed (empty when the server has no such route and a model was given). */
  served: string[];
}

/** GET /models waits this long at most: a listing is instant on any healthy server. */
export const ENDPOINT_CHECK_TIMEOUT_MS = 30_000;

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
};

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `http://h:8000` → `http://h:8000/v1`: what a 404 most often means. */
export function v1Hint(baseUrl: string): string {
  return /\/v1$/.test(baseUrl) ? '' : `; did you mean ${baseUrl}/v1?`;
}

export function keyHint(apiKey: string | undefined): string {
  return apiKey && apiKey !== 'EMPTY'
    ? 'the API key in POLLUX_API_KEY / OPENAI_API_KEY was refused; check it'
    : 'the server wants an API key: set POLLUX_API_KEY or OPENAI_API_KEY';
}

export async function checkEndpoint(options: EndpointCheckOptions): Promise<EndpointCheck> {
  const { baseUrl, model } = options;
  const timeoutMs = Math.min(options.timeoutMs ?? ENDPOINT_CHECK_TIMEOUT_MS, ENDPOINT_CHECK_TIMEOUT_MS);
  const url = `${baseUrl}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const code = causeCode(err);
    const host = new URL(baseUrl).host;
    if (code && CONNECTION_CODES[code]) {
      throw new JudgeError(`nothing listens at ${baseUrl} (${CONNECTION_CODES[code]} by ${host}); is the judge server running?`, 'transient', {
        endpoint: baseUrl,
        cause: err,
      });
    }
    if ((err as Error)?.name === 'TimeoutError') {
      throw new JudgeError(`${url}: no reply within ${timeoutMs / 1000} s; is the judge server up?`, 'transient', { endpoint: baseUrl, timeout: true, cause: err });
    }
    const cause = (err as { cause?: unknown }).cause;
    throw new JudgeError(`cannot reach ${baseUrl}: ${redactSecrets(errorMessage(cause ?? err), options.apiKey)}`, 'transient', { endpoint: baseUrl, cause: err });
  }
  const text = await response.text().catch(() => '');
  if (response.status === 401 || response.status === 403) {
    throw new JudgeError(`${baseUrl}: HTTP ${response.status} on GET /models: ${keyHint(options.apiKey)}`, 'fatal', { endpoint: baseUrl, status: response.status });
  }
  if (response.status === 404 && v1Hint(baseUrl)) {
    throw new JudgeError(`${url}: HTTP 404, not an OpenAI-compatible API at this URL${v1Hint(baseUrl)}`, 'fatal', { endpoint: baseUrl, status: 404 });
  }
  let served: string[] | null = null;
  if (response.ok) {
    try {
      const body = JSON.parse(text) as { data?: Array<{ id?: unknown }> };
      if (Array.isArray(body.data)) served = body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch {
      served = null;
    }
  }
  if (served === null) {
    // A server without a usable listing can still judge when told the model.
    if (model) return { model, served: [] };
    const detail = response.ok ? 'the reply is not a model list' : `HTTP ${response.status}`;
    throw new JudgeError(`cannot discover the judge model at ${url} (${detail}); pass --model NAME`, response.ok || response.status < 500 ? 'fatal' : 'transient', {
      endpoint: baseUrl,
      status: response.ok ? null : response.status,
    });
  }
  if (model) {
    if (!served.includes(model)) {
      throw new UsageError(`${baseUrl} does not serve the model "${model}"; it serves: ${served.join(', ') || '(none)'}`);
    }
    return { model, served };
  }
  if (served.length === 1 && served[0]) return { model: served[0], served };
  if (served.length === 0) throw new UsageError(`${url} lists no model; pass --model NAME`);
  throw new UsageError(`${baseUrl} serves ${served.length} models (${served.join(', ')}); choose one with --model`);
}
