/**
 * In-process GGUF judges (`--judge gguf:PATH`, `--judge hf:user/repo:quant`). Importing this
 * module is cheap: node-llama-cpp is loaded by createGgufJudge, on first use.
 */
import { JudgeError, UsageError, errorMessage } from '../../core/errors.ts';
import { chatPromptFor } from './chatPrompt.ts';
import { GgufJudge } from './ggufJudge.ts';
import { loadModel, loadNodeLlamaCpp, resolveModelPath, sharedLlama, type GpuChoice } from './runtime.ts';

export { GgufJudge } from './ggufJudge.ts';
export { closingGrammar, closingReserve, openReplyGrammar } from './replyGrammar.ts';

export interface GgufJudgeOptions {
  /** A .gguf file path, or an `hf:user/repo:quant` URI (downloaded once; needs internet). */
  model: string;
  /** Default 0 (greedy), as for HTTP judges. */
  temperature?: number;
  /** Default 1024, as for HTTP judges. */
  maxTokens?: number;
  /** Sampling seed; only matters with temperature > 0. */
  seed?: number;
  /** Parallel sequences in one context (one request each); more requests wait. Default 1. */
  concurrency?: number;
  /** Force `[FEEDBACK] … [RESULT] <level> [END]` with a grammar over the criterion's levels. */
  constrain?: boolean;
  /** Tokens per sequence (prompt + reply). Default: as large as memory allows, at most 8192. */
  contextSize?: number;
  /** CPU threads for evaluation. Default: 1 for a model under 64 MiB, else the CPU's math cores. */
  threads?: number;
  /** Default 'auto': a GPU (Metal, CUDA, Vulkan) when its prebuilt binary loads, else the CPU. */
  gpu?: GpuChoice;
  /** Cancels a download or a slow load. */
  signal?: AbortSignal;
  /** Token for gated Hugging Face repos (default: the process's HF_TOKEN). */
  hfToken?: string;
  /** Download progress lines (default: the process's stderr). */
  onLog?: (line: string) => void;
}

export const GGUF_DEFAULTS = { temperature: 0, maxTokens: 1024, concurrency: 1, maxContextSize: 8192 } as const;

/**
 * A tiny model's decoding step is microseconds of arithmetic, so splitting it over threads costs
 * more in synchronisation than it saves (on 2 cores, one thread is ~30× faster than
 * node-llama-cpp's default of at least 4). Real judges (GBs) use every math core.
 */
export function defaultThreads(modelBytes: number, cpuMathCores: number): number {
  return modelBytes < 64 * 1024 * 1024 ? 1 : Math.max(1, cpuMathCores);
}

function checkOptions(o: GgufJudgeOptions): void {
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`${name} must be a positive integer, got ${v}`);
  };
  if (typeof o.model !== 'string' || o.model.trim() === '') throw new UsageError('gguf judge: expected a model path or hf: URI');
  positiveInt('--concurrency', o.concurrency);
  positiveInt('--max-tokens', o.maxTokens);
  positiveInt('contextSize', o.contextSize);
  positiveInt('threads', o.threads);
  if (o.temperature !== undefined && !(Number.isFinite(o.temperature) && o.temperature >= 0)) {
    throw new UsageError(`--temperature must be a number ≥ 0, got ${o.temperature}`);
  }
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0)) throw new UsageError(`--seed must be an integer ≥ 0, got ${o.seed}`);
}

export async function createGgufJudge(options: GgufJudgeOptions): Promise<GgufJudge> {
  checkOptions(options);
  const gpu = options.gpu ?? 'auto';
  const concurrency = options.concurrency ?? GGUF_DEFAULTS.concurrency;
  const nlc = await loadNodeLlamaCpp();
  const path = await resolveModelPath(nlc, options.model, { signal: options.signal, hfToken: options.hfToken, onLog: options.onLog });
  const llama = await sharedLlama(nlc, gpu);
  const model = await loadModel(llama, path, gpu);
  try {
    const chat = chatPromptFor(nlc, model, path);
    let context;
    try {
      context = await model.createContext({
        sequences: concurrency,
        contextSize: options.contextSize ?? { max: Math.min(GGUF_DEFAULTS.maxContextSize, model.trainContextSize) },
        threads: options.threads ?? defaultThreads(model.size, llama.cpuMathCores),
        ...(options.signal ? { createSignal: options.signal } : {}),
      });
    } catch (err) {
      throw new JudgeError(
        `cannot create a context for ${path} (${concurrency} sequence(s)${options.contextSize ? ` of ${options.contextSize} tokens` : ''}): ${errorMessage(err)}; ` +
          'try a smaller --concurrency or context size',
        'fatal',
        { endpoint: path, cause: err },
      );
    }
    const sequences = Array.from({ length: concurrency }, () => context.getSequence());
    return new GgufJudge(
      {
        model: options.model,
        path,
        temperature: options.temperature ?? GGUF_DEFAULTS.temperature,
        maxTokens: options.maxTokens ?? GGUF_DEFAULTS.maxTokens,
        seed: options.seed,
        constrain: options.constrain ?? false,
      },
      { nlc, llama, model, context, chat },
      sequences,
    );
  } catch (err) {
    await model.dispose();
    throw err;
  }
}
