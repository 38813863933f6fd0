import type { GatePolicy, Normalisation } from './types.ts';

/** Min–max normalisation on the criterion's own rubric: 0 at the bottom, 1 at the top, whatever the bottom is. */
export function normalise(score: number, min: number, max: number): number {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) {
    throw new RangeError(`cannot normalise on the scale ${min}–${max}: the top must lie above the bottom`);
  }
  if (!Number.isFinite(score)) throw new RangeError(`cannot normalise the score ${score}`);
  return (score - min) / (max - min);
}

/**
 * Binary, for summaries and the upstream gate rule: the level set is exactly {0, 1}, as upstream's
 * newer scorer decides it. A two-level scale such as 1/5 is an ordinary scale.
 */
export function isBinaryScale(scale: { scaleKind: 'binary' | 'ordinal'; scaleMin: number; scaleMax: number }): boolean {
  return scale.scaleKind === 'binary' && scale.scaleMin === 0 && scale.scaleMax === 1;
}

/** Upstream's normalisation: the score over the scale's top (the bottom counts only when it is 0). */
export function normaliseByMax(score: number, max: number): number {
  if (!Number.isFinite(max) || max <= 0) throw new RangeError(`cannot normalise by the top of a scale whose top is ${max}`);
  if (!Number.isFinite(score)) throw new RangeError(`cannot normalise the score ${score}`);
  return score / max;
}

export function normaliseWith(how: Normalisation, score: number, min: number, max: number): number {
  return how === 'max' ? normaliseByMax(score, max) : normalise(score, min, max);
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
