import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../support/loopback.ts';
import { after, before, test } from 'node:test';
import { OpenAIChatJudge } from '../../src/judges/openaiChat.ts';
import { parseRetryAfter } from '../../src/judges/errorClassification.ts';
import { startFakeJudgeServer, verdict, type FakeAction, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';
import { rejection } from '../support/judgeErrors.ts';

let server: FakeJudgeServer;
let script: Array<FakeAction> = [];

before(async () => {
  server = await startFakeJudgeServer({ reply: () => script.shift() ?? verdict(2) });
});
after(() => server.close());

async function judge(options: Partial<Parameters<typeof OpenAIChatJudge.create>[0]> = {}) {
  return OpenAIChatJudge.create({ baseUrl: server.url, ...options });
}

test('one user message, no system message, POLLUX defaults and extra body fields', async () => {
  const j = await judge({ extraBody: { seed: 1, top_k: 1 }, apiKey: 'sk-secret-123' });
  const reply = await j.judge('ПРОМПТ');
  assert.equal(reply.text, '[FEEDBACK] Ответ корректен. [RESULT] 2 [END]');
  assert.equal(reply.finishReason, 'stop');
  const body = server.requests.at(-1)?.body as Record<string, unknown>;
  assert.deepEqual(body.messages, [{ role: 'user', content: 'ПРОМПТ' }]);
  assert.equal(body.temperature, 0);
  assert.equal(body.max_tokens, 1024);
  assert.equal(body.seed, 1);
  assert.equal(body.top_k, 1);
  assert.equal(body.model, 'ai-forever/pollux-judge-7b');
  assert.equal(server.headers.at(-1)?.authorization, 'Bearer sk-secret-123');
  assert.ok(!JSON.stringify(j.describe()).includes('sk-secret'));
  assert.equal(j.describe().model, 'ai-forever/pollux-judge-7b');
  assert.ok(reply.usage.prompt !== null && reply.latencyMs >= 0);
});

test('the API key comes from POLLUX_API_KEY', async () => {
  process.env.POLLUX_API_KEY = 'from-env-key';
  try {
    const j = await judge();
    await j.judge('x');
    assert.equal(server.headers.at(-1)?.authorization, 'Bearer from-env-key');
  } finally {
    delete process.env.POLLUX_API_KEY;
  }
});

test('model discovery: several models is an error that lists them', async () => {
  const multi = await startFakeJudgeServer({ models: ['a', 'b'] });
  try {
    await assert.rejects(OpenAIChatJudge.create({ baseUrl: multi.url }), /serves 2 models \(a, b\); choose one with --model/);
    const explicit = await OpenAIChatJudge.create({ baseUrl: multi.url, model: 'b' });
    assert.equal(explicit.describe().model, 'b');
  } finally {
    await multi.close();
  }
});

test('429 with Retry-After is rate_limited with the delay', async () => {
  script = [{ kind: 'status', status: 429, headers: { 'retry-after': '2' } }];
  const e = await rejection((await judge()).judge('x'));
  assert.equal(e.kind, 'rate_limited');
  assert.equal(e.retryAfterMs, 2000);
  assert.equal(e.status, 429);
});

test('503 with Retry-After is rate_limited; 500 transient; 400 and 404 fatal', async () => {
  const j = await judge();
  script = [{ kind: 'status', status: 503, headers: { 'retry-after': '1' } }];
  assert.equal((await rejection(j.judge('x'))).kind, 'rate_limited');
  script = [{ kind: 'status', status: 500 }];
  assert.equal((await rejection(j.judge('x'))).kind, 'transient');
  script = [{ kind: 'status', status: 400, body: JSON.stringify({ error: { message: 'prompt is too long' } }) }];
  const bad = await rejection(j.judge('x'));
  assert.equal(bad.kind, 'fatal');
  assert.match(bad.message, /HTTP 400.*prompt is too long/);
  assert.ok(bad.message.startsWith(server.url));
  script = [{ kind: 'status', status: 404 }];
  assert.equal((await rejection(j.judge('x'))).kind, 'fatal');
});

test('a hang past the timeout is a transient timeout, in about the timeout', async () => {
  script = [{ kind: 'hang' }];
  const j = await judge({ timeoutMs: 300 });
  const t0 = Date.now();
  const e = await rejection(j.judge('x'));
  const took = Date.now() - t0;
  assert.equal(e.kind, 'transient');
  assert.match(e.message, /timeout/);
  assert.ok(took >= 250 && took < 5000, `took ${took} ms`);
});

test('a malformed body and a reset connection are transient', async () => {
  const j = await judge();
  script = [{ kind: 'malformed', body: '{"choices": [' }];
  const m = await rejection(j.judge('x'));
  assert.equal(m.kind, 'transient');
  script = [{ kind: 'malformed', body: '{"object": "chat.completion"}' }];
  assert.match((await rejection(j.judge('x'))).message, /malformed reply/);
  script = [{ kind: 'reset' }];
  assert.equal((await rejection(j.judge('x'))).kind, 'transient');
});

test('finish_reason length and reasoning_content are passed on', async () => {
  const j = await judge();
  script = [{ kind: 'verdict', text: '[FEEDBACK] обрыв', finishReason: 'length', reasoning: 'мысли' }];
  const r = await j.judge('x');
  assert.equal(r.finishReason, 'length');
  assert.equal(r.reasoning, 'мысли');
});

test('an unreachable server is found before any request, transient, and named', async () => {
  const closed = await listenOnLoopback(createServer());
  await closed.close();
  const e = await rejection(OpenAIChatJudge.create({ baseUrl: closed.url, model: 'm', timeoutMs: 2000 }));
  assert.equal(e.kind, 'transient');
  assert.ok(e.message.startsWith(`nothing listens at ${closed.url} (connection refused`), e.message);
});

test('parseRetryAfter: seconds, milliseconds header, HTTP date, garbage', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  assert.equal(parseRetryAfter(h({ 'retry-after': '3' })), 3000);
  assert.equal(parseRetryAfter(h({ 'retry-after-ms': '250', 'retry-after': '3' })), 250);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' })), null);
  assert.equal(parseRetryAfter(h({})), null);
});
