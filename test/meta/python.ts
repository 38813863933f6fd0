/**
 * Runs a Python script with SciPy as a reference implementation. Tests skip, visibly, when python3
 * with numpy and scipy is not installed.
 */
import { spawnSync } from 'node:child_process';

let available: boolean | undefined;

export function scipyAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

export const SCIPY_MISSING = 'python3 with scipy not found';

/** Runs `script` with `input` as JSON on stdin and parses the JSON it prints. */
export function runPython<T>(script: string, input: unknown): T {
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
