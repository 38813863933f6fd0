import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);

/** A package's root folder, found from its entry point (the packages export no file paths). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  const tail = `${sep}node_modules${sep}${name.split('/').join(sep)}`;
  while (!dir.endsWith(tail)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of the package ${name}`);
    dir = up;
  }
  return dir;
}

export interface PageAssets {
  /** Scripts in load order: d3, then Observable Plot (its UMD build reads the global d3), then the page. */
  scripts: Array<{ name: string; source: string }>;
  css: string;
}

let cached: PageAssets | null = null;

/**
 * The charting libraries are the exact-pinned d3 7.9.0 and @observablehq/plot 0.6.17 UMD builds,
 * inlined into every page so a report opens with no network access.
 */
export function pageAssets(): PageAssets {
  if (cached) return cached;
  const client = (file: string) => readFileSync(new URL(`./client/${file}`, import.meta.url), 'utf8');
  const scripts = [
    { name: 'd3', source: readFileSync(join(packageDir('d3'), 'dist', 'd3.min.js'), 'utf8') },
    { name: 'plot', source: readFileSync(join(packageDir('@observablehq/plot'), 'dist', 'plot.umd.min.js'), 'utf8') },
    { name: 'app', source: client('app.js') },
  ];
  for (const s of scripts) {
    // Inside <script>, these would end the element or change how the HTML parser reads it.
    if (/<\/script|<!--|<script/i.test(s.source)) throw new Error(`${s.name}: the script cannot be inlined as it is`);
  }
  cached = { scripts, css: client('app.css') };
  return cached;
}
