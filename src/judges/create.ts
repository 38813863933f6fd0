import { UsageError } from '../core/errors.ts';
import type { JudgeBackend } from '../core/types.ts';
import { OpenAIChatJudge, type OpenAIChatJudgeOptions } from './openaiChat.ts';

/** Judge options shared by every backend, as the CLI's --temperature/--max-tokens/--param give them. */
export interface JudgeSettings {
  model?: string;
  /** HTTP judges: the bearer token (default: POLLUX_API_KEY or OPENAI_API_KEY of the process). */
  apiKey?: string;
  /** In-process judges: the token for gated `hf:` downloads (default: HF_TOKEN of the process). */
  hfToken?: string;
  /** In-process judges: where download progress lines go (default: the process's stderr). */
  onLog?: (line: string) => void;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** HTTP judges: reply bodies are read up to this many bytes. */
  maxReplyBytes?: number;
  extraBody?: Record<string, unknown>;
  /** In-process judges: parallel sequences; HTTP judges ignore it (the engine bounds in-flight requests). */
  concurrency?: number;
  constrain?: boolean;
  seed?: number;
  /** In-process judges: CPU threads, context size per sequence, GPU use. */
  threads?: number;
  contextSize?: number;
  gpu?: boolean | 'auto';
}

export type JudgeSpecKind = 'http' | 'gguf';

/** `http(s)://…` is an OpenAI-compatible server; `gguf:PATH` or `hf:URI` a model run in process. */
export function judgeSpecKind(spec: string): JudgeSpecKind {
  if (/^https?:\/\//i.test(spec)) return 'http';
  if (/^(gguf|hf):/i.test(spec)) return 'gguf';
  throw new UsageError(
    `--judge: "${spec}" is neither an http(s) URL (e.g. http://localhost:8000/v1) nor gguf:PATH / hf:MODEL_URI`,
  );
}

/** Splits `--judge URL[,URL…]` into endpoint specs, rejecting a mix of HTTP and in-process judges. */
export function parseJudgeSpecs(value: string): string[] {
  const specs = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (specs.length === 0) throw new UsageError('--judge: expected a URL such as http://localhost:8000/v1');
  const kinds = new Set(specs.map(judgeSpecKind));
  if (kinds.size > 1 || (kinds.has('gguf') && specs.length > 1)) {
    throw new UsageError('--judge: several endpoints must all be http(s) URLs (one gguf: model at a time)');
  }
  return specs;
}

export async function createJudge(spec: string, settings: JudgeSettings): Promise<JudgeBackend> {
  if (judgeSpecKind(spec) === 'http') {
    const options: OpenAIChatJudgeOptions = { baseUrl: spec };
    if (settings.model !== undefined) options.model = settings.model;
    if (settings.apiKey !== undefined) options.apiKey = settings.apiKey;
    if (settings.temperature !== undefined) options.temperature = settings.temperature;
    if (settings.maxTokens !== undefined) options.maxTokens = settings.maxTokens;
    if (settings.timeoutMs !== undefined) options.timeoutMs = settings.timeoutMs;
    if (settings.maxReplyBytes !== undefined) options.maxReplyBytes = settings.maxReplyBytes;
    const extra = { ...(settings.extraBody ?? {}) };
    if (settings.seed !== undefined && extra.seed === undefined) extra.seed = settings.seed;
    options.extraBody = extra;
    return OpenAIChatJudge.create(options);
  }
  // Loaded only here, so users of HTTP judges never load node-llama-cpp.
  const { createGgufJudge } = await import('./gguf/index.ts');
  const model = spec.replace(/^gguf:/i, '');
  return createGgufJudge({
    model,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.maxTokens !== undefined ? { maxTokens: settings.maxTokens } : {}),
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    ...(settings.concurrency !== undefined ? { concurrency: settings.concurrency } : {}),
    ...(settings.constrain !== undefined ? { constrain: settings.constrain } : {}),
    ...(settings.threads !== undefined ? { threads: settings.threads } : {}),
    ...(settings.contextSize !== undefined ? { contextSize: settings.contextSize } : {}),
    ...(settings.gpu !== undefined ? { gpu: settings.gpu } : {}),
    ...(settings.hfToken !== undefined ? { hfToken: settings.hfToken } : {}),
    ...(settings.onLog !== undefined ? { onLog: settings.onLog } : {}),
  });
}
