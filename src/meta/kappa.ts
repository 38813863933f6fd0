/**
 * Cohen's κ with quadratic weights, the way scikit-learn's cohen_kappa_score(weights='quadratic')
 * defines it: the categories are the union of the values both raters used, sorted, and the weight
 * of a disagreement is the squared distance between category indices.
 */
import { levelsOf } from './levels.ts';

/**
 * κ = 1 − Σ w·O / Σ w·E. The expected term is expanded algebraically,
 * Σ_ij a_i b_j (i − j)² / N = Σ a_i i² + Σ b_j j² − 2 (Σ a_i i)(Σ b_j j) / N,
 * so no K × K matrix is built and continuous scores (many categories) stay O(n log n).
 * Null when the expected disagreement is zero (both raters constant, or fewer than one pair).
 */
export function quadraticWeightedKappa(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new RangeError(`paired inputs differ in length: ${a.length} and ${b.length}`);
  const n = a.length;
  if (n === 0) return null;
  const joined = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    joined[i] = a[i]!;
    joined[n + i] = b[i]!;
  }
  const { index } = levelsOf(joined);
  let observed = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const ia = index[i]!;
    const ib = index[n + i]!;
    observed += (ia - ib) * (ia - ib);
    sa += ia;
    sb += ib;
    saa += ia * ia;
    sbb += ib * ib;
  }
  const expected = saa + sbb - (2 * sa * sb) / n;
  if (expected <= 0) return null;
  return 1 - observed / expected;
}
