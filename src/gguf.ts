/**
 * In-process GGUF judges (`pollux-eval/gguf`): a judge model run by llama.cpp inside this process,
 * from a `.gguf` file or an `hf:user/repo:quant` URI. Needs node-llama-cpp, an optional peer
 * dependency: `npm i node-llama-cpp@3.21.1`. It is loaded when the first judge is created.
 *
 * ```ts
 * import { createGgufJudge } from 'pollux-eval/gguf';
 * import { openRun } from 'pollux-eval';
 * const judge = await createGgufJudge({ model: 'hf:user/repo:Q4_K_M' });
 * const run = await openRun({ dataset: 'answers.jsonl', judge: { backends: [judge] } });
 * ```
 */
export { createGgufJudge, defaultThreads, GGUF_DEFAULTS, GgufJudge, type GgufJudgeOptions } from './judges/gguf/index.ts';
export type { GpuChoice } from './judges/gguf/runtime.ts';
