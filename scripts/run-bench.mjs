#!/usr/bin/env node
// `npm run bench [-- WORD… --option value…]`: runs each bench/*.bench.ts in turn through tsx.
// Leading words filter the files by substring (as scripts/run-tests.mjs does); everything from the
// first argument that starts with `-` is passed on to the one benchmark they select.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const filters = firstOption < 0 ? args : args.slice(0, firstOption);
const passed = firstOption < 0 ? [] : args.slice(firstOption);
const files = readdirSync(join(root, 'bench'))
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()
  .map((name) => relative(root, join(root, 'bench', name)))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no benchmark matched under bench/ (filters: ${filters.join(' ') || 'none'})`);
  process.exit(1);
}
// Each benchmark reads its own options (store.bench.ts reads its arguments as an internal part
// name), so options are only passed when they go to a single one.
if (passed.length > 0 && files.length > 1) {
  console.error(`options (${passed.join(' ')}) go to one benchmark at a time; name it first, e.g. npm run bench -- run ${passed.join(' ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}${passed.length ? ` ${passed.join(' ')}` : ''}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...passed], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} ended with ${r.status ?? r.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
