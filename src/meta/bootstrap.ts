/**
 * Cluster bootstrap for Spearman's ρ and MAE.
 *
 * The criteria of one instruction are not independent, so a resample draws instructions (clusters)
 * with replacement and keeps all of their pairs. A resample is then just an integer weight per
 * cluster (how often it was drawn), and Spearman with average ranks of a sample where pairs repeat is
 * the weighted Pearson correlation of weighted average ranks: a level holding weight w after `below`
 * gets rank below + (w + 1)/2. So nothing is re-sorted per resample: each group's pairs are grouped by
 * cluster once, and a resample is one pass over them.
 *
 * Discrete scores (the usual case: 0–2 judges, averaged experts) are compressed further: pairs with
 * the same cluster and the same (judge, expert) levels become one cell with a count, and a resample
 * adds cluster weights into a small judge × expert table from which ρ and MAE follow.
 *
 * Internally an undefined value in a resample series is NaN; it never leaves this module as a
 * number (intervals are computed over the defined values and are null when too few are defined).
 */
import { levelRanks, levelsOf } from './levels.ts';
import { seededRandom } from './random.ts';

/** Judge × expert tables up to this many cells use the table path. */
const TABLE_LIMIT = 4096;

/** One set of pairs whose ρ and MAE are bootstrapped (a model, a domain, a criterion group …). */
export interface BootstrapGroup {
  readonly pairs: number;
  readonly judgeLevels: Float64Array;
  readonly humanLevels: Float64Array;
  /** Clusters present in the group and, for each, its range of cells. */
  readonly clusters: Int32Array;
  readonly cellStart: Int32Array;
  /** Table path: cell = joint level index j·kh + h. Pair path: cellJ/cellH per pair. */
  readonly table: boolean;
  readonly cellJoint: Int32Array;
  readonly cellJ: Int32Array;
  readonly cellH: Int32Array;
  readonly cellCount: Float64Array;
}

export interface PairArrays {
  judge: ArrayLike<number>;
  human: ArrayLike<number>;
  /** Dense cluster id (0 … clusterCount − 1) of every pair. */
  cluster: ArrayLike<number>;
}

/** Prepares the pairs at positions `members` of `data` for resampling. */
export function bootstrapGroup(data: PairArrays, members: ArrayLike<number>, clusterCount: number): BootstrapGroup {
  const m = members.length;
  const gj = new Float64Array(m);
  const gh = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    gj[p] = data.judge[members[p]!]!;
    gh[p] = data.human[members[p]!]!;
  }
  const lj = levelsOf(gj);
  const lh = levelsOf(gh);
  const kh = lh.values.length;
  const table = lj.values.length * kh <= TABLE_LIMIT;

  // Counting sort of the group's pairs by cluster.
  const perCluster = new Int32Array(clusterCount + 1);
  for (let p = 0; p < m; p++) perCluster[data.cluster[members[p]!]! + 1]!++;
  for (let c = 0; c < clusterCount; c++) perCluster[c + 1]! += perCluster[c]!;
  const order = new Int32Array(m);
  const fill = perCluster.slice(0, clusterCount);
  for (let p = 0; p < m; p++) order[fill[data.cluster[members[p]!]!]!++] = p;

  const clusters: number[] = [];
  const starts: number[] = [0];
  const joint: number[] = [];
  const cj: number[] = [];
  const ch: number[] = [];
  const counts: number[] = [];
  const scratch = table ? new Float64Array(lj.values.length * kh) : new Float64Array(0);
  const touched: number[] = [];
  for (let c = 0; c < clusterCount; c++) {
    const from = perCluster[c]!;
    const to = perCluster[c + 1]!;
    if (from === to) continue;
    clusters.push(c);
    for (let q = from; q < to; q++) {
      const p = order[q]!;
      if (table) {
        const jh = lj.index[p]! * kh + lh.index[p]!;
        if (scratch[jh] === 0) touched.push(jh);
        scratch[jh]!++;
      } else {
        cj.push(lj.index[p]!);
        ch.push(lh.index[p]!);
        counts.push(1);
      }
    }
    if (table) {
      for (const jh of touched) {
        joint.push(jh);
        counts.push(scratch[jh]!);
        scratch[jh] = 0;
      }
      touched.length = 0;
    }
    starts.push(counts.length);
  }
  return {
    pairs: m,
    judgeLevels: lj.values,
    humanLevels: lh.values,
    clusters: Int32Array.from(clusters),
    cellStart: Int32Array.from(starts),
    table,
    cellJoint: Int32Array.from(joint),
    cellJ: Int32Array.from(cj),
    cellH: Int32Array.from(ch),
    cellCount: Float64Array.from(counts),
  };
}

/** Buffers reused across resamples, sized for the largest group. */
export class BootstrapScratch {
  table: Float64Array;
  wj: Float64Array;
  wh: Float64Array;
  rj: Float64Array;
  rh: Float64Array;
  constructor(groups: readonly BootstrapGroup[]) {
    let t = 0;
    let kj = 0;
    let kh = 0;
    for (const g of groups) {
      if (g.table) t = Math.max(t, g.judgeLevels.length * g.humanLevels.length);
      kj = Math.max(kj, g.judgeLevels.length);
      kh = Math.max(kh, g.humanLevels.length);
    }
    this.table = new Float64Array(t);
    this.wj = new Float64Array(kj);
    this.wh = new Float64Array(kh);
    this.rj = new Float64Array(kj);
    this.rh = new Float64Array(kh);
  }
}

export interface WeightedStats {
  spearman: number;
  mae: number;
}

/**
 * ρ and MAE of a group when cluster c counts `weight[c]` times (NaN where undefined). With every
 * weight 1 this is the plain statistic of the group.
 */
export function weightedStats(g: BootstrapGroup, weight: ArrayLike<number>, scratch = new BootstrapScratch([g])): WeightedStats {
  const kj = g.judgeLevels.length;
  const kh = g.humanLevels.length;
  const wj = scratch.wj.subarray(0, kj).fill(0);
  const wh = scratch.wh.subarray(0, kh).fill(0);
  const rj = scratch.rj.subarray(0, kj);
  const rh = scratch.rh.subarray(0, kh);
  let total = 0;
  let absSum = 0;
  let cov = 0;
  if (g.table) {
    const t = scratch.table.subarray(0, kj * kh).fill(0);
    for (let p = 0; p < g.clusters.length; p++) {
      const w = weight[g.clusters[p]!]!;
      if (w === 0) continue;
      for (let c = g.cellStart[p]!; c < g.cellStart[p + 1]!; c++) t[g.cellJoint[c]!]! += w * g.cellCount[c]!;
    }
    for (let j = 0; j < kj; j++) {
      for (let h = 0; h < kh; h++) {
        const v = t[j * kh + h]!;
        if (v === 0) continue;
        wj[j]! += v;
        wh[h]! += v;
        absSum += v * Math.abs(g.judgeLevels[j]! - g.humanLevels[h]!);
      }
    }
    for (let j = 0; j < kj; j++) total += wj[j]!;
    levelRanks(wj, rj);
    levelRanks(wh, rh);
    const mean = (total + 1) / 2;
    for (let j = 0; j < kj; j++) {
      const dj = rj[j]! - mean;
      for (let h = 0; h < kh; h++) {
        const v = t[j * kh + h]!;
        if (v !== 0) cov += v * dj * (rh[h]! - mean);
      }
    }
  } else {
    for (let p = 0; p < g.clusters.length; p++) {
      const w = weight[g.clusters[p]!]!;
      if (w === 0) continue;
      for (let c = g.cellStart[p]!; c < g.cellStart[p + 1]!; c++) {
        const v = w * g.cellCount[c]!;
        const j = g.cellJ[c]!;
        const h = g.cellH[c]!;
        wj[j]! += v;
        wh[h]! += v;
        total += v;
        absSum += v * Math.abs(g.judgeLevels[j]! - g.humanLevels[h]!);
      }
    }
    levelRanks(wj, rj);
    levelRanks(wh, rh);
    const mean = (total + 1) / 2;
    for (let p = 0; p < g.clusters.length; p++) {
      const w = weight[g.clusters[p]!]!;
      if (w === 0) continue;
      for (let c = g.cellStart[p]!; c < g.cellStart[p + 1]!; c++) {
        cov += w * g.cellCount[c]! * (rj[g.cellJ[c]!]! - mean) * (rh[g.cellH[c]!]! - mean);
      }
    }
  }
  const mean = (total + 1) / 2;
  let vj = 0;
  let vh = 0;
  for (let j = 0; j < kj; j++) vj += wj[j]! * (rj[j]! - mean) ** 2;
  for (let h = 0; h < kh; h++) vh += wh[h]! * (rh[h]! - mean) ** 2;
  const rho = total < 2 || vj === 0 || vh === 0 ? NaN : Math.max(-1, Math.min(1, cov / Math.sqrt(vj * vh)));
  return { spearman: rho, mae: total === 0 ? NaN : absSum / total };
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
}

/** Per group, the ρ and MAE of every resample (NaN where undefined). */
export interface BootstrapSeries {
  resamples: number;
  spearman: Float64Array[];
  mae: Float64Array[];
}

/**
 * Draws `resamples` cluster resamples and evaluates every group on each. All groups see the same
 * draws, so series of different groups (two judges, a model and the pooled set) are paired.
 */
export function clusterBootstrap(groups: readonly BootstrapGroup[], clusterCount: number, options: BootstrapOptions): BootstrapSeries {
  const B = options.resamples;
  const random = seededRandom(options.seed);
  const scratch = new BootstrapScratch(groups);
  const weight = new Float64Array(clusterCount);
  const spearman = groups.map(() => new Float64Array(B));
  const mae = groups.map(() => new Float64Array(B));
  for (let b = 0; b < B; b++) {
    weight.fill(0);
    for (let i = 0; i < clusterCount; i++) weight[random.below(clusterCount)]!++;
    for (let g = 0; g < groups.length; g++) {
      const s = weightedStats(groups[g]!, weight, scratch);
      spearman[g]![b] = s.spearman;
      mae[g]![b] = s.mae;
    }
  }
  return { resamples: B, spearman, mae };
}

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
