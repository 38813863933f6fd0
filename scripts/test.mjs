#!/usr/bin/env node
// `npm test`: the type check, ESLint and every test. The three run side by side rather than one
// after the other (on two cores the tests alone leave CPU idle while they wait on sockets, timers
// and child processes), and the tests' output streams as it comes. The type check and ESLint
// report as TAP comment lines when they finish, their full output again after the tests' closing
// summary when they failed; the exit status is non-zero when any of the three failed.
//
//   node scripts/test.mjs [WORD…]   WORD filters test files by path, as scripts/run-tests.mjs does
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, testArgs } from './run-tests.mjs';

const require = createRequire(import.meta.url);
const binOf = (pkg, bin) => join(dirname(require.resolve(`${pkg}/package.json`)), bin);

const filters = process.argv.slice(2);
const started = performance.now();
const seconds = (t0) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** Runs node ARGS with its output kept, resolving with its status and output. */
function check(name, args) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
    child.on('close', (code, signal) => resolve({ name, ok: code === 0, status: code ?? signal, output, took: seconds(t0) }));
  });
}

const nodeArgs = await testArgs(filters);
if (!nodeArgs) {
  console.error(`no test files matched under test/ (filters: ${filters.join(' ') || 'none'})`);
  process.exit(1);
}

// Lines from the checks go out between the tests' lines, never inside one.
const waiting = [];
const say = (line) => waiting.push(line);
const flush = () => {
  for (const line of waiting.splice(0)) process.stdout.write(`${line}\n`);
};

const checks = [
  check('typecheck', [binOf('typescript', 'bin/tsc'), '--noEmit', '-p', '.']),
  check('lint', [binOf('eslint', 'bin/eslint.js'), '.']),
].map((p) =>
  p.then((r) => {
    say(`# ${r.name}: ${r.ok ? 'passed' : `FAILED (exit ${r.status})`} in ${r.took}`);
    return r;
  }),
);

const reporter = process.stdout.isTTY ? 'spec' : 'tap';
const tests = spawn(process.execPath, [`--test-reporter=${reporter}`, '--test-reporter-destination=stdout', ...nodeArgs], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env,
});
const lines = createInterface({ input: tests.stdout, crlfDelay: Infinity });
lines.on('line', (line) => {
  flush();
  process.stdout.write(`${line}\n`);
});
const testStatus = await new Promise((resolve) => tests.on('close', (code, signal) => resolve(code ?? signal)));
const results = await Promise.all(checks);
flush();
for (const r of results) {
  if (!r.ok) process.stdout.write(`\n# ${r.name} FAILED (exit ${r.status}):\n${r.output}\n`);
}
const failed = [...results.filter((r) => !r.ok).map((r) => r.name), ...(testStatus === 0 ? [] : ['tests'])];
process.stdout.write(`# npm test: ${failed.length ? `FAILED (${failed.join(', ')})` : 'passed'} in ${seconds(started)}\n`);
process.exit(failed.length ? 1 : 0);
