import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JudgeError } from '../../src/core/errors.ts';
import { scaleFromRubricText } from '../../src/core/scale.ts';
import type { JudgeBackend, JudgeReply } from '../../src/core/types.ts';
import { AdaptiveLimit } from '../../src/engine/adaptiveConcurrency.ts';
import { EndpointPool } from '../../src/engine/endpointPool.ts';
import { executeRequest } from '../../src/engine/execute.ts';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-routing-'));
const scale = scaleFromRubricText('0: нет\n\n1: частично\n\n2: да');

/** A backend that answers from a script: a real JudgeBackend, not a stand-in for one of ours. */
function scripted(name: string, answer: (n: number) => JudgeReply | JudgeError): JudgeBackend & { calls: number } {
  const b = {
    calls: 0,
    describe: () => ({ backend: 'scripted', endpoint: name, model: 'm', params: {} }),
    judge: async () => {
      b.calls++;
      const r = answer(b.calls);
      if (r instanceof JudgeError) throw r;
      return r;
    },
  };
  return b;
}
const reply = (text: string): JudgeReply => ({ text, reasoning: null, finishReason: 'stop', usage: { prompt: 1, completion: 1, total: 2 }, latencyMs: 1, endpoint: null });

test('one outage benches an endpoint once: failures of requests already in flight do not double the pause', () => {
  let now = 1_000;
  const ok = scripted('ok', () => reply('x'));
  const bad = scripted('bad', () => reply('x'));
  const pool = new EndpointPool([ok, bad], { benchAfter: 3, benchBaseMs: 5_000, now: () => now });
  const badState = pool.endpoints[1]!;
  const starts = Array.from({ length: 12 }, () => pool.begin(badState, 'p'));
  now += 10;
  for (const s of starts) pool.fail(badState, new JudgeError('down', 'transient'), s);
  assert.equal(badState.benchCount, 1);
  assert.equal(badState.benchedUntil, now + 5_000);
  // After the pause, a failed probe benches it again for twice as long.
  now += 5_001;
  const probe = pool.begin(badState, 'p');
  now += 1;
  pool.fail(badState, new JudgeError('down', 'transient'), probe);
  assert.equal(badState.benchCount, 2);
  assert.equal(badState.benchedUntil, now + 10_000);
});

test('a request\'s own fault (400) does not count against the endpoint', () => {
  const pool = new EndpointPool([scripted('a', () => reply('x')), scripted('b', () => reply('x'))], { benchAfter: 2 });
  const a = pool.endpoints[0]!;
  for (let i = 0; i < 5; i++) pool.fail(a, new JudgeError('too long', 'fatal', { status: 400 }), pool.begin(a, 'p'));
  assert.equal(a.benchCount, 0);
});

test('a replica answering 404 is routed around: the request succeeds on the other', async () => {
  const good = scripted('good', () => reply('[FEEDBACK] ok [RESULT] 2 [END]'));
  const wrong = scripted('wrong', () => new JudgeError('wrong: HTTP 404: model does not exist', 'fatal', { status: 404 }));
  const pool = new EndpointPool([wrong, good]);
  const j = await executeRequest('prompt', scale, 'h', { pool });
  assert.equal(j.status, 'scored');
  assert.equal(j.attempts, 2);
  // With a single endpoint the same 404 is final at once.
  const alone = await executeRequest('prompt', scale, 'h', { pool: new EndpointPool([scripted('w', () => new JudgeError('404', 'fatal', { status: 404 }))]) });
  assert.deepEqual([alone.status, alone.attempts], ['error', 1]);
});

test('an unscored reply is kept when the re-ask ends in errors', async () => {
  const b = scripted('flaky', (n) => (n === 1 ? reply('нет вердикта') : new JudgeError('HTTP 500', 'transient', { status: 500 })));
  const j = await executeRequest('prompt', scale, 'h', { pool: new EndpointPool([b]), policy: { maxAttempts: 2, reask: 1, backoff: { baseMs: 1, capMs: 2 } } });
  assert.deepEqual([j.status, j.reason, j.raw, j.attempts], ['unscored', 'no_result_block', 'нет вердикта', 3]);
});

test('503 without Retry-After and timeouts lower an adaptive limit', async () => {
  const limit = new AdaptiveLimit({ initial: 16, max: 64, cooldownMs: 0 });
  const b = scripted('busy', (n) => (n === 1 ? new JudgeError('HTTP 503', 'transient', { status: 503 }) : n === 2 ? new JudgeError('t', 'transient', { timeout: true }) : reply('[RESULT] 1 [END]')));
  const j = await executeRequest('prompt', scale, 'h', { pool: new EndpointPool([b]), limit, policy: { maxAttempts: 4, reask: 0, backoff: { baseMs: 1, capMs: 2 } } });
  assert.equal(j.status, 'scored');
  assert.equal(limit.decreases, 2);
  assert.equal(limit.limit, 4);
});

test('pollux run: a 404 replica beside a healthy one — every request scored, the bad one benched', async () => {
  const healthy = await startFakeJudgeServer({ models: ['judge'], reply: () => ({ ...verdict(1), delayMs: 30 }) });
  const wrong = await startFakeJudgeServer({ models: ['judge'], reply: () => ({ kind: 'status', status: 404, body: JSON.stringify({ error: { message: 'model does not exist' } }) }) });
  try {
    const dataset = join(dir, 'd404.jsonl');
    const total = writeGenericDataset(dataset, 30, 2);
    const r = await runCli(['run', dataset, '--judge', `${healthy.url},${wrong.url}`, '--out', join(dir, 'd404.sqlite'), '--concurrency', '4', '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.counts.scored, total, JSON.stringify(s.counts));
    const bad = s.endpoints.find((e: { name: string }) => e.name === wrong.url);
    assert.ok(bad.sent < 20, `the 404 replica got ${bad.sent} requests`);
  } finally {
    await healthy.close();
    await wrong.close();
  }
});

test('pollux run exits 3 when every judgment failed', async () => {
  const dead = await startFakeJudgeServer({ reply: () => ({ kind: 'status', status: 404 }) });
  try {
    const dataset = join(dir, 'dead.jsonl');
    writeGenericDataset(dataset, 3, 2);
    const r = await runCli(['run', dataset, '--judge', dead.url, '--out', join(dir, 'dead.sqlite'), '--quiet']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /errors 6/);
  } finally {
    await dead.close();
  }
});

test('batch export writes each custom_id once when rows share a prompt', async () => {
  const dataset = join(dir, 'dup.jsonl');
  const row = (model: string) => JSON.stringify({ instruction: 'И', answer: 'тот же ответ', model_id: model, criteria: [{ name: 'К', rubric: '0: a\n1: b' }] });
  writeFileSync(dataset, `${row('m1')}\n${row('m2')}\n`);
  const out = join(dir, 'dup-requests.jsonl');
  const r = await runCli(['batch', 'export', dataset, '-o', out, '--out', join(dir, 'dup.sqlite'), '--model', 'judge']);
  assert.equal(r.code, 0, r.stderr);
  const ids = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).custom_id);
  assert.equal(ids.length, 1);
});
