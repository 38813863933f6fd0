/**
 * Correlations between a judge's scores and the experts'. Each returns null where the coefficient is
 * undefined (fewer than two pairs, or a constant input), never NaN.
 */
import { averageRanks, levelsOf } from './levels.ts';

function checkLengths(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new RangeError(`paired inputs differ in length: ${x.length} and ${y.length}`);
}

/** Pearson's r, computed around the means (two passes) so large offsets cost no precision. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  checkLengths(x, y);
  const n = x.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  // A constant input has no correlation; test the values, not the sums, which rounding leaves at
  // ±1e-17 for constants such as 2/3.
  if (sxx === 0 || syy === 0 || allEqual(x) || allEqual(y)) return null;
  return clampUnit(sxy / Math.sqrt(sxx * syy));
}

/** Spearman's ρ: Pearson's r of the ranks, ties given their average rank. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  checkLengths(x, y);
  if (x.length < 2) return null;
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Kendall's τ-b in O(n log n) (Knight, 1966): sort the pairs by (x, y), count ties in x, in y and
 * in both, then count the discordant pairs as the inversions a merge sort of the y sequence makes.
 * Values are first mapped to dense level indices so the sort is a native sort of numeric keys.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  checkLengths(x, y);
  const n = x.length;
  if (n < 2) return null;
  const lx = levelsOf(x);
  const ly = levelsOf(y);
  const ky = ly.values.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = lx.index[i]! * ky + ly.index[i]!;
  keys.sort();

  const total = (n * (n - 1)) / 2;
  const xTies = tiedPairs(lx.counts);
  const yTies = tiedPairs(ly.counts);
  let jointTies = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && keys[i] === keys[i - 1]) run++;
    else {
      jointTies += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) ys[i] = keys[i]! % ky;
  const discordant = countInversions(ys);

  const denomX = total - xTies;
  const denomY = total - yTies;
  if (denomX === 0 || denomY === 0) return null;
  const diff = total - xTies - yTies + jointTies - 2 * discordant;
  return clampUnit(diff / Math.sqrt(denomX) / Math.sqrt(denomY));
}

function tiedPairs(counts: Float64Array): number {
  let t = 0;
  for (let k = 0; k < counts.length; k++) t += (counts[k]! * (counts[k]! - 1)) / 2;
  return t;
}

/** Pairs i < j with a[i] > a[j] (equal values are not inversions), by bottom-up merge sort. */
export function countInversions(input: Int32Array): number {
  const n = input.length;
  let src = Int32Array.from(input);
  let dst = new Int32Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j]! < src[i]!) {
          dst[k++] = src[j++]!;
          inversions += mid - i;
        } else dst[k++] = src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return inversions;
}

// Rounding can push a perfect correlation a hair past ±1.
function clampUnit(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** True when every value equals the first (exactly). */
export function allEqual(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}
