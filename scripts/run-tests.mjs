#!/usr/bin/env node
// node 20's `node --test` neither expands globs nor finds .ts files in a folder, so the list of
// test files is built here and passed explicitly. Extra arguments filter files by substring.
//
// The tests run compiled: src/ and test/ are compiled afresh to .test-build/ first (about a second,
// see scripts/build-tests.mjs), which starts each test process and each spawned `pollux` about three
// times faster than through tsx. `--source` runs the TypeScript through tsx instead (the same tests,
// slower; to rule the build out).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
  const built = await buildTests();
  return ['--enable-source-maps', '--test', '--test-concurrency=3', ...groupFiles(built, files)];
}

// Files that keep a process of their own: root-level beforeEach/afterEach (they would apply to every
// test of a shared process) or fake timers; gguf-run, whose `pollux run` loads llama.cpp with
// `--gpu auto` where gguf.test loads it with the GPU off: in one process, llama.cpp's log lines then
// no longer reach the second binding's logger, and gguf.test checks that its reason is kept; and the
// two long ones, which run beside the rest.
const ALONE = [
  'test/engine/timers.test.ts',
  'test/judges/gguf-run.test.ts',
  'test/package/pack.test.ts',
  'test/engine/runResume.test.ts',
];
const LONG = ['test/package/pack.test.ts', 'test/engine/runResume.test.ts'];
// Files that share one process because they share what is slow to load: node-llama-cpp and its model, chromium.
const SHARING = [
  ['gguf', (f) => f.startsWith('test/judges/gguf')],
  ['browser', (f) => f.endsWith('Browser.test.ts')],
];
// The rest share this many processes. Three test processes run at once on two cores: many tests
// wait on sockets, timers and child processes, and three keep both cores busier (85 s → 80 s for
// `npm test` on an idle two-core machine, with six shared processes instead of three).
const SHARED_PROCESSES = 6;

/**
 * Test files grouped into entry files of .test-build/groups/, each importing its files statically:
 * one process loads the sources and the test runner once for many files (a process costs ~0.4 CPU-s
 * before its first test). Imported statically, the files' root-level before hooks all run before
 * the first test and their after hooks after the last, as in a process of their own.
 */
function groupFiles(built, files) {
  const groups = new Map();
  const add = (name, file) => groups.set(name, [...(groups.get(name) ?? []), file]);
  let next = 0;
  for (const file of files) {
    const sharing = SHARING.find(([, member]) => member(file));
    if (ALONE.includes(file)) add(file, file);
    else if (sharing) add(sharing[0], file);
    else add(`shared-${(next++ % SHARED_PROCESSES) + 1}`, file);
  }
  const dir = join(built, 'groups');
  mkdirSync(dir, { recursive: true });
  const js = (f) => join(built, f.replace(/\.ts$/, '.js'));
  const entries = [];
  for (const [name, members] of groups) {
    if (members.length === 1) {
      entries.push(relative(root, js(members[0])));
      continue;
    }
    const entry = join(dir, `${name}.test.js`);
    writeFileSync(entry, members.map((f) => `import ${JSON.stringify(relative(dir, js(f)))};\n`).join(''));
    entries.push(relative(root, entry));
  }
  // The long ones first, so that they are not what the run waits for at the end.
  return entries.sort((a, b) => Number(isLong(b)) - Number(isLong(a)));
}
const isLong = (entry) => LONG.some((f) => entry.endsWith(f.replace(/\.ts$/, '.js')));

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
