import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeAction, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-faults-'));
let server: FakeJudgeServer;
const seen = new Map<string, number>();

/** The fault class of a prompt: stable across retries, so each class has a known outcome. */
function faultClass(prompt: string): number {
  return createHash('md5').update(prompt).digest()[0]! % 8;
}

const EXPECTED: Record<number, { status: string; reason: RegExp | null }> = {
  0: { status: 'scored', reason: null },
  1: { status: 'scored', reason: null }, // one 500, then fine
  2: { status: 'scored', reason: null }, // one 429 with Retry-After, then fine
  3: { status: 'scored', reason: null }, // one hang past the timeout, then fine
  4: { status: 'error', reason: /^transient: .*connection/ }, // resets every time
  5: { status: 'error', reason: /^transient: .*malformed|^transient: .*JSON/i }, // malformed JSON every time
  6: { status: 'unscored', reason: /^truncated$/ }, // finish_reason length
  7: { status: 'unscored', reason: /^no_result_block$/ }, // garbage text, re-asked once
};

before(async () => {
  server = await startFakeJudgeServer({
    reply: ({ prompt }): FakeAction => {
      const n = (seen.get(prompt) ?? 0) + 1;
      seen.set(prompt, n);
      switch (faultClass(prompt)) {
        case 1:
          return n === 1 ? { kind: 'status', status: 500 } : verdict(1);
        case 2:
          return n === 1 ? { kind: 'status', status: 429, headers: { 'retry-after-ms': '100' } } : verdict(0);
        case 3:
          return n === 1 ? { kind: 'hang' } : verdict(1);
        case 4:
          return { kind: 'reset' };
        case 5:
          return { kind: 'malformed', body: '{"id": "x", "choices": [{"message": ' };
        case 6:
          return { kind: 'verdict', text: '[FEEDBACK] Ответ очень длинный и', finishReason: 'length' };
        case 7:
          return { kind: 'verdict', text: 'Не знаю, что сказать. 2 из 2.' };
        default:
          return verdict(1);
      }
    },
  });
});
after(() => server.close());

test('every request ends scored, unscored or error with its reason under scripted faults; none missing', async () => {
  const dataset = join(dir, 'faults.jsonl');
  const total = writeGenericDataset(dataset, 40, 3);
  const out = join(dir, 'faults.sqlite');
  // A process of its own: the timeouts measure the client, not a test process it shares with the server.
  const r = await spawnCli(['run', dataset, '--judge', server.url, '--out', out, '--timeout', '1.5', '--max-attempts', '3', '--concurrency', '16', '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.counts.total, total);
  assert.equal(summary.counts.pending, 0);

  const db = new Database(out, { readonly: true });
  const rows = db.prepare('SELECT key, status, reason, raw, attempts FROM requests').all() as Array<{ key: string; status: string; reason: string | null; raw: string | null; attempts: number }>;
  const prompts = [...seen.keys()];
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((x) => x.key)).size, total);
  assert.equal(prompts.length, total, 'each request reached the server');
  const byClass = new Map<number, number>();
  // Map stored rows back to their prompts through the prompt hash.
  const hashToClass = new Map(prompts.map((p) => [createHash('sha256').update(p).digest('hex'), faultClass(p)]));
  const withHash = db.prepare('SELECT prompt_hash, status, reason, raw FROM requests').all() as Array<{ prompt_hash: string; status: string; reason: string | null; raw: string | null }>;
  for (const row of withHash) {
    const cls = hashToClass.get(row.prompt_hash);
    assert.ok(cls !== undefined, 'a stored prompt the server never saw');
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    const want = EXPECTED[cls]!;
    assert.equal(row.status, want.status, `class ${cls}: ${row.reason}`);
    if (want.reason) assert.match(row.reason ?? '', want.reason, `class ${cls}`);
    else assert.equal(row.reason, null);
    if (row.status !== 'error') assert.ok(row.raw !== null, 'raw text kept');
  }
  assert.ok(byClass.size >= 7, `fault classes covered: ${[...byClass.keys()]}`);
  const attempts = db.prepare("SELECT MIN(attempts) a, MAX(attempts) b FROM requests WHERE status = 'error'").get() as { a: number; b: number };
  assert.deepEqual([attempts.a, attempts.b], [3, 3]);
  db.close();
});
