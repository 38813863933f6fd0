/**
 * The bare baseline of bench/answer.bench.ts, in a fresh process: the openai SDK asking the model
 * for every instruction at a fixed in-flight bound, storing nothing.
 *
 *   node --import tsx bench/support/answerParts.ts '{"url","dataset","concurrency","model"}'
 *
 * Prints one JSON line: {"requests","ok","failed","seconds"}.
 */
import { readInstructions } from '../../src/index.ts';
import { bareOpenAILoop } from './bareLoop.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; dataset: string; concurrency: number; model: string };
const { instructions } = await readInstructions(args.dataset);
const prompts = instructions.map((i) => i.instruction);
const result = await bareOpenAILoop({ url: args.url, model: args.model, prompts, concurrency: args.concurrency, maxTokens: 4096 });
process.stdout.write(`${JSON.stringify(result)}\n`);
