import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { scriptArgs } from '../support/cli.ts';
import { longJudgment, requestRow, tempDir } from './helpers.ts';

const WRITER = scriptArgs(new URL('./fixtures/judgment-writer.ts', import.meta.url));
const COUNT = 4000;

interface WriterRun {
  printed: string[];
  finished: boolean;
  signal: NodeJS.Signals | null;
}

/** Runs the writer; with `killAfterMs`, sends SIGKILL that long after it has started saving. */
function runWriter(file: string, killAfterMs: number | null): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...WRITER, file, String(COUNT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && killAfterMs !== null && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code}: ${err}`));
      // A line cut by the kill is not a printed key.
      const lines = out.split('\n').slice(0, -1);
      resolve({ printed: lines.filter((l) => l.startsWith('key-')), finished: lines.includes('done'), signal });
    });
  });
}

test('judgments survive SIGKILL mid-stream: every committed one present and whole, none duplicated', async (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const printed = new Set<string>();
  const delays: number[] = [];
  let killedMidStream = 0;
  for (let round = 0; round < 3; round++) {
    const delay = 20 + Math.floor(Math.random() * 180);
    delays.push(delay);
    const run = await runWriter(file, delay);
    for (const key of run.printed) {
      assert.ok(!printed.has(key), `${key} was judged again after it had been saved (delays ${delays})`);
      printed.add(key);
    }
    if (run.signal === 'SIGKILL' && !run.finished) killedMidStream++;
    // Keys committed in the instant between the commit and the print: saved, so never judged again.
    for (const key of checkFile(file, printed, `after round ${round} (delays ${delays})`)) printed.add(key);
  }
  assert.ok(killedMidStream > 0, `no writer was killed mid-stream (delays ${delays}); the test proved nothing`);

  const last = await runWriter(file, null);
  assert.ok(last.finished);
  for (const key of last.printed) {
    assert.ok(!printed.has(key), `${key} judged twice`);
    printed.add(key);
  }
  assert.equal(printed.size, COUNT, 'every request judged exactly once over all rounds');
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT status, count(*) AS n FROM judgments GROUP BY status').all(), [{ status: 'scored', n: COUNT }]);
  db.close();
});

/**
 * Integrity, one row per key, every printed key saved whole, every other row pending or whole.
 * Returns the keys saved but not printed.
 */
function checkFile(file: string, printed: Set<string>, when: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', when);
    assert.equal(db.prepare('SELECT count(*) FROM requests').pluck().get(), COUNT, when);
    assert.equal(db.prepare('SELECT count(*) FROM judgments').pluck().get(), COUNT, when);
    assert.equal(db.prepare('SELECT count(*) FROM (SELECT key FROM requests GROUP BY key HAVING count(*) > 1)').pluck().get(), 0, when);
    const rows = db.prepare('SELECT key, status, score, raw, rationale, prompt_tokens, attempts, judge_id FROM judgments').all() as Array<{
      key: string; status: string; score: number | null; raw: string | null; rationale: string | null; prompt_tokens: number | null; attempts: number; judge_id: number | null;
    }>;
    const unprinted: string[] = [];
    for (const r of rows) {
      const i = Number(r.key.slice(4));
      assert.equal(r.key, requestRow(i).key);
      if (r.status === 'pending') {
        assert.ok(!printed.has(r.key), `${r.key} was printed as saved but is pending ${when}`);
        assert.deepEqual([r.score, r.raw, r.rationale, r.prompt_tokens, r.attempts, r.judge_id], [null, null, null, null, 0, null], `${r.key} ${when}`);
        continue;
      }
      if (!printed.has(r.key)) unprinted.push(r.key);
      const j = longJudgment(i);
      assert.equal(r.status, 'scored', `${r.key} ${when}`);
      assert.deepEqual([r.score, r.raw, r.rationale, r.prompt_tokens, r.attempts], [j.score, j.raw, j.rationale, j.usage.prompt, j.attempts], `${r.key} ${when}`);
      assert.notEqual(r.judge_id, null);
    }
    // At most one batch (five keys) can be committed but not yet printed when the kill lands.
    assert.ok(unprinted.length <= 5, `${unprinted.length} saved but not printed ${when}`);
    return unprinted;
  } finally {
    db.close();
  }
}
