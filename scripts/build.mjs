#!/usr/bin/env node
// Builds dist/ (JavaScript + .d.ts) from src/ for the package (npm ci and npm pack run it through
// `prepare`). tsc rewrites the sources' relative `.ts` imports to `.js` in the JavaScript but not in
// the declarations, which a NodeNext consumer could not resolve: those are rewritten here.
//
// A successful build records a digest of what it was built from (node_modules/.cache/pollux-eval/),
// so that the package test and the benchmarks can tell a current dist/ from an older one and build
// only when it is older: the build is the slowest step of `npm test` otherwise, and `npm ci` has
// just made it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const STAMP = join(root, 'node_modules/.cache/pollux-eval/dist.sha256');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'package.json'];

function files(p) {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((name) => files(join(p, name)));
}

/** SHA-256 over the names and bytes of everything dist/ is built from. */
export function sourceDigest() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => files(join(root, p)))) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist/ was built, successfully, from the sources as they are now. */
export function distIsCurrent() {
  return existsSync(join(dist, 'index.js')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === sourceDigest();
}

// Files that are not TypeScript (the report's page script and styles, a worker entry) ship as they are.
function copyAssets(from, to) {
  for (const name of readdirSync(from)) {
    const p = join(from, name);
    if (statSync(p).isDirectory()) copyAssets(p, join(to, name));
    else if (!name.endsWith('.ts')) {
      mkdirSync(to, { recursive: true });
      copyFileSync(p, join(to, name));
    }
  }
}

function fixDeclarations(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) fixDeclarations(p);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(p, 'utf8');
      const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
      if (fixed !== text) writeFileSync(p, fixed);
    }
  }
}

/** Builds dist/; returns tsc's exit status (0 when built). */
export function build() {
  const digest = sourceDigest();
  rmSync(STAMP, { force: true });
  rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  copyAssets(join(root, 'src'), dist);
  fixDeclarations(dist);
  mkdirSync(join(STAMP, '..'), { recursive: true });
  writeFileSync(STAMP, digest);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(build());
