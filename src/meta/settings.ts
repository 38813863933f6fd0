import { UsageError } from '../core/errors.ts';
import { POLLUX_OUT_OF_DOMAIN_TASKS } from './domains.ts';
import type { BootstrapSettings } from './reportTypes.ts';

export interface BootstrapOptionsInput {
  /** Bootstrap resamples; 0 turns intervals off. Default 1000. */
  resamples?: number;
  /** Seed of the resampling; the same seed gives the same intervals. Default 1. */
  seed?: number;
  /** Interval level. Default 0.95. */
  ci?: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapSettings = { resamples: 1000, seed: 1, ci: 0.95 };

export function bootstrapSettings(o: BootstrapOptionsInput): BootstrapSettings {
  const s = { ...DEFAULT_BOOTSTRAP };
  if (o.resamples !== undefined) {
    if (!Number.isInteger(o.resamples) || o.resamples < 0) throw new UsageError(`bootstrap resamples must be a whole number ≥ 0, got ${o.resamples}`);
    s.resamples = o.resamples;
  }
  if (o.seed !== undefined) {
    if (!Number.isInteger(o.seed)) throw new UsageError(`the seed must be a whole number, got ${o.seed}`);
    s.seed = o.seed;
  }
  if (o.ci !== undefined) {
    if (!(o.ci > 0 && o.ci < 1)) throw new UsageError(`the interval level must lie strictly between 0 and 1 (e.g. 0.95), got ${o.ci}`);
    s.ci = o.ci;
  }
  return s;
}

export function outOfDomainSet(tasks: readonly string[] | undefined): Set<string> {
  return new Set((tasks ?? POLLUX_OUT_OF_DOMAIN_TASKS).map((t) => t.trim()).filter((t) => t !== ''));
}
