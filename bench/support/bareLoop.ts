/**
 * The baselines the run and answer benchmarks measure pollux against, sending the same prompts at a
 * fixed in-flight bound, with the body pollux sends, storing nothing: the openai SDK (what a user
 * would write), and undici's request API (the leanest client Node has; what pollux itself uses).
 */
import OpenAI from 'openai';
import { Agent, request } from 'undici';

export interface BareLoopResult {
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
}

export async function bareOpenAILoop(args: { url: string; model: string; prompts: readonly string[]; concurrency: number; maxTokens: number }): Promise<BareLoopResult> {
  const client = new OpenAI({ baseURL: args.url, apiKey: 'x', maxRetries: 0 });
  const prompts = args.prompts;
  let next = 0;
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < prompts.length) {
      const content = prompts[next++] as string;
      try {
        const completion = await client.chat.completions.create({
          model: args.model,
          messages: [{ role: 'user', content }],
          temperature: 0,
          max_tokens: args.maxTokens,
        });
        if (typeof completion.choices[0]?.message.content === 'string') ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  return { requests: prompts.length, ok, failed, seconds: (performance.now() - t0) / 1000 };
}

export async function bareUndiciLoop(args: { url: string; model: string; prompts: readonly string[]; concurrency: number; maxTokens: number }): Promise<BareLoopResult> {
  const dispatcher = new Agent({ connections: args.concurrency });
  const url = `${args.url.replace(/\/+$/, '')}/chat/completions`;
  const headers = { 'content-type': 'application/json', authorization: 'Bearer x' };
  const prompts = args.prompts;
  let next = 0;
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < prompts.length) {
      const content = prompts[next++] as string;
      try {
        const body = JSON.stringify({ model: args.model, messages: [{ role: 'user', content }], temperature: 0, max_tokens: args.maxTokens });
        const res = await request(url, { method: 'POST', headers, body, dispatcher });
        const completion = (await res.body.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
        if (res.statusCode === 200 && typeof completion.choices?.[0]?.message?.content === 'string') ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  await dispatcher.close();
  return { requests: prompts.length, ok, failed, seconds: (performance.now() - t0) / 1000 };
}
