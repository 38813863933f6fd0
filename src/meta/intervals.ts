/** Turning bootstrap series into reported numbers: means over models, paired differences, intervals. */

/** Per resample, the mean of the series' defined values (NaN when none is defined). */
export function meanSeries(series: readonly Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (let b = 0; b < length; b++) {
    let s = 0;
    let k = 0;
    for (const x of series) {
      const v = x[b]!;
      if (!Number.isNaN(v)) {
        s += v;
        k++;
      }
    }
    out[b] = k === 0 ? NaN : s / k;
  }
  return out;
}

export function differenceSeries(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

export interface Interval {
  lo: number;
  hi: number;
  /** Resamples in which the statistic was defined (the interval is taken over these). */
  defined: number;
}

/**
 * The percentile interval at `level` (e.g. 0.95 → 2.5th and 97.5th percentiles, linear
 * interpolation between order statistics as numpy's default). Null when fewer than half of the
 * resamples gave a defined value: an interval over the few survivors would be misleading.
 */
export function percentileInterval(series: Float64Array, level: number): Interval | null {
  const defined = series.filter((v) => !Number.isNaN(v)).sort();
  if (defined.length === 0 || defined.length * 2 < series.length) return null;
  const alpha = (1 - level) / 2;
  return { lo: quantileSorted(defined, alpha), hi: quantileSorted(defined, 1 - alpha), defined: defined.length };
}

export function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
