/**
 * Many groups bootstrapped together, as a report needs them (every model, every breakdown cell,
 * pooled sets). Group by group, a resample would walk the same pairs once per group containing
 * them; instead, when the scores take few values, all groups share ONE judge × expert level space,
 * each group owns a small table in one flat array, and a resample is a single pass over the
 * clusters drawn, adding each cluster's precomputed cell counts into the tables of the groups it
 * belongs to. A group that is the union of others (pooled over models) is the sum of their tables
 * and walks no pairs at all. Continuous scores fall back to the group-by-group path.
 */
import {
  BootstrapScratch,
  TABLE_LIMIT,
  bootstrapGroup,
  clusterBootstrap,
  drawClusterWeights,
  tableStats,
  type BootstrapOptions,
  type BootstrapSeries,
  type PairArrays,
} from './bootstrap.ts';
import { levelsOf } from './levels.ts';
import { seededRandom } from './random.ts';

export class BootstrapPlan {
  private readonly members: Array<Int32Array | null> = [];
  private readonly unions: Array<number[] | null> = [];

  constructor(
    private readonly data: PairArrays,
    private readonly clusterCount: number,
  ) {}

  get size(): number {
    return this.members.length;
  }

  /** A group of pairs (positions in the data); returns its index in the series. */
  addGroup(members: ArrayLike<number>): number {
    this.members.push(Int32Array.from(members));
    this.unions.push(null);
    return this.members.length - 1;
  }

  /** A group made of disjoint groups added before, e.g. a set pooled over its models. */
  addUnion(groups: readonly number[]): number {
    for (const g of groups) if (!(g >= 0 && g < this.members.length)) throw new RangeError(`no group ${g} to join`);
    this.members.push(null);
    this.unions.push([...groups]);
    return this.members.length - 1;
  }

  /** Pairs of a group, a union's gathered from its parts. */
  private pairsOf(g: number): Int32Array {
    const own = this.members[g];
    if (own) return own;
    const parts = this.unions[g]!.map((c) => this.pairsOf(c));
    const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  run(options: BootstrapOptions): BootstrapSeries {
    const G = this.members.length;
    const seen = new Uint8Array(this.data.judge.length);
    const positions: number[] = [];
    for (const m of this.members) {
      if (!m) continue;
      for (const p of m) {
        if (!seen[p]) {
          seen[p] = 1;
          positions.push(p);
        }
      }
    }
    const lj = levelsOf(positions.map((p) => this.data.judge[p]!));
    const lh = levelsOf(positions.map((p) => this.data.human[p]!));
    const K = lj.values.length * lh.values.length;
    if (K > TABLE_LIMIT) {
      const groups = Array.from({ length: G }, (_, g) => bootstrapGroup(this.data, this.pairsOf(g), this.clusterCount));
      return clusterBootstrap(groups, this.clusterCount, options);
    }
    const kh = lh.values.length;
    const jointOf = new Int32Array(this.data.judge.length);
    positions.forEach((p, i) => (jointOf[p] = lj.index[i]! * kh + lh.index[i]!));
    const cells = this.cells(jointOf, K);

    const B = options.resamples;
    const random = seededRandom(options.seed);
    const weight = new Float64Array(this.clusterCount);
    const t = new Float64Array(G * K);
    const scratch = new BootstrapScratch([]);
    scratch.resize(lj.values.length, kh);
    const spearman = Array.from({ length: G }, () => new Float64Array(B));
    const mae = Array.from({ length: G }, () => new Float64Array(B));
    const { start, target, count } = cells;
    const C = this.clusterCount;
    for (let b = 0; b < B; b++) {
      drawClusterWeights(random, weight);
      t.fill(0);
      for (let c = 0; c < C; c++) {
        const w = weight[c]!;
        if (w === 0) continue;
        const end = start[c + 1]!;
        for (let i = start[c]!; i < end; i++) t[target[i]!]! += w * count[i]!;
      }
      for (let g = 0; g < G; g++) {
        const parts = this.unions[g];
        if (parts) {
          const to = g * K;
          for (const part of parts) {
            const from = part * K;
            for (let k = 0; k < K; k++) t[to + k]! += t[from + k]!;
          }
        }
        const s = tableStats(t, g * K, lj.values, lh.values, scratch);
        spearman[g]![b] = s.spearman;
        mae[g]![b] = s.mae;
      }
    }
    return { resamples: B, spearman, mae };
  }

  /**
   * Cluster-major cells: for cluster c, entries start[c] … start[c+1] name a slot of the flat table
   * array (group · K + joint level) and how many of the cluster's pairs fall there.
   */
  private cells(jointOf: Int32Array, K: number): { start: Int32Array; target: Int32Array; count: Float64Array } {
    const C = this.clusterCount;
    const cluster = this.data.cluster;
    const perCluster = new Int32Array(C + 1);
    let total = 0;
    for (const m of this.members) {
      if (!m) continue;
      for (const p of m) perCluster[cluster[p]! + 1]!++;
      total += m.length;
    }
    for (let c = 0; c < C; c++) perCluster[c + 1]! += perCluster[c]!;
    const fill = perCluster.slice(0, C);
    const slot = new Int32Array(total);
    this.members.forEach((m, g) => {
      if (!m) return;
      for (const p of m) slot[fill[cluster[p]!]!++] = g * K + jointOf[p]!;
    });
    const scratch = new Float64Array(this.members.length * K);
    const touched: number[] = [];
    const start = new Int32Array(C + 1);
    const target: number[] = [];
    const count: number[] = [];
    for (let c = 0; c < C; c++) {
      for (let i = perCluster[c]!; i < perCluster[c + 1]!; i++) {
        const s = slot[i]!;
        if (scratch[s] === 0) touched.push(s);
        scratch[s]!++;
      }
      for (const s of touched) {
        target.push(s);
        count.push(scratch[s]!);
        scratch[s] = 0;
      }
      touched.length = 0;
      start[c + 1] = target.length;
    }
    return { start, target: Int32Array.from(target), count: Float64Array.from(count) };
  }
}
