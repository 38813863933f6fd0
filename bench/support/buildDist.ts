import { build, distIsCurrent } from '../../scripts/build.mjs';

/** Builds dist/ unless it was built from the sources as they are now, so that a benchmark of the `pollux` executable never measures an older build. */
export function buildDist(): void {
  if (distIsCurrent()) return;
  const status = build();
  if (status !== 0) throw new Error(`npm run build failed (${status})`);
}
