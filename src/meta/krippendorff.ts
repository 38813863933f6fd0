/**
 * Krippendorff's α for two coders (the judge and the experts) who both rated every unit.
 *
 * With two values per unit the coincidence matrix gets 1 in (a, b) and (b, a) for each unit, so
 * with n = 2N pooled values:  D_o = Σ_u 2δ²(a_u, b_u) / n  and  D_e = Σ_{i,j} δ²(v_i, v_j) / (n(n−1)).
 * For the interval metric δ² = (c − k)² the double sum is 2n·SS (SS: squared deviations of the pooled
 * values from their mean), giving α = 1 − (n − 1) Σ (a − b)² / (n · SS).
 * The ordinal metric δ(c, k) = Σ_{g=c..k} n_g − (n_c + n_k)/2 equals F(k) − F(c) with
 * F(v) = (pooled values below v) + n_v / 2, which is the pooled average rank minus ½; so ordinal α is
 * interval α of the pooled average ranks. Both are O(n log n) and need no K × K table.
 */
import { allEqual } from './correlation.ts';
import { averageRanks } from './levels.ts';

export function krippendorffAlphaInterval(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new RangeError(`paired inputs differ in length: ${a.length} and ${b.length}`);
  const units = a.length;
  if (units === 0) return null;
  const n = 2 * units;
  let sum = 0;
  for (let i = 0; i < units; i++) sum += a[i]! + b[i]!;
  const mean = sum / n;
  let ss = 0;
  let within = 0;
  for (let i = 0; i < units; i++) {
    const da = a[i]! - mean;
    const db = b[i]! - mean;
    ss += da * da + db * db;
    within += (a[i]! - b[i]!) * (a[i]! - b[i]!);
  }
  // Exact test on the values: rounding leaves ss a hair above 0 for constants such as 2/3.
  if (ss === 0 || (allEqual(a) && allEqual(b) && a[0] === b[0])) return null;
  return 1 - ((n - 1) * within) / (n * ss);
}

export function krippendorffAlphaOrdinal(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new RangeError(`paired inputs differ in length: ${a.length} and ${b.length}`);
  const units = a.length;
  if (units === 0) return null;
  const pooled = new Float64Array(2 * units);
  for (let i = 0; i < units; i++) {
    pooled[i] = a[i]!;
    pooled[units + i] = b[i]!;
  }
  const ranks = averageRanks(pooled);
  return krippendorffAlphaInterval(ranks.subarray(0, units), ranks.subarray(units));
}
