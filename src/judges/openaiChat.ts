import { APIError } from 'openai';
import { JudgeError, UsageError } from '../core/errors.ts';
import type { JudgeBackend, JudgeCallOptions, JudgeProvenance, JudgeReply } from '../core/types.ts';
import { classifyHttpError } from './errorClassification.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, chatParams, chatRequestBody, replyFromCompletion, type ChatCompletionBody } from './openaiWire.ts';
import { checkEndpoint } from './endpointCheck.ts';
import { DEFAULT_MAX_REPLY_BYTES, MAX_REDIRECTS, MAX_TIMEOUT_MS, postJson, type PostReply } from './httpFetch.ts';

export interface OpenAIChatJudgeOptions {
  /** e.g. `http://localhost:8000/v1`, what `vllm serve` gives. */
  baseUrl: string;
  /** The served model name; discovered from GET /models when the server serves exactly one. */
  model?: string;
  /** Defaults to POLLUX_API_KEY, then OPENAI_API_KEY; vLLM without --api-key accepts anything. */
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Per request, covering the whole exchange (headers and body); at most MAX_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Reply bodies are read up to this many bytes; a longer one fails the call (transient, reply_too_large). */
  maxReplyBytes?: number;
  /**
   * Check the endpoint (reachable, key accepted, model served) before returning (default true). A
   * caller that already knows the served model and may need no call at all (a finished evaluation
   * reprinted) passes false; without `model` the server is asked for it all the same.
   */
  check?: boolean;
  /** Extra body fields passed through as given (vLLM: seed, top_k, …). */
  extraBody?: Record<string, unknown>;
  /**
   * A system message before the prompt. Judges get none (POLLUX judges were trained without one);
   * a model under test may (`pollux answer --system`).
   */
  system?: string | null;
}

export { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE } from './openaiWire.ts';
export const DEFAULT_TIMEOUT_MS = 600_000;

export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.POLLUX_API_KEY || env.OPENAI_API_KEY || undefined;
}

export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--judge: "${raw}" is not a URL; expected e.g. http://localhost:8000/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--judge: "${raw}" must be an http(s) URL such as http://localhost:8000/v1`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * A judge behind any OpenAI-compatible chat completions endpoint (vLLM, SGLang, llama.cpp server,
 * OpenAI): ONE user message, no system message, as the POLLUX judges were trained.
 */
export class OpenAIChatJudge implements JudgeBackend {
  readonly baseUrl: string;
  private model: string;
  private readonly completionsUrl: string;
  private readonly headers: Record<string, string>;
  private readonly maxReplyBytes: number;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly timeoutMs: number;
  private readonly extraBody: Record<string, unknown>;
  private readonly system: string | null;
  private readonly apiKey: string | undefined;

  private constructor(options: OpenAIChatJudgeOptions & { apiKey: string }, model: string) {
    this.apiKey = options.apiKey;
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.model = model;
    this.completionsUrl = `${this.baseUrl}/chat/completions`;
    this.headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${options.apiKey}` };
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.temperature = options.temperature ?? DEFAULT_TEMPERATURE;
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.extraBody = options.extraBody ?? {};
    this.system = options.system ?? null;
  }

  /** Creates the judge, asking the server for its model when none is given. */
  static async create(options: OpenAIChatJudgeOptions): Promise<OpenAIChatJudge> {
    const baseUrl = normaliseBaseUrl(options.baseUrl);
    const apiKey = options.apiKey ?? apiKeyFromEnv() ?? 'EMPTY';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new UsageError(`--timeout: at most ${MAX_TIMEOUT_MS / 1000} s (a day) is honoured; got ${timeoutMs / 1000} s`);
    }
    const model =
      options.check === false && options.model !== undefined
        ? options.model
        : (await checkEndpoint({ baseUrl, apiKey, ...(options.model !== undefined ? { model: options.model } : {}) })).model;
    return new OpenAIChatJudge({ ...options, baseUrl, apiKey }, model);
  }

  /**
   * Built once: the parameters recorded (and hashed into request keys) are the very object every
   * request body is made from, so the two cannot disagree.
   */
  private provenance: JudgeProvenance | null = null;

  describe(): JudgeProvenance {
    this.provenance ??= Object.freeze({
      backend: 'openai-chat',
      endpoint: this.baseUrl,
      model: this.model,
      params: Object.freeze(chatParams({ temperature: this.temperature, maxTokens: this.maxTokens, extraBody: this.extraBody })),
    });
    return this.provenance;
  }

  async judge(prompt: string, options: JudgeCallOptions = {}): Promise<JudgeReply> {
    // One controller per request, its timer and parent listener removed when the request ends:
    // AbortSignal.timeout() and AbortSignal.any() keep every request's objects alive until the
    // timeout fires (600 s), which over a long run is a leak of ~2 KB per request.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const parent = options.signal;
    const onParentAbort = () => controller.abort(parent?.reason);
    if (parent?.aborted) controller.abort(parent.reason);
    else parent?.addEventListener('abort', onParentAbort, { once: true });
    const signal = controller.signal;
    const started = performance.now();
    try {
      const body = JSON.stringify(chatRequestBody(this.describe().params, this.model, prompt, this.system));
      const res = await postJson(this.completionsUrl, body, this.headers, { signal, maxReplyBytes: this.maxReplyBytes });
      if (res.status < 200 || res.status >= 300) throw statusError(res);
      // Not JSON: a SyntaxError, classified as a malformed reply body.
      const completion = JSON.parse(res.text) as ChatCompletionBody;
      const reply = replyFromCompletion(completion, { latencyMs: performance.now() - started, endpoint: this.baseUrl });
      if (!reply) {
        throw new JudgeError(`${this.baseUrl}: malformed reply: no choices[0].message in the chat completion`, 'transient', {
          endpoint: this.baseUrl,
        });
      }
      return reply;
    } catch (err) {
      if (timedOut && !parent?.aborted) {
        throw new JudgeError(`${this.baseUrl}: no reply within ${this.timeoutMs / 1000} s (timeout)`, 'transient', {
          endpoint: this.baseUrl,
          timeout: true,
          cause: err,
        });
      }
      throw classifyHttpError(err, this.baseUrl, this.timeoutMs, this.apiKey);
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    }
  }
}

/** A non-2xx reply as the openai SDK reports it (the same error classes and message), for classifyHttpError. */
function statusError(res: PostReply): APIError {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  // A redirect still standing after those followed (a loop, or one without a Location): say where it pointed.
  const location = res.headers.location;
  const text =
    res.status >= 300 && res.status < 400
      ? `a redirect${location ? ` to ${String(location)}` : ' without a Location'}, not followed (more than ${MAX_REDIRECTS} in a row, or none to follow): check the judge URL`
      : res.text;
  return APIError.generate(res.status, json as object | undefined, json ? undefined : text, headers);
}
