import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedLimit } from '../../src/engine/adaptiveConcurrency.ts';
import { AbortedError } from '../../src/engine/execute.ts';
import type { RunEvent, RunProgress } from '../../src/engine/run.ts';
import { schedule, type ScheduleConfig } from '../../src/engine/scheduler.ts';

// The scheduler `pollux run` and `pollux answer` share, driven by work whose replies the test
// releases by hand: what is in flight, what is committed when, and how a stop and an abort end it.

const progress = (): RunProgress => ({ total: 0, done: 0, doneNow: 0, scored: 0, unscored: 0, error: 0, inFlight: 0, concurrency: 0, completionTokens: 0, elapsedMs: 0 });

/** Work items whose replies wait until released; `sent` lists what was sent, in order. */
function manual() {
  const waiting = new Map<string, { resolve: (v: string) => void; reject: (e: unknown) => void }>();
  const sent: string[] = [];
  return {
    sent,
    waiting,
    send: (key: string, signal: AbortSignal) =>
      new Promise<string>((resolve, reject) => {
        sent.push(key);
        waiting.set(key, { resolve, reject });
        signal.addEventListener('abort', () => reject(new AbortedError()), { once: true });
      }),
    release(key: string) {
      waiting.get(key)?.resolve(`reply ${key}`);
      waiting.delete(key);
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));

function config(work: string[], m: ReturnType<typeof manual>, saved: string[][], extra: Partial<ScheduleConfig<string, string>> = {}): ScheduleConfig<string, string> {
  const events: RunEvent[] = [];
  return {
    work,
    keyOf: (w) => w,
    send: m.send,
    save: (batch) => void saved.push([...batch]),
    tally: (_r, p) => void p.scored++,
    limit: new FixedLimit(2),
    progress: progress(),
    emit: (e) => void events.push(e),
    ...extra,
  };
}

test('at most limit in flight; replies of one turn committed together; a duplicate key sent once', async () => {
  const m = manual();
  const saved: string[][] = [];
  const c = config(['a', 'b', 'a', 'c'], m, saved);
  const done = schedule(c);
  await turn();
  assert.deepEqual(m.sent, ['a', 'b'], 'two slots');
  m.release('a');
  m.release('b');
  await turn();
  await turn();
  assert.deepEqual(saved, [['reply a', 'reply b']], 'one commit for the replies of one turn');
  await turn();
  assert.deepEqual(m.sent, ['a', 'b', 'c'], 'the repeated "a" is skipped');
  m.release('c');
  assert.equal(await done, false);
  assert.deepEqual(saved, [['reply a', 'reply b'], ['reply c']]);
  assert.deepEqual([c.progress.done, c.progress.doneNow, c.progress.scored, c.progress.inFlight], [3, 3, 3, 0]);
});

test('stop: no new work, what is in flight finishes and is committed; abort: in flight stays pending', async () => {
  const m = manual();
  const saved: string[][] = [];
  const stop = new AbortController();
  const c = config(['a', 'b', 'c', 'd'], m, saved, { stop: stop.signal });
  const done = schedule(c);
  await turn();
  stop.abort();
  m.release('a');
  m.release('b');
  assert.equal(await done, true);
  assert.deepEqual(m.sent, ['a', 'b']);
  assert.deepEqual(saved, [['reply a', 'reply b']]);

  const m2 = manual();
  const saved2: string[][] = [];
  const abort = new AbortController();
  const done2 = schedule(config(['a', 'b', 'c'], m2, saved2, { abort: abort.signal }));
  await turn();
  abort.abort();
  assert.equal(await done2, true);
  assert.deepEqual(saved2, [], 'aborted work is not committed');
});

test('maxStarts and isPending bound what is sent; halted stops taking work; a failing commit is thrown', async () => {
  const m = manual();
  const saved: string[][] = [];
  const c = config(['a', 'x', 'b', 'c'], m, saved, { maxStarts: 2, isPending: (w) => w !== 'x', limit: new FixedLimit(8) });
  const done = schedule(c);
  await turn();
  assert.deepEqual(m.sent, ['a', 'b']);
  m.release('a');
  m.release('b');
  await done;

  let halt = false;
  const m2 = manual();
  const c2 = config(['a', 'b', 'c'], m2, [], { limit: new FixedLimit(1), halted: () => halt });
  const done2 = schedule(c2);
  await turn();
  halt = true;
  m2.release('a');
  assert.equal(await done2, false, 'halted is not a stop by the caller');
  assert.deepEqual(m2.sent, ['a']);

  const m3 = manual();
  const c3 = config(['a'], m3, [], {
    save: () => {
      throw new Error('disk full');
    },
  });
  const done3 = schedule(c3);
  await turn();
  m3.release('a');
  await assert.rejects(done3, /disk full/);
});
