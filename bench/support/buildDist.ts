import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));

/** Builds dist/ from the sources, so that a benchmark of the `pollux` executable never measures an older build. */
export function buildDist(): void {
  const r = spawnSync(process.execPath, [BUILD], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.signal})`);
}
