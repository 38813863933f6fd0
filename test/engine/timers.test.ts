import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { JudgeError } from '../../src/core/errors.ts';
import { scaleFromRubricText } from '../../src/core/scale.ts';
import type { JudgeBackend, JudgeReply, Judgment } from '../../src/core/types.ts';
import { AdaptiveLimit } from '../../src/engine/adaptiveConcurrency.ts';
import { backoffDelay } from '../../src/engine/backoff.ts';
import { EndpointPool } from '../../src/engine/endpointPool.ts';
import { DEFAULT_POLICY, executeRequest, type ExecutionPolicy, type RetryEvent } from '../../src/engine/execute.ts';
import { parseRetryAfter } from '../../src/judges/errorClassification.ts';

// The engine's waits (backoff, Retry-After, benches, the AIMD cooldown) on a virtual clock: each test
// moves time by hand and checks what was called when, without sleeping for real.

const scale = scaleFromRubricText('0: нет\n\n1: да');
const reply: JudgeReply = { text: '[FEEDBACK] ок [RESULT] 1 [END]', reasoning: null, finishReason: 'stop', usage: { prompt: 1, completion: 1, total: 2 }, latencyMs: 1, endpoint: null };

/** A real JudgeBackend whose answers are scripted by call number and virtual time; it records when it was called. */
function scripted(name: string, answer: (call: number, now: number) => JudgeReply | JudgeError): JudgeBackend & { at: number[] } {
  const at: number[] = [];
  return {
    at,
    describe: () => ({ backend: 'scripted', endpoint: name, model: 'm', params: {} }),
    judge: async () => {
      at.push(Date.now());
      const r = answer(at.length, Date.now());
      if (r instanceof JudgeError) throw r;
      return r;
    },
  };
}

/** Lets the promise chains the fired timers started run to their next wait (setImmediate is real). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Moves the virtual clock by `ms`, letting the engine react after the timers fire. */
async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle();
}

const maxJitter: ExecutionPolicy = { ...DEFAULT_POLICY, maxAttempts: 10, backoff: { baseMs: 500, capMs: 4_000, random: () => 1 } };

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

test('backoff: exponential pauses between attempts, capped, and nothing is sent during a pause', async () => {
  const b = scripted('a', (n) => (n <= 4 ? new JudgeError('HTTP 500', 'transient', { status: 500 }) : reply));
  const retries: RetryEvent[] = [];
  let result: Judgment | undefined;
  void executeRequest('p', scale, 'h', { pool: new EndpointPool([b]), policy: maxJitter, onRetry: (e) => retries.push(e) }).then((j) => (result = j));
  await settle();
  assert.deepEqual(b.at, [0]);
  // With the jitter at its top, pauses are base·2^(n-1), capped: 500, 1000, 2000, 4000 ms.
  await advance(499);
  assert.deepEqual(b.at, [0], 'no call before the pause ends');
  await advance(1);
  assert.deepEqual(b.at, [0, 500]);
  await advance(1_000);
  await advance(2_000);
  assert.deepEqual(b.at, [0, 500, 1_500, 3_500]);
  await advance(3_999);
  assert.equal(result as unknown, undefined);
  await advance(1);
  assert.deepEqual(b.at, [0, 500, 1_500, 3_500, 7_500]);
  assert.equal(result?.status, 'scored');
  assert.equal(result?.attempts, 5);
  assert.deepEqual(retries.map((r) => r.delayMs), [500, 1_000, 2_000, 4_000]);
});

test('backoff: full jitter keeps every pause between half and all of the exponential step', () => {
  for (const r of [0, 0.25, 0.999]) {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const step = Math.min(30_000, 500 * 2 ** (attempt - 1));
      const d = backoffDelay(attempt, { baseMs: 500, capMs: 30_000, random: () => r });
      assert.ok(d >= step / 2 && d <= step, `attempt ${attempt}, random ${r}: ${d}`);
    }
  }
});

test('Retry-After: the server’s longer wait wins over the backoff; a shorter one gives way to a quarter of it', async () => {
  const b = scripted('a', (n) => (n === 1 ? new JudgeError('HTTP 429', 'rate_limited', { status: 429, retryAfterMs: 7_000 }) : reply));
  let result: Judgment | undefined;
  void executeRequest('p', scale, 'h', { pool: new EndpointPool([b]), policy: maxJitter }).then((j) => (result = j));
  await settle();
  await advance(6_999);
  assert.deepEqual(b.at, [0], 'still waiting for the server’s Retry-After');
  await advance(1);
  assert.deepEqual(b.at, [0, 7_000]);
  assert.equal(result?.status, 'scored');
  // A Retry-After of 10 ms against a 500 ms backoff step: the wait is max(10, 500/4).
  assert.equal(backoffDelay(1, { baseMs: 500, capMs: 30_000, random: () => 1 }, 10), 125);
});

test('Retry-After as seconds, as an HTTP date against the clock, and as retry-after-ms', () => {
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] ?? null });
  mock.timers.setTime(Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(parseRetryAfter(headers({ 'retry-after': '3' })), 3_000);
  assert.equal(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' })), 5_000);
  assert.equal(parseRetryAfter(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' })), 0, 'a date in the past: no wait');
  assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
  assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' })), null);
});

test('benching: a failing replica is benched, traffic goes to the other, and it is probed once the pause ends', async () => {
  const down = new JudgeError('connection refused', 'transient');
  const bad = scripted('bad', () => down);
  const good = scripted('good', () => reply);
  const pool = new EndpointPool([bad, good], { benchAfter: 2, benchBaseMs: 5_000 });
  const policy: ExecutionPolicy = { ...maxJitter, backoff: { baseMs: 100, capMs: 100, random: () => 1 } };
  const judgeOne = async () => {
    const p = executeRequest('p', scale, 'h', { pool, policy });
    await settle();
    await advance(100);
    return p;
  };
  assert.equal((await judgeOne()).status, 'scored');
  assert.equal((await judgeOne()).status, 'scored');
  assert.equal(bad.at.length, 2);
  const benchedAt = Date.now() - 100;
  assert.equal(pool.endpoints[0]!.benchedUntil, benchedAt + 5_000);
  for (let i = 0; i < 3; i++) assert.equal((await judgeOne()).status, 'scored');
  assert.equal(bad.at.length, 2, 'a benched replica gets no requests');
  await advance(5_000);
  assert.equal((await judgeOne()).status, 'scored');
  assert.equal(bad.at.length, 3, 'probed once after the pause');
  assert.equal(pool.endpoints[0]!.benchCount, 2, 'the failed probe benches it again');
  assert.equal(pool.endpoints[0]!.benchedUntil - (bad.at[2] ?? 0), 10_000, 'for twice as long');
});

test('benching: with every replica benched a request waits for the first to come back, then succeeds there', async () => {
  const recovering = (now: number) => (now >= 5_000 ? reply : new JudgeError('HTTP 502', 'transient', { status: 502 }));
  const a = scripted('a', (_n, now) => recovering(now));
  const b = scripted('b', (_n, now) => recovering(now));
  const pool = new EndpointPool([a, b], { benchAfter: 1, benchBaseMs: 5_000 });
  const policy: ExecutionPolicy = { ...maxJitter, backoff: { baseMs: 100, capMs: 100, random: () => 1 } };
  let result: Judgment | undefined;
  void executeRequest('p', scale, 'h', { pool, policy }).then((j) => (result = j));
  await settle();
  await advance(100);
  await advance(100);
  assert.deepEqual([a.at, b.at], [[0], [100]]);
  await advance(4_799);
  assert.equal(result as unknown, undefined, 'nothing to send while both are benched');
  await advance(1);
  assert.deepEqual(a.at, [0, 5_000]);
  assert.equal(result?.status, 'scored');
  assert.equal(result?.endpoint ?? result?.judge.endpoint, 'a');
});

test('adaptive concurrency: halves on overload at most once per cooldown, grows by one per window of successes', async () => {
  const limit = new AdaptiveLimit({ initial: 32, max: 64, cooldownMs: 2_000 });
  limit.onOverload();
  limit.onOverload();
  await advance(1_999);
  limit.onOverload();
  assert.equal(limit.limit, 16, 'one burst of 429s is one decrease');
  await advance(1);
  limit.onOverload();
  assert.equal(limit.limit, 8);
  assert.equal(limit.decreases, 2);
  for (let i = 0; i < 7; i++) limit.onSuccess();
  assert.equal(limit.limit, 8);
  limit.onSuccess();
  assert.equal(limit.limit, 9, 'a full window of 8 successes adds one');
  for (let i = 0; i < 1_000; i++) limit.onSuccess();
  assert.ok(limit.limit <= 64);
  const floor = new AdaptiveLimit({ initial: 2, max: 8, cooldownMs: 0 });
  for (let i = 0; i < 5; i++) floor.onOverload();
  assert.equal(floor.limit, 1, 'never below one');
});

test('adaptive concurrency through the engine: 429 and timeouts lower the limit, a plain 500 does not', async () => {
  const errors = [
    new JudgeError('HTTP 500', 'transient', { status: 500 }),
    new JudgeError('HTTP 429', 'rate_limited', { status: 429, retryAfterMs: 0 }),
    new JudgeError('timeout', 'transient', { timeout: true }),
  ];
  const b = scripted('a', (n) => errors[n - 1] ?? reply);
  const limit = new AdaptiveLimit({ initial: 16, max: 64, cooldownMs: 0 });
  let result: Judgment | undefined;
  void executeRequest('p', scale, 'h', { pool: new EndpointPool([b]), limit, policy: maxJitter }).then((j) => (result = j));
  await settle();
  assert.equal(limit.limit, 16, 'a 500 is not overload');
  await advance(500);
  assert.equal(limit.limit, 8, '429 halves');
  await advance(1_000);
  assert.equal(limit.limit, 4, 'a timeout halves');
  await advance(2_000);
  assert.equal(result?.status, 'scored');
});
