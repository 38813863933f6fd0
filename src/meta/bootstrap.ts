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
import { levelsOf } from './levels.ts';
import { seededRandom, type Random } from './random.ts';

/** Judge × expert tables up to this many cells use the table path. */
export const TABLE_LIMIT = 4096;

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
  table = new Float64Array(0);
  wj = new Float64Array(0);
  wh = new Float64Array(0);
  rj = new Float64Array(0);
  rh = new Float64Array(0);
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
    this.resize(kj, kh);
  }

  /** Makes room for kj judge levels and kh expert levels. */
  resize(kj: number, kh: number): void {
    if (this.wj.length < kj) {
      this.wj = new Float64Array(kj);
      this.rj = new Float64Array(kj);
    }
    if (this.wh.length < kh) {
      this.wh = new Float64Array(kh);
      this.rh = new Float64Array(kh);
    }
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
  // Fields are copied into locals: typed-array stores in the hot loops would otherwise make V8
  // reload them on every iteration.
  const kj = g.judgeLevels.length;
  const kh = g.humanLevels.length;
  const { clusters, cellStart, cellCount, judgeLevels, humanLevels } = g;
  const nClusters = clusters.length;
  const { wj, wh, rj, rh } = scratch;
  wj.fill(0, 0, kj);
  wh.fill(0, 0, kh);
  let total = 0;
  let absSum = 0;
  let cov = 0;
  if (g.table) {
    const t = scratch.table;
    const joint = g.cellJoint;
    t.fill(0, 0, kj * kh);
    for (let p = 0; p < nClusters; p++) {
      const w = weight[clusters[p]!]!;
      if (w === 0) continue;
      const end = cellStart[p + 1]!;
      for (let c = cellStart[p]!; c < end; c++) t[joint[c]!]! += w * cellCount[c]!;
    }
    return tableStats(t, 0, judgeLevels, humanLevels, scratch);
  }
  {
    const cj = g.cellJ;
    const ch = g.cellH;
    for (let p = 0; p < nClusters; p++) {
      const w = weight[clusters[p]!]!;
      if (w === 0) continue;
      const end = cellStart[p + 1]!;
      for (let c = cellStart[p]!; c < end; c++) {
        const v = w * cellCount[c]!;
        const j = cj[c]!;
        const h = ch[c]!;
        wj[j]! += v;
        wh[h]! += v;
        total += v;
        absSum += v * Math.abs(judgeLevels[j]! - humanLevels[h]!);
      }
    }
    ranksInto(wj, kj, rj);
    ranksInto(wh, kh, rh);
    const mean = (total + 1) / 2;
    for (let p = 0; p < nClusters; p++) {
      const w = weight[clusters[p]!]!;
      if (w === 0) continue;
      const end = cellStart[p + 1]!;
      for (let c = cellStart[p]!; c < end; c++) cov += w * cellCount[c]! * (rj[cj[c]!]! - mean) * (rh[ch[c]!]! - mean);
    }
    return finish(wj, wh, rj, rh, kj, kh, total, absSum, cov);
  }
}

/**
 * ρ and MAE from a weighted judge × expert table stored row-major (judge level major) at `offset`
 * of `t`. Levels with zero weight are harmless: they add nothing to any sum.
 */
export function tableStats(
  t: Float64Array,
  offset: number,
  judgeLevels: Float64Array,
  humanLevels: Float64Array,
  scratch: BootstrapScratch,
): WeightedStats {
  const kj = judgeLevels.length;
  const kh = humanLevels.length;
  const { wj, wh, rj, rh } = scratch;
  wj.fill(0, 0, kj);
  wh.fill(0, 0, kh);
  let absSum = 0;
  for (let j = 0; j < kj; j++) {
    const row = offset + j * kh;
    for (let h = 0; h < kh; h++) {
      const v = t[row + h]!;
      if (v === 0) continue;
      wj[j]! += v;
      wh[h]! += v;
      absSum += v * Math.abs(judgeLevels[j]! - humanLevels[h]!);
    }
  }
  let total = 0;
  for (let j = 0; j < kj; j++) total += wj[j]!;
  ranksInto(wj, kj, rj);
  ranksInto(wh, kh, rh);
  const mean = (total + 1) / 2;
  let cov = 0;
  for (let j = 0; j < kj; j++) {
    const dj = rj[j]! - mean;
    const row = offset + j * kh;
    for (let h = 0; h < kh; h++) {
      const v = t[row + h]!;
      if (v !== 0) cov += v * dj * (rh[h]! - mean);
    }
  }
  return finish(wj, wh, rj, rh, kj, kh, total, absSum, cov);
}

function finish(
  wj: Float64Array,
  wh: Float64Array,
  rj: Float64Array,
  rh: Float64Array,
  kj: number,
  kh: number,
  total: number,
  absSum: number,
  cov: number,
): WeightedStats {
  const mean = (total + 1) / 2;
  let vj = 0;
  let vh = 0;
  for (let j = 0; j < kj; j++) vj += wj[j]! * (rj[j]! - mean) ** 2;
  for (let h = 0; h < kh; h++) vh += wh[h]! * (rh[h]! - mean) ** 2;
  const rho = total < 2 || vj === 0 || vh === 0 ? NaN : Math.max(-1, Math.min(1, cov / Math.sqrt(vj * vh)));
  return { spearman: rho, mae: total === 0 ? NaN : absSum / total };
}

/** levelRanks over the first k entries, without allocating a view. */
function ranksInto(w: Float64Array, k: number, out: Float64Array): void {
  let below = 0;
  for (let i = 0; i < k; i++) {
    const x = w[i]!;
    out[i] = below + (x + 1) / 2;
    below += x;
  }
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

/** One resample: how often each of the clusters is drawn, drawing as many as there are. */
export function drawClusterWeights(random: Random, weight: Float64Array): void {
  const n = weight.length;
  weight.fill(0);
  for (let i = 0; i < n; i++) weight[random.below(n)]!++;
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
    drawClusterWeights(random, weight);
    for (let g = 0; g < groups.length; g++) {
      const s = weightedStats(groups[g]!, weight, scratch);
      spearman[g]![b] = s.spearman;
      mae[g]![b] = s.mae;
    }
  }
  return { resamples: B, spearman, mae };
}

