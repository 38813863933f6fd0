/**
 * Bootstrap of the leaderboard: how much a model's score would move had other instructions been
 * drawn. The criteria of one instruction (and several models' answers to it) are not independent,
 * so a resample draws instructions (clusters) with replacement and keeps all of their pairs — for
 * every model at once, so the series of two models are paired and their difference has a paired
 * interval (a model measured on few instructions gets a wide one).
 *
 * A resample only weights clusters, so each model's scored pairs are reduced once to per
 * (instruction, criterion) sums; a resample adds weighted sums into per-criterion accumulators and
 * hands them to the report's own summary function, so whatever that function does (which criteria
 * it summarises, how it groups them) is exactly what the intervals describe.
 */
import { drawClusterWeights } from '../meta/bootstrap.ts';
import { seededRandom } from '../meta/random.ts';

/** What a resample fills per criterion: the sum of normalised values and their (weighted) count. */
export interface WeightedAcc {
  sum: number;
  scored: number;
  total: number;
}

/** Scored pairs reduced per (model, instruction, criterion). */
export class ClusterCells {
  private readonly clusterIndex = new Map<string, number>();
  private readonly perModel: Array<Map<number, Map<number, { sum: number; n: number }>>> = [];

  get clusters(): number {
    return this.clusterIndex.size;
  }

  /**
   * The dense index of an instruction. Every instruction with an answer is a cluster, scored or not:
   * resampling draws from all instructions asked, as a rerun would.
   */
  cluster(instructionId: string): number {
    let c = this.clusterIndex.get(instructionId);
    if (c === undefined) this.clusterIndex.set(instructionId, (c = this.clusterIndex.size));
    return c;
  }

  add(model: number, instructionId: string, criterion: number, value: number): void {
    const c = this.cluster(instructionId);
    const byCluster = (this.perModel[model] ??= new Map());
    let byCriterion = byCluster.get(c);
    if (!byCriterion) byCluster.set(c, (byCriterion = new Map()));
    const cell = byCriterion.get(criterion);
    if (cell) {
      cell.sum += value;
      cell.n++;
    } else byCriterion.set(criterion, { sum: value, n: 1 });
  }

  /** Flat cluster-major arrays of one model's cells. */
  frozen(model: number): FrozenCells {
    const byCluster = this.perModel[model] ?? new Map<number, Map<number, { sum: number; n: number }>>();
    const clusters = new Int32Array(byCluster.size);
    const start = new Int32Array(byCluster.size + 1);
    const criterion: number[] = [];
    const sum: number[] = [];
    const n: number[] = [];
    let i = 0;
    for (const [c, cells] of byCluster) {
      clusters[i] = c;
      for (const [k, cell] of cells) {
        criterion.push(k);
        sum.push(cell.sum);
        n.push(cell.n);
      }
      start[++i] = criterion.length;
    }
    return { clusters, start, criterion: Int32Array.from(criterion), sum: Float64Array.from(sum), n: Float64Array.from(n) };
  }
}

export interface FrozenCells {
  clusters: Int32Array;
  start: Int32Array;
  criterion: Int32Array;
  sum: Float64Array;
  n: Float64Array;
}

export interface SummarySeries {
  micro: Float64Array;
  macro: Float64Array;
}

/**
 * Per model, the micro and macro of every resample (NaN where undefined). `accs[m]` are the model's
 * accumulators indexed by criterion (present exactly where the model has pairs), reset and refilled
 * for every resample; `summarise` is the report's summary over them.
 */
export function bootstrapSummaries<A extends WeightedAcc>(
  models: readonly FrozenCells[],
  accs: ReadonlyArray<ReadonlyArray<A | undefined>>,
  clusterCount: number,
  options: { resamples: number; seed: number },
  summarise: (accs: ReadonlyArray<A | undefined>) => { micro: number | null; macro: number | null },
): SummarySeries[] {
  const B = options.resamples;
  const random = seededRandom(options.seed);
  const weight = new Float64Array(clusterCount);
  const out = models.map(() => ({ micro: new Float64Array(B), macro: new Float64Array(B) }));
  for (let b = 0; b < B; b++) {
    drawClusterWeights(random, weight);
    for (let m = 0; m < models.length; m++) {
      const cells = models[m]!;
      const own = accs[m]!;
      for (const a of own) {
        if (!a) continue;
        a.sum = 0;
        a.scored = 0;
        a.total = 0;
      }
      const { clusters, start, criterion, sum, n } = cells;
      for (let p = 0; p < clusters.length; p++) {
        const w = weight[clusters[p]!]!;
        if (w === 0) continue;
        const end = start[p + 1]!;
        for (let i = start[p]!; i < end; i++) {
          const a = own[criterion[i]!]!;
          a.sum += w * sum[i]!;
          a.scored += w * n[i]!;
          a.total += w * n[i]!;
        }
      }
      const s = summarise(own);
      out[m]!.micro[b] = s.micro ?? NaN;
      out[m]!.macro[b] = s.macro ?? NaN;
    }
  }
  return out;
}
