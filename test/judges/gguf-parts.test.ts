/** The GGUF backend's pieces that need no model: grammars, the sequence queue, lazy loading. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseScale } from '../../src/core/scale.ts';
import { closingGrammar, closingReserve, endsInsideClosingBlock, levelTexts, openReplyGrammar } from '../../src/judges/gguf/replyGrammar.ts';
import { SlotPool } from '../../src/judges/gguf/slotPool.ts';
import { ROOT as root } from '../support/cli.ts';

test('the grammars enumerate the scale’s levels as written in a reply', () => {
  const scale = parseScale('0: нет\n\n1: частично\n\n2: да');
  assert.deepEqual(levelTexts(scale), ['0', '1', '2']);
  assert.equal(
    openReplyGrammar(scale),
    'root ::= "[FEEDBACK] " body " [RESULT] " level " [END]"\nbody ::= [^\\x00]*\nlevel ::= "0" | "1" | "2"',
  );
  assert.equal(closingGrammar(scale, false), 'root ::= " [RESULT] " level " [END]"\nlevel ::= "0" | "1" | "2"');
  assert.equal(closingGrammar(scale, true), 'root ::= "[RESULT] " level " [END]"\nlevel ::= "0" | "1" | "2"');
  assert.deepEqual(levelTexts(parseScale({ '-1': 'плохо', '0.5': 'так себе', '2': 'хорошо' })), ['-1', '0.5', '2']);
});

test('without a scale, the level is any number the parser accepts', () => {
  assert.equal(levelTexts(undefined), null);
  assert.match(openReplyGrammar(undefined), /level ::= "-"\? \[0-9\]\+ \(\[\.,\] \[0-9\]\+\)\?$/);
});

test('the closing reserve covers the closing block twice over, end token included', () => {
  const one = ' [RESULT] 2 [END]'.length + 1;
  assert.equal(closingReserve(parseScale('0: a\n\n1: b\n\n2: c')), 2 * one);
  assert.ok(closingReserve(parseScale({ '0': 'a', '10': 'b' })) > 2 * one);
});

test('a closing block the model is writing is recognised, a finished or absent one is not', () => {
  for (const t of ['x [RESULT] ', 'x [RESULT] 1', 'x [RESULT] 1 ', 'x [RESULT] 1 [', 'x [RESULT] 1 [EN', 'x [RESULT] 1 [END']) {
    assert.equal(endsInsideClosingBlock(t), true, t);
  }
  for (const t of ['x', 'x [RESULT] 1 [END]', 'x [RESULT] 1 [END] y', '[RESULT] abc', 'x [RESULT]']) {
    assert.equal(endsInsideClosingBlock(t), false, t);
  }
});

test('SlotPool serves waiters first come, first served, and drops an aborted waiter', async () => {
  const pool = new SlotPool(['a']);
  const first = await pool.acquire();
  const order: string[] = [];
  const ac = new AbortController();
  const w1 = pool.acquire().then((s) => order.push(`w1:${s}`));
  const w2 = pool.acquire(ac.signal);
  const w3 = pool.acquire().then((s) => order.push(`w3:${s}`));
  assert.equal(pool.waiting, 3);
  ac.abort(new Error('stop'));
  await assert.rejects(w2, /stop/);
  assert.equal(pool.waiting, 2);
  pool.release(first);
  await w1;
  pool.release('a');
  await w3;
  assert.deepEqual(order, ['w1:a', 'w3:a']);
  pool.release('a');
  assert.equal(pool.available, 1);
});

test('SlotPool.close rejects waiters and later acquires', async () => {
  const pool = new SlotPool([1]);
  await pool.acquire();
  const waiting = pool.acquire();
  pool.close(() => new Error('closed'));
  await assert.rejects(waiting, /closed/);
  await assert.rejects(pool.acquire(), /closed/);
});

/** Runs a script with a resolve hook that fails any import of node-llama-cpp. */
function importWithHook(script: string): { status: number | null; out: string } {
  const hook =
    'data:text/javascript,export async function resolve(s, c, next) {' +
    ' if (s === "node-llama-cpp") throw new Error("node-llama-cpp was imported"); return next(s, c); }';
  const code = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); ${script}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('node-llama-cpp is imported lazily: importing the backend or the library does not load it', () => {
  const quiet = importWithHook(`await import('./src/judges/gguf/index.ts'); await import('./src/index.ts'); console.log('fine');`);
  assert.equal(quiet.status, 0, quiet.out);
  assert.match(quiet.out, /fine/);
  // The hook does catch the import once a judge is created.
  const loud = importWithHook(
    `const { createGgufJudge } = await import('./src/judges/gguf/index.ts'); await createGgufJudge({ model: 'x.gguf' });`,
  );
  assert.notEqual(loud.status, 0);
  assert.match(loud.out, /node-llama-cpp was imported/);
});
