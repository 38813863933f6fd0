#!/usr/bin/env node
// Compiles src/ and test/ to JavaScript in .test-build/ for the test runner: loading TypeScript
// through tsx's loader costs ~1.5 CPU-s per test process that imports the CLI (a spawned `pollux`
// included), compiled JavaScript ~0.5 s, and on two cores that is most of `npm test`.
//
// Every file is compiled on its own (esbuild, no type checking: `npm run typecheck` does that), its
// relative `.ts` imports rewritten to `.js` by the resolver rather than by text, so a string that
// merely contains `./x.ts` stays as written. Files that are not TypeScript (fixtures, the report's
// page script, worker entries) are copied. Everything else at the top of the checkout is linked, so
// `new URL('../../data/…', import.meta.url)` finds the same files from .test-build/src as from src.
//
//   node scripts/build-tests.mjs        → prints the folder it built
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
export const TEST_BUILD = join(root, '.test-build');
const COMPILED = ['src', 'test'];
// Never linked: what is compiled, the build itself, and git's own files.
const NOT_LINKED = new Set([...COMPILED, '.test-build', '.git']);

function walk(dir, out = { ts: [], assets: [] }) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.ts.push(p);
    else out.assets.push(p);
  }
  return out;
}

/** A resolver that keeps every import external, naming a relative `.ts` module by its `.js` output. */
const externalImports = {
  name: 'external-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const rel = args.path.startsWith('./') || args.path.startsWith('../');
      return { path: rel ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

export async function buildTests() {
  rmSync(TEST_BUILD, { recursive: true, force: true });
  mkdirSync(TEST_BUILD);
  const files = { ts: [], assets: [] };
  for (const dir of COMPILED) walk(join(root, dir), files);
  await build({
    entryPoints: files.ts,
    outbase: root,
    outdir: TEST_BUILD,
    bundle: true,
    plugins: [externalImports],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const file of files.assets) {
    const to = join(TEST_BUILD, relative(root, file));
    mkdirSync(join(to, '..'), { recursive: true });
    copyFileSync(file, to);
  }
  for (const name of readdirSync(root)) {
    if (!NOT_LINKED.has(name)) symlinkSync(join('..', name), join(TEST_BUILD, name));
  }
  return TEST_BUILD;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await buildTests());
