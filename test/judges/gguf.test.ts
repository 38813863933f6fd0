/**
 * The GGUF backend on a real llama.cpp engine, with the tiny random-weight model generated at
 * test time (test/support/tinyGguf.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { createGgufJudge, type GgufJudge, type GgufJudgeOptions } from '../../src/judges/gguf/index.ts';
import { parseVerdict } from '../../src/parse/verdict.ts';
import { RUBRIC_1_3, RUBRIC_BINARY, polluxPrompt, polluxPrompts } from '../support/ggufPrompts.ts';
import { tinyGgufPath } from '../support/tinyGguf.ts';
import { rejection } from '../support/judgeErrors.ts';

const model = tinyGgufPath();
const dir = mkdtempSync(join(tmpdir(), 'pollux-gguf-'));
// threads: 1 — on a tiny model, more threads only cost synchronisation.
const base: GgufJudgeOptions = { model, gpu: false, threads: 1, contextSize: 2048, maxTokens: 64 };
const opened: GgufJudge[] = [];
async function open(options: Partial<GgufJudgeOptions> = {}): Promise<GgufJudge> {
  const judge = await createGgufJudge({ ...base, ...options });
  opened.push(judge);
  return judge;
}

let plain: GgufJudge;
let constrained: GgufJudge;
before(async () => {
  plain = await open();
  constrained = await open({ constrain: true, maxTokens: 48 });
});
after(async () => {
  for (const j of opened) await j.close();
});

test('describe() names the backend, the file and the parameters that change the answer', () => {
  const p = constrained.describe();
  assert.equal(p.backend, 'gguf');
  assert.equal(p.endpoint, model);
  assert.equal(p.model, basename(model));
  assert.deepEqual(p.params, { temperature: 0, max_tokens: 48, constrain: true });
});

test('the prompt goes through the chat template from the GGUF as one user message, no system message', () => {
  const { prompt } = polluxPrompt('Ответ');
  assert.equal(plain.renderPrompt(prompt), `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n`);
});

test('an unconstrained reply is the model’s raw text: valid UTF-8, cut at max tokens, parsed as unscored', async () => {
  const { prompt, scale } = polluxPrompt('Весна пришла.');
  const reply = await plain.judge(prompt, { scale });
  assert.ok(reply.text.length > 0);
  assert.ok(!reply.text.includes('\uFFFD'), `invalid UTF-8 in ${JSON.stringify(reply.text)}`);
  assert.equal(reply.finishReason, 'length');
  assert.equal(reply.usage.completion, 64);
  assert.equal(reply.usage.prompt, plain.promptTokenCount(prompt));
  assert.ok((reply.usage.prompt ?? 0) > prompt.length / 2);
  assert.equal(reply.usage.total, (reply.usage.prompt ?? 0) + 64);
  assert.equal(reply.reasoning, null);
  assert.equal(reply.endpoint, model);
  assert.ok(reply.latencyMs > 0);
  const v = parseVerdict({ text: reply.text, finishReason: reply.finishReason, scale });
  assert.equal(v.status, 'unscored');
  assert.equal(v.reason, 'truncated');
});

test('--constrain: every reply on a 0–2 rubric is [FEEDBACK] … [RESULT] 0|1|2 [END], parsed and in scale', async () => {
  for (const { prompt, scale } of polluxPrompts(6)) {
    const reply = await constrained.judge(prompt, { scale });
    assert.match(reply.text, /^\[FEEDBACK\] [\s\S]+ \[RESULT\] (0|1|2) \[END\]$/, reply.text);
    assert.equal(reply.finishReason, 'stop');
    assert.ok((reply.usage.completion ?? Infinity) <= 48);
    const v = parseVerdict({ text: reply.text, finishReason: reply.finishReason, scale });
    assert.equal(v.status, 'scored', `${v.reason}: ${reply.text}`);
    assert.ok([0, 1, 2].includes(v.score as number));
    // The rationale used the budget rather than closing at once.
    assert.ok((v.rationale ?? '').length >= 10, reply.text);
  }
});

test('--constrain enumerates the rubric’s own levels: 0|1 for a binary scale, 1|2|3 for a 1–3 scale', async () => {
  for (const [rubric, levels] of [
    [RUBRIC_BINARY, ['0', '1']],
    [RUBRIC_1_3, ['1', '2', '3']],
  ] as const) {
    for (const { prompt, scale } of polluxPrompts(4, rubric)) {
      const reply = await constrained.judge(prompt, { scale });
      const m = /\[RESULT\] (\S+) \[END\]$/.exec(reply.text);
      assert.ok(m, reply.text);
      assert.ok((levels as readonly string[]).includes(m[1] as string), `${m[1]} not in ${levels.join('|')}`);
    }
  }
});

test('a small budget still ends with a complete closing block', async () => {
  const tight = await open({ constrain: true, maxTokens: 30 });
  const { prompt, scale } = polluxPrompt('Коротко.');
  const reply = await tight.judge(prompt, { scale });
  assert.equal(parseVerdict({ text: reply.text, finishReason: reply.finishReason, scale }).status, 'scored', reply.text);
});

test('temperature 0 is deterministic, and a seed makes sampling deterministic too', async () => {
  const { prompt, scale } = polluxPrompt('Детерминизм.');
  const a = await plain.judge(prompt, { scale });
  await plain.judge(polluxPrompt('Другой запрос между ними.').prompt);
  const b = await plain.judge(prompt, { scale });
  assert.equal(b.text, a.text);

  const s7 = await open({ temperature: 1, seed: 7 });
  const s8 = await open({ temperature: 1, seed: 8 });
  const x = await s7.judge(prompt);
  const y = await s7.judge(prompt);
  const z = await s8.judge(prompt);
  assert.equal(y.text, x.text);
  assert.notEqual(z.text, x.text, 'a different seed should sample differently');
  assert.notEqual(x.text, a.text, 'temperature 1 should not be greedy');
});

test('aborting stops a long generation promptly and frees its sequence for the next call', async () => {
  const { prompt } = polluxPrompt('Долго.');
  // The pace of this machine: 300 tokens, so 3000 take at least ten times as long.
  const short = await open({ maxTokens: 300, contextSize: 4096 });
  const t300 = performance.now();
  assert.equal((await short.judge(prompt)).usage.completion, 300);
  const fullMs = (performance.now() - t300) * 10;

  const long = await open({ maxTokens: 3000, contextSize: 4096 });
  const ac = new AbortController();
  const pending = long.judge(prompt, { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  const err = await rejection(pending);
  const abortedAt = performance.now();
  assert.equal(err.kind, 'transient');
  assert.match(err.message, /aborted/);
  while (long.freeSequences === 0) await new Promise((r) => setTimeout(r, 2));
  const freedMs = performance.now() - abortedAt;
  assert.ok(freedMs < fullMs / 4, `the sequence came back ${freedMs} ms after the abort; the full generation takes ~${fullMs} ms`);

  await rejection(long.judge(prompt, { signal: AbortSignal.abort() }));
  assert.equal(long.freeSequences, 1);
});

test('a call waiting for a sequence leaves the queue when aborted; the running one completes', async () => {
  const one = await open({ concurrency: 1, maxTokens: 400 });
  const running = one.judge(polluxPrompt('Первый.').prompt);
  const ac = new AbortController();
  const queued = one.judge(polluxPrompt('Второй.').prompt, { signal: ac.signal });
  ac.abort();
  const err = await rejection(queued);
  assert.equal(err.kind, 'transient');
  assert.equal((await running).usage.completion, 400);
});

test('4 concurrent calls on 2 sequences all complete, with the same text as one at a time', async () => {
  const two = await open({ concurrency: 2, maxTokens: 32 });
  assert.equal(two.concurrency, 2);
  const prompts = polluxPrompts(4).map((p) => p.prompt);
  const together = await Promise.all(prompts.map((p) => two.judge(p)));
  assert.equal(together.length, 4);
  for (const r of together) {
    assert.equal(r.usage.completion, 32);
    assert.ok(!r.text.includes('\uFFFD'));
  }
  const distinct = new Set(together.map((r) => r.text));
  assert.ok(distinct.size > 1, 'different prompts should give different replies');
  for (const [i, p] of prompts.entries()) assert.equal((await two.judge(p)).text, together[i]?.text);
});

test('a prompt longer than the context is a fatal JudgeError', async () => {
  const small = await open({ contextSize: 512 });
  const { prompt } = polluxPrompt('Очень длинный ответ. '.repeat(40));
  const err = await rejection(small.judge(prompt));
  assert.equal(err.kind, 'fatal');
  assert.match(err.message, /prompt is \d+ tokens and the context holds 512/);
});

test('a missing, corrupt or truncated model file is a fatal JudgeError naming the path', async () => {
  const missing = join(dir, 'missing.gguf');
  const garbage = join(dir, 'garbage.gguf');
  writeFileSync(garbage, Buffer.from('this is not a GGUF file at all, just some text'.repeat(20)));
  const truncated = join(dir, 'truncated.gguf');
  const bytes = readFileSync(model);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  for (const path of [missing, garbage, truncated]) {
    const err = await rejection(createGgufJudge({ ...base, model: path }));
    assert.equal(err.kind, 'fatal');
    assert.ok(err.message.includes(path), err.message);
  }
  const err = await rejection(createGgufJudge({ ...base, model: truncated }));
  assert.match(err.message, /not within the file bounds/, 'llama.cpp’s own reason is kept in the message');
});

test('bad options are usage errors before anything is loaded', async () => {
  await assert.rejects(createGgufJudge({ ...base, concurrency: 0 }), /--concurrency must be a positive integer/);
  await assert.rejects(createGgufJudge({ ...base, temperature: -1 }), /--temperature/);
});

test('a closed judge refuses new calls', async () => {
  const j = await createGgufJudge(base);
  await j.close();
  const err = await rejection(j.judge('x'));
  assert.equal(err.kind, 'fatal');
});
