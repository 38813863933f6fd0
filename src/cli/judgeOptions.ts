import type { Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import type { JudgeSettings } from '../judges/create.ts';
import { apiKeyFromEnv } from '../judges/openaiChat.ts';
import { MAX_TIMEOUT_MS } from '../judges/httpFetch.ts';
import { DEFAULT_POLICY, type ExecutionPolicy } from '../engine/execute.ts';
import { collect } from './collect.ts';

/** The flags that shape a request's body: `pollux batch export` takes only these. */
export function addSamplingOptions(cmd: Command, modelHelp: string): Command {
  return cmd
    .option('--model <name>', modelHelp)
    .option('--temperature <t>', 'sampling temperature (default 0)')
    .option('--max-tokens <n>', 'completion token limit (default 1024)')
    .option('--param <key=value>', 'extra request body field, repeatable (vLLM: --param seed=1 --param top_k=1); values are JSON when they parse', collect);
}

/** Judge flags shared by `pollux judge` and `pollux run`. */
export function addJudgeOptions(cmd: Command): Command {
  cmd.option('--judge <url>', 'judge endpoint: http(s)://HOST:PORT/v1 (several, comma-separated, for replicas), or gguf:PATH / hf:URI; the API key comes from POLLUX_API_KEY, else OPENAI_API_KEY');
  return addSamplingOptions(cmd, 'judge model name (default: the one model the server lists at GET /v1/models)')
    .option('--timeout <seconds>', 'per-request timeout in seconds, at most 86400 (default 600)')
    .option('--max-reply-bytes <n>', 'HTTP judges: read a reply body up to n bytes; a longer one fails as reply_too_large (default 4194304)')
    .option('--constrain', 'in-process (gguf:) judges: force the [FEEDBACK] … [RESULT] <level> [END] format with a grammar')
    .option('--threads <n>', 'in-process judges: CPU threads (default: 1 for tiny models, else the math cores)')
    .option('--context-size <n>', 'in-process judges: context tokens per sequence (default: up to 8192, as memory allows)')
    .option('--gpu <auto|on|off>', 'in-process judges: use a GPU when a prebuilt GPU binary loads (default auto)');
}

export function addRetryOptions(cmd: Command): Command {
  return cmd
    .option('--max-attempts <n>', `calls per request on transient failures (default ${DEFAULT_POLICY.maxAttempts})`)
    .option('--reask <n>', `re-asks when a reply has no valid score (default ${DEFAULT_POLICY.reask})`);
}

export interface JudgeFlagValues {
  judge?: string;
  model?: string;
  temperature?: string;
  maxTokens?: string;
  timeout?: string;
  maxReplyBytes?: string;
  param?: string[];
  constrain?: boolean;
  threads?: string;
  contextSize?: string;
  gpu?: string;
  maxAttempts?: string;
  reask?: string;
}

export function parseNumberFlag(value: string | undefined, flag: string, { min = -Infinity, integer = false } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: expected ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got "${value}"`);
  }
  return n;
}

export function parseParams(params: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected key=value, got "${p}"`);
    const key = p.slice(0, eq).trim();
    const raw = p.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

/** `env` is the command's environment: the API key and HF_TOKEN come from there. */
export function judgeSettingsFrom(flags: JudgeFlagValues, env: Readonly<Record<string, string | undefined>> = {}): JudgeSettings {
  const settings: JudgeSettings = { extraBody: parseParams(flags.param), apiKey: apiKeyFromEnv(env) ?? 'EMPTY' };
  if (env.HF_TOKEN) settings.hfToken = env.HF_TOKEN;
  if (flags.model !== undefined) settings.model = flags.model;
  const temperature = parseNumberFlag(flags.temperature, '--temperature', { min: 0 });
  if (temperature !== undefined) settings.temperature = temperature;
  const maxTokens = parseNumberFlag(flags.maxTokens, '--max-tokens', { min: 1, integer: true });
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  const timeout = parseNumberFlag(flags.timeout, '--timeout', { min: 0.001 });
  if (timeout !== undefined) {
    // Past this Node's timers overflow (a huge value would fire at once); no judge call needs a day.
    if (timeout * 1000 > MAX_TIMEOUT_MS) throw new UsageError(`--timeout: at most ${MAX_TIMEOUT_MS / 1000} seconds (a day), got "${flags.timeout}"`);
    settings.timeoutMs = Math.round(timeout * 1000);
  }
  const maxReplyBytes = parseNumberFlag(flags.maxReplyBytes, '--max-reply-bytes', { min: 1024, integer: true });
  if (maxReplyBytes !== undefined) settings.maxReplyBytes = maxReplyBytes;
  if (flags.constrain) settings.constrain = true;
  const threads = parseNumberFlag(flags.threads, '--threads', { min: 1, integer: true });
  if (threads !== undefined) settings.threads = threads;
  const contextSize = parseNumberFlag(flags.contextSize, '--context-size', { min: 512, integer: true });
  if (contextSize !== undefined) settings.contextSize = contextSize;
  if (flags.gpu !== undefined) {
    const choices: Record<string, boolean | 'auto'> = { auto: 'auto', on: true, off: false };
    const gpu = choices[flags.gpu];
    if (gpu === undefined) throw new UsageError(`--gpu: expected auto, on or off, got "${flags.gpu}"`);
    settings.gpu = gpu;
  }
  const seed = settings.extraBody?.seed;
  if (typeof seed === 'number') settings.seed = seed;
  return settings;
}

/** `POLLUX_JUDGE_URL` stands in for `--judge` wherever a judge is asked for. */
export function judgeUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const v = env.POLLUX_JUDGE_URL?.trim();
  return v ? v : undefined;
}

export function policyFrom(flags: JudgeFlagValues): ExecutionPolicy {
  return {
    ...DEFAULT_POLICY,
    maxAttempts: parseNumberFlag(flags.maxAttempts, '--max-attempts', { min: 1, integer: true }) ?? DEFAULT_POLICY.maxAttempts,
    reask: parseNumberFlag(flags.reask, '--reask', { min: 0, integer: true }) ?? DEFAULT_POLICY.reask,
  };
}
