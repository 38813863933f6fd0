#!/usr/bin/env node
// Builds dist/ (JavaScript + .d.ts) from src/ for the package (npm ci and npm pack run it through
// `prepare`). tsc rewrites the sources' relative `.ts` imports to `.js` in the JavaScript but not in
// the declarations, which a NodeNext consumer could not resolve: those are rewritten here.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

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
copyAssets(join(root, 'src'), dist);

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(p, 'utf8');
      const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
      if (fixed !== text) writeFileSync(p, fixed);
    }
  }
}
walk(dist);
