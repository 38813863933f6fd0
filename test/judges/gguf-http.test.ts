/** The OpenAI-compatible test server backed by the tiny GGUF model, and the HTTP judge against it. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createGgufJudge } from '../../src/judges/gguf/index.ts';
import { OpenAIChatJudge } from '../../src/judges/openaiChat.ts';
import { parseVerdict } from '../../src/parse/verdict.ts';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { polluxPrompt } from '../support/ggufPrompts.ts';
import { startLlamaHttpServer, type LlamaHttpServer } from '../support/llamaHttpServer.ts';
import { tinyGgufPath } from '../support/tinyGguf.ts';

let server: LlamaHttpServer;
before(async () => {
  server = await startLlamaHttpServer({ concurrency: 2 });
});
after(() => server.close());

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface Completion {
  model: string;
  choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

test('GET /v1/models lists the served model', async () => {
  const res = await fetch(`${server.url}/models`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: Array<{ id: string }> };
  assert.deepEqual(
    body.data.map((m) => m.id),
    ['pollux-tiny-random'],
  );
});

test('POST /v1/chat/completions answers with the model’s own text, as the GGUF backend would', async () => {
  const { prompt } = polluxPrompt('Весна пришла.');
  const { status, json } = await post({ model: 'pollux-tiny-random', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 40 });
  assert.equal(status, 200, JSON.stringify(json));
  const c = json as unknown as Completion;
  assert.equal(c.model, 'pollux-tiny-random');
  assert.equal(c.choices[0]?.message.role, 'assistant');
  assert.equal(c.choices[0]?.finish_reason, 'length');
  assert.equal(c.usage.completion_tokens, 40);
  assert.equal(c.usage.total_tokens, c.usage.prompt_tokens + 40);

  const direct = await createGgufJudge({ model: tinyGgufPath(), gpu: false, threads: 1, contextSize: 2048, maxTokens: 40 });
  try {
    const reply = await direct.judge(prompt);
    assert.equal(c.choices[0]?.message.content, reply.text);
    assert.equal(c.usage.prompt_tokens, reply.usage.prompt);
  } finally {
    await direct.close();
  }
});

test('the HTTP judge end to end: unconstrained garbage is unscored, grammar-constrained replies are scored', async () => {
  const { prompt, scale } = polluxPrompt('Снег тает.');
  const judge = await OpenAIChatJudge.create({ baseUrl: server.url, maxTokens: 48 });
  assert.equal(judge.describe().model, 'pollux-tiny-random');
  const raw = await judge.judge(prompt, { scale });
  assert.equal(parseVerdict({ text: raw.text, finishReason: raw.finishReason, scale }).reason, 'truncated');

  const constrained = await OpenAIChatJudge.create({
    baseUrl: server.url,
    maxTokens: 48,
    extraBody: { pollux_constrain: true, pollux_levels: scale.levels.map((l) => l.value) },
  });
  const replies = await Promise.all([prompt, polluxPrompt('Другой ответ.').prompt].map((p) => constrained.judge(p, { scale })));
  for (const r of replies) {
    const v = parseVerdict({ text: r.text, finishReason: r.finishReason, scale });
    assert.equal(v.status, 'scored', r.text);
    assert.ok([0, 1, 2].includes(v.score as number));
  }
  assert.equal(server.requests.at(-1)?.pollux_constrain, true);
});

test('requests the server cannot serve get 400 with a message, like vLLM', async () => {
  const two = await post({ messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'y' }] });
  assert.equal(two.status, 400);
  assert.match(JSON.stringify(two.json), /exactly one message/);
  const long = await post({ messages: [{ role: 'user', content: 'слово '.repeat(2000) }], max_tokens: 8 });
  assert.equal(long.status, 400);
  assert.match(JSON.stringify(long.json), /context holds/);
  const missing = await fetch(`${server.url}/completions`, { method: 'POST', body: '{}' });
  assert.equal(missing.status, 404);
});

test('pollux run over HTTP against the tiny model: every request judged, none lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-llama-http-'));
  const dataset = join(dir, 'd.jsonl');
  const total = writeGenericDataset(dataset, 3, 2);
  const r = await runCli(['run', dataset, '--judge', server.url, '--max-tokens', '32', '--concurrency', '2', '--out', join(dir, 'r.sqlite'), '--json', '--quiet']);
  // The judge answered, but nothing was scored: exit 1.
  assert.equal(r.code, 1, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.counts.total, total);
  assert.equal(s.counts.pending, 0);
  // Random weights write no verdict within 32 tokens: unscored, with the reason and the raw text kept.
  assert.equal(s.counts.unscored, total);
  assert.deepEqual(Object.keys(s.counts.byReason), ['truncated']);
});
