/**
 * The bare baseline of bench/answer.bench.ts, in a fresh process: the openai SDK asking the model
 * for every instruction at a fixed in-flight bound, storing nothing.
 *
 *   node --import tsx bench/support/answerParts.ts '{"url","dataset","concurrency","model"}'
 *
 * Prints one JSON line: {"requests","ok","failed","seconds"}.
 */
import OpenAI from 'openai';
import { readInstructions } from '../../src/index.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; dataset: string; concurrency: number; model: string };
const { instructions } = await readInstructions(args.dataset);
const client = new OpenAI({ baseURL: args.url, apiKey: 'x', maxRetries: 0 });
let next = 0;
let ok = 0;
let failed = 0;
const t0 = performance.now();
const worker = async () => {
  while (next < instructions.length) {
    const content = instructions[next++]!.instruction;
    try {
      const completion = await client.chat.completions.create({
        model: args.model,
        messages: [{ role: 'user', content }],
        temperature: 0,
        max_tokens: 4096,
      });
      if (typeof completion.choices[0]?.message.content === 'string') ok++;
      else failed++;
    } catch {
      failed++;
    }
  }
};
await Promise.all(Array.from({ length: args.concurrency }, worker));
process.stdout.write(`${JSON.stringify({ requests: instructions.length, ok, failed, seconds: (performance.now() - t0) / 1000 })}\n`);
