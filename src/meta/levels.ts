/**
 * Distinct values and ranks. Every rank-based statistic here (Spearman, Kendall, kappa, ordinal
 * alpha, the bootstrap) works on dense level indices: a few distinct values (the usual case for
 * scores) are found by hashing, many by one native typed-array sort and binary search; objects are
 * never sorted with a comparator.
 */

export interface Levels {
  /** Distinct values, ascending. */
  values: Float64Array;
  /** For each input position, the index of its value in `values`. */
  index: Int32Array;
  /** How many inputs hold each distinct value. */
  counts: Float64Array;
}

// Above this many distinct values, hashing loses to one native sort.
const HASHED_LEVELS_LIMIT = 512;

export function levelsOf(x: ArrayLike<number>): Levels {
  return hashedLevels(x) ?? sortedLevels(x);
}

/** Scores usually take a handful of values: a hash of them avoids sorting n numbers. */
function hashedLevels(x: ArrayLike<number>): Levels | null {
  const n = x.length;
  const slots = new Map<number, number>();
  const slotOf = new Int32Array(n);
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let s = slots.get(v);
    if (s === undefined) {
      if (seen.length === HASHED_LEVELS_LIMIT) return null;
      s = seen.length;
      slots.set(v, s);
      seen.push(v);
    }
    slotOf[i] = s;
  }
  const values = Float64Array.from(seen).sort();
  const rankOfSlot = new Int32Array(seen.length);
  for (let k = 0; k < values.length; k++) rankOfSlot[slots.get(values[k]!)!] = k;
  const index = new Int32Array(n);
  const counts = new Float64Array(values.length);
  for (let i = 0; i < n; i++) {
    const k = rankOfSlot[slotOf[i]!]!;
    index[i] = k;
    counts[k]!++;
  }
  return { values, index, counts };
}

function sortedLevels(x: ArrayLike<number>): Levels {
  const n = x.length;
  const sorted = Float64Array.from(x as ArrayLike<number>).sort();
  let k = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[k++] = sorted[i]!;
  const values = sorted.slice(0, k);
  const index = new Int32Array(n);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    index[i] = lo;
    counts[lo]!++;
  }
  return { values, index, counts };
}

/**
 * The average (1-based) rank of each level given how much weight each level holds: a level holding
 * w of the total after `below` lower ones gets rank below + (w + 1) / 2, i.e. tied values share the
 * mean of the ranks they occupy. Works for fractional weights too, which the bootstrap relies on.
 */
export function levelRanks(counts: ArrayLike<number>, out: Float64Array = new Float64Array(counts.length)): Float64Array {
  let below = 0;
  for (let k = 0; k < counts.length; k++) {
    const w = counts[k]!;
    out[k] = below + (w + 1) / 2;
    below += w;
  }
  return out;
}

/** Ranks with ties averaged (scipy.stats.rankdata's default, 'average'). */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const { index, counts } = levelsOf(x);
  const r = levelRanks(counts);
  const out = new Float64Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = r[index[i]!]!;
  return out;
}
