import type { GatePolicy } from './types.ts';

/** Min–max normalisation on the criterion's own rubric (NOTES §5): 0 at the bottom, 1 at the top. */
export function normalise(score: number, min: number, max: number): number {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) {
    throw new RangeError(`cannot normalise on the scale ${min}–${max}: the top must lie above the bottom`);
  }
  if (!Number.isFinite(score)) throw new RangeError(`cannot normalise the score ${score}`);
  return (score - min) / (max - min);
}

/** Whether a criterion acts as a gate under a policy. */
export function isGate(policy: GatePolicy, criterion: { gate: boolean; binary: boolean }): boolean {
  switch (policy) {
    case 'critical':
      return criterion.gate;
    case 'all-binary':
      return criterion.binary;
    case 'none':
      return false;
  }
}

/**
 * A gate fires at the bad end of its scale. On 0/1 that is exactly a 1 (the upstream rule); the
 * midpoint threshold only matters for a float from a regression-head judge, which it rounds.
 */
export const GATE_FIRES_AT = 0.5;

export function gateFires(normalisedScore: number): boolean {
  return normalisedScore >= GATE_FIRES_AT;
}
