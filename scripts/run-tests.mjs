#!/usr/bin/env node
// node 20's `node --test` neither expands globs nor finds .ts files in a folder, so the list of
// test files is built here and passed explicitly. Extra arguments filter files by substring.
//
// The tests run compiled: src/ and test/ are compiled afresh to .test-build/ first (about a second,
// see scripts/build-tests.mjs), which starts each test process and each spawned `pollux` about three
// times faster than through tsx. `--source` runs the TypeScript through tsx instead (the same tests,
// slower; to rule the build out).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { buildTests } from './build-tests.mjs';

const root = new URL('..', import.meta.url).pathname;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

/**
 * Node's arguments to run the test files whose path contains one of `filters` (all without), from
 * the checkout's root; builds .test-build/ first unless `fromSource`. Null when no file matches.
 */
export async function testArgs(filters, { fromSource = false } = {}) {
  const files = walk(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  if (files.length === 0) return null;
  if (fromSource) return ['--import', 'tsx', '--test', '--test-concurrency=2', ...files];
  const built = relative(root, await buildTests());
  return ['--enable-source-maps', '--test', '--test-concurrency=2', ...files.map((f) => join(built, f.replace(/\.ts$/, '.js')))];
}

export const ROOT = root;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const filters = args.filter((a) => a !== '--source');
  const nodeArgs = await testArgs(filters, { fromSource: args.includes('--source') });
  if (!nodeArgs) {
    console.error(`no test files matched under test/ (filters: ${filters.join(' ') || 'none'})`);
    process.exit(1);
  }
  const r = spawnSync(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
