import { UsageError } from '../core/errors.ts';
import type { JudgeBackend } from '../core/types.ts';
import { OpenAIChatJudge } from '../judges/openaiChat.ts';

/** The model under test: one or several replicas of an OpenAI-compatible server, and how to ask it. */
export interface ModelUnderTest {
  /** `http(s)://HOST:PORT/v1`, one per replica. */
  urls: string[];
  /** The served model name; discovered from GET /models when the server serves exactly one. */
  model?: string;
  /** The `model_id` its answers carry (default: the served name). */
  modelId?: string;
  system?: string | null;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** Extra body fields (`--param`). */
  extraBody?: Record<string, unknown>;
  /**
   * Never the judge's key: a key meant for one server must not be sent to another. Default:
   * POLLUX_MODEL_API_KEY.
   */
  apiKey?: string;
}

export const DEFAULT_ANSWER_MAX_TOKENS = 4096;
export const DEFAULT_ANSWER_TEMPERATURE = 0;

export function modelApiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.POLLUX_MODEL_API_KEY || undefined;
}

/** Splits `URL[,URL…]`, checking each is an http(s) URL. */
export function parseModelUrls(value: string, flag = '--model-url'): string[] {
  const urls = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new UsageError(`${flag}: expected a URL such as http://localhost:8000/v1`);
  for (const u of urls) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(u).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`${flag}: "${u}" is not an http(s) URL such as http://localhost:8000/v1`);
  }
  return urls;
}

export interface ConnectedModel {
  backends: JudgeBackend[];
  /** The served model name. */
  model: string;
  modelId: string;
  /** Everything in the request body besides the messages: recorded, and part of the resume check. */
  params: Record<string, unknown>;
}

export async function connectModel(m: ModelUnderTest, env: NodeJS.ProcessEnv = process.env): Promise<ConnectedModel> {
  const apiKey = m.apiKey ?? modelApiKeyFromEnv(env) ?? 'EMPTY';
  const backends = await Promise.all(
    m.urls.map((baseUrl) =>
      OpenAIChatJudge.create({
        baseUrl,
        apiKey,
        temperature: m.temperature ?? DEFAULT_ANSWER_TEMPERATURE,
        maxTokens: m.maxTokens ?? DEFAULT_ANSWER_MAX_TOKENS,
        ...(m.model !== undefined ? { model: m.model } : {}),
        ...(m.timeoutMs !== undefined ? { timeoutMs: m.timeoutMs } : {}),
        extraBody: m.extraBody ?? {},
        system: m.system ?? null,
        // The served name is known: no call before one is needed (a finished run may have no server).
        check: m.model === undefined,
      }),
    ),
  );
  const first = backends[0]!.describe();
  for (const b of backends.slice(1)) {
    const d = b.describe();
    if (d.model !== first.model) {
      throw new UsageError(`--model-url: the endpoints serve different models (${first.endpoint}: ${first.model}, ${d.endpoint}: ${d.model}); pass --model`);
    }
  }
  return { backends, model: first.model, modelId: m.modelId ?? first.model, params: { ...first.params } };
}
