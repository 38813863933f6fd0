/**
 * Loading node-llama-cpp and a GGUF model. node-llama-cpp is imported here and only here, on first
 * use, so users of HTTP judges never load it. Every failure on this path is fatal: retrying a
 * missing file, a corrupt model or a missing binary cannot help.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { JudgeError, errorMessage } from '../../core/errors.ts';
import type { Llama, LlamaModel } from 'node-llama-cpp';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let moduleLoad: Promise<NodeLlamaCpp> | null = null;

export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  moduleLoad ??= import('node-llama-cpp').catch((err: unknown) => {
    moduleLoad = null;
    // An optional peer dependency: users of HTTP judges never install its ≈700 MB of binaries.
    if ((err as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' && /node-llama-cpp/.test(errorMessage(err))) {
      throw new JudgeError('gguf: and hf: judges run the model in process with node-llama-cpp, which is not installed; install it with: npm i node-llama-cpp@3.21.1', 'fatal', { cause: err });
    }
    throw new JudgeError(`cannot load node-llama-cpp (needed for gguf: judges): ${errorMessage(err)}`, 'fatal', { cause: err });
  });
  return moduleLoad;
}

export type GpuChoice = boolean | 'auto';

const llamas = new Map<string, Promise<Llama>>();

/**
 * llama.cpp's recent error lines. They are not printed: the one that explains a failure (say,
 * "tensor … data is not within the file bounds") is added to the JudgeError's message instead.
 */
const recentErrors: string[] = [];
function noteLlamaError(message: string): void {
  const line = message.trim();
  if (!line) return;
  recentErrors.push(line);
  if (recentErrors.length > 20) recentErrors.shift();
}
function takeLlamaErrors(): string {
  const lines = recentErrors.splice(0);
  return lines.length ? ` (llama.cpp: ${lines.join('; ')})` : '';
}

/**
 * One llama.cpp binding per process and GPU choice. `build: 'never'` and `skipDownload` make
 * node-llama-cpp use the prebuilt binary shipped in its npm packages and never reach the network
 * or a compiler; `gpu: 'auto'` falls back to the CPU binary when no GPU binary loads.
 */
export function sharedLlama(nlc: NodeLlamaCpp, gpu: GpuChoice): Promise<Llama> {
  const key = String(gpu);
  let llama = llamas.get(key);
  if (!llama) {
    llama = nlc
      .getLlama({
        gpu: gpu === false ? false : 'auto',
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: nlc.LlamaLogLevel.error,
        logger: (level, message) => {
          if (level === nlc.LlamaLogLevel.error || level === nlc.LlamaLogLevel.fatal) noteLlamaError(message);
        },
      })
      .catch((err: unknown) => {
        llamas.delete(key);
        throw new JudgeError(
          `cannot start llama.cpp from node-llama-cpp's prebuilt binaries (gpu: ${key}): ${errorMessage(err)}`,
          'fatal',
          { cause: err },
        );
      });
    llamas.set(key, llama);
  }
  return llama;
}

export function isHuggingFaceUri(model: string): boolean {
  return /^hf:/i.test(model);
}

/**
 * A local path as given (must exist), or an `hf:user/repo:quant` / `hf:user/repo/file.gguf` URI,
 * which node-llama-cpp downloads once into ~/.node-llama-cpp/models (HF_TOKEN for gated repos).
 */
export async function resolveModelPath(
  nlc: NodeLlamaCpp,
  model: string,
  { signal, hfToken = process.env.HF_TOKEN, onLog = (line: string) => void process.stderr.write(`${line}\n`) }: { signal?: AbortSignal | undefined; hfToken?: string | undefined; onLog?: ((line: string) => void) | undefined } = {},
): Promise<string> {
  if (isHuggingFaceUri(model)) {
    let lastShown = -1;
    try {
      return await nlc.resolveModelFile(model, {
        cli: false,
        ...(hfToken ? { tokens: { huggingFace: hfToken } } : {}),
        ...(signal ? { signal } : {}),
        onProgress: ({ totalSize, downloadedSize }) => {
          const pct = totalSize > 0 ? Math.floor((downloadedSize / totalSize) * 20) * 5 : 0;
          if (pct !== lastShown) {
            lastShown = pct;
            onLog(`downloading ${model}: ${pct}%`);
          }
        },
      });
    } catch (err) {
      throw new JudgeError(`cannot resolve or download the model ${model}: ${errorMessage(err)}`, 'fatal', { cause: err });
    }
  }
  const path = resolve(model);
  if (!existsSync(path)) throw new JudgeError(`GGUF model file not found: ${path}`, 'fatal', { endpoint: path });
  if (!statSync(path).isFile()) throw new JudgeError(`GGUF model path is not a file: ${path}`, 'fatal', { endpoint: path });
  return path;
}

export async function loadModel(llama: Llama, path: string, gpu: GpuChoice): Promise<LlamaModel> {
  takeLlamaErrors();
  try {
    return await llama.loadModel({ modelPath: path, ...(gpu === false ? { gpuLayers: 0 } : {}) });
  } catch (err) {
    // llama.cpp's log lines cross from its thread asynchronously and may land after the rejection:
    // give the explaining line a moment (failure path only).
    for (let i = 0; i < 40 && recentErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 10));
    const detail = `${errorMessage(err)}${takeLlamaErrors()}`;
    throw new JudgeError(`cannot load the GGUF model ${path} (corrupt, truncated or not a GGUF file?): ${detail}`, 'fatal', {
      endpoint: path,
      cause: err,
    });
  }
}
