import type { Command } from 'commander';
import { register as judge } from './judge.ts';
import { register as prompt } from './prompt.ts';
import { register as criteria } from './criteria.ts';
import { register as score } from './score.ts';
import { register as exportRun } from './export.ts';
import { register as run } from './run.ts';
import { register as plan } from './plan.ts';
import { register as batch } from './batch.ts';
import { register as meta } from './meta.ts';

/** Each command lives in its own file and adds itself to the program here. */
export const commands: Array<(program: Command) => void> = [
  prompt,
  judge,
  run,
  plan,
  batch,
  criteria,
  score,
  exportRun,
  meta,
];
