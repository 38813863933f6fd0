import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHfDataset } from '../../src/data/hfDataset.ts';
import { runCli } from '../support/cli.ts';
import { startFakeHub } from '../support/fakeHub.ts';
import { toColumns, writeParquet } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-hf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A generic-shape Parquet file: answers whose criteria come from the taxonomy by task type. */
function shard(name: string, from: number, n: number): Buffer {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `s${from + i}`,
    instruction: `Задание ${from + i}: перескажи текст.`,
    answer: `Ответ ${from + i}.`,
    model_id: 'model-a',
    task_type: 'Отредактировать текст',
  }));
  return readFileSync(writeParquet(dir, name, toColumns(rows), { rowGroupSize: 4 }));
}

function env(hubUrl: string, cache: string, more: Record<string, string> = {}): Record<string, string> {
  return { HF_ENDPOINT: hubUrl, POLLUX_CACHE: cache, HF_TOKEN: '', HF_HUB_OFFLINE: '', ...more };
}

test('hf:// names are checked before they name anything in the cache', () => {
  assert.deepEqual(parseHfDataset('hf://datasets/ai-forever/POLLUX'), { owner: 'ai-forever', name: 'POLLUX', path: '', revision: 'main' });
  assert.deepEqual(parseHfDataset('hf://datasets/o/n@v1.0/data/test.parquet'), { owner: 'o', name: 'n', path: 'data/test.parquet', revision: 'v1.0' });
  for (const bad of ['hf://models/o/n', 'hf://datasets/o', 'hf://datasets/../n', 'hf://datasets/o/n/../../etc', 'hf://datasets/o/n@../x']) {
    assert.throws(() => parseHfDataset(bad), /hf:\/\/|Hub name|revision|cannot name a file/, bad);
  }
});

test('pollux plan hf://datasets/…: listed and downloaded through the Hub client, then read from the cache offline', async (t) => {
  const hub = await startFakeHub({ datasets: { 'ai-forever/POLLUX-mini': { 'data/test-00000-of-00001.parquet': shard('one.parquet', 0, 10), 'README.md': Buffer.from('# mini') } } });
  let closed = false;
  t.after(() => (closed ? undefined : hub.close()));
  const cache = join(dir, 'cache1');
  const first = await runCli(['plan', 'hf://datasets/ai-forever/POLLUX-mini', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).samples, 10);
  assert.match(first.stderr, /downloading data\/test-00000-of-00001\.parquet/);
  assert.ok(existsSync(join(cache, 'hf', 'datasets', 'ai-forever', 'POLLUX-mini', 'main', 'data', 'test-00000-of-00001.parquet')));
  assert.ok(hub.requests.some((r) => r.path === '/api/datasets/ai-forever/POLLUX-mini/tree/main'));
  assert.ok(!hub.requests.some((r) => r.path.endsWith('README.md')), 'only Parquet files are downloaded');

  // Again, online: listed, but nothing downloaded.
  const downloads = () => hub.requests.filter((r) => r.path.includes('/resolve/')).length;
  const before = downloads();
  const second = await runCli(['plan', 'hf://datasets/ai-forever/POLLUX-mini', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(downloads(), before);

  // The Hub gone: the cache serves.
  await hub.close();
  closed = true;
  const offline = await runCli(['plan', 'hf://datasets/ai-forever/POLLUX-mini', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(offline.code, 0, offline.stderr);
  assert.equal(JSON.parse(offline.stdout).samples, 10);
  assert.match(offline.stderr, /cannot be reached; reading the cached copy/);

  // Nothing cached and no Hub: a clear failure naming both.
  const none = await runCli(['plan', 'hf://datasets/ai-forever/other', '--json'], { env: env(hub.url, join(dir, 'empty-cache')) });
  assert.equal(none.code, 3);
  assert.match(none.stderr, /cannot be reached and the dataset is not in the cache/);
});

test('several Parquet shards are read as one dataset; a PATH picks a folder or one file', async (t) => {
  const hub = await startFakeHub({
    datasets: {
      'o/sharded': {
        'data/test-00000-of-00002.parquet': shard('a.parquet', 0, 7),
        'data/test-00001-of-00002.parquet': shard('b.parquet', 7, 5),
        'extra/other.parquet': shard('c.parquet', 100, 3),
      },
    },
  });
  t.after(() => hub.close());
  const cache = join(dir, 'cache2');
  const all = await runCli(['plan', 'hf://datasets/o/sharded', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(all.code, 0, all.stderr);
  assert.equal(JSON.parse(all.stdout).samples, 15);
  const folder = await runCli(['plan', 'hf://datasets/o/sharded/data', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(JSON.parse(folder.stdout).samples, 12, folder.stderr);
  const one = await runCli(['plan', 'hf://datasets/o/sharded/data/test-00001-of-00002.parquet', '--json', '--estimate-tokens'], { env: env(hub.url, cache) });
  assert.equal(JSON.parse(one.stdout).samples, 5, one.stderr);
  const missing = await runCli(['plan', 'hf://datasets/o/sharded/nothing-here', '--json'], { env: env(hub.url, cache) });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no Parquet file under "nothing-here"/);
});

test('a private dataset needs HF_TOKEN, which is sent to the Hub and never printed', async (t) => {
  const token = 'hf_secretTOKEN123';
  const hub = await startFakeHub({ token, datasets: { 'o/private': { 'd.parquet': shard('p.parquet', 0, 4) } } });
  t.after(() => hub.close());
  const cache = join(dir, 'cache3');
  const denied = await runCli(['plan', 'hf://datasets/o/private', '--json'], { env: env(hub.url, cache) });
  assert.equal(denied.code, 2);
  assert.match(denied.stderr, /refused access \(401\).*HF_TOKEN/);
  const ok = await runCli(['plan', 'hf://datasets/o/private', '--json', '--estimate-tokens'], { env: env(hub.url, cache, { HF_TOKEN: token }) });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).samples, 4);
  assert.ok(hub.requests.every((r) => r.authorization === undefined || r.authorization === `Bearer ${token}`));
  assert.doesNotMatch(ok.stdout + ok.stderr, /secretTOKEN/);
});

test('a path from the Hub that would leave the cache is refused', async (t) => {
  const hub = await startFakeHub({ datasets: { 'o/evil': { '../../escape.parquet': shard('e.parquet', 0, 2) } } });
  t.after(() => hub.close());
  const cache = join(dir, 'cache4');
  const r = await runCli(['plan', 'hf://datasets/o/evil', '--json'], { env: env(hub.url, cache) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot name a file in the cache/);
  assert.ok(!existsSync(join(cache, 'hf', 'datasets', 'escape.parquet')));
});
