/**
 * Turns sets of rows of a PairTable into agreement entries. Point statistics are computed at once;
 * every set also becomes a bootstrap group, and `finish()` runs ONE cluster bootstrap over all of
 * them, so every interval of a report rests on the same resamples (and paired comparisons are
 * possible between any two sets).
 */
import type { BootstrapSeries } from './bootstrap.ts';
import { BootstrapPlan } from './bootstrapPlan.ts';
import { meanSeries, percentileInterval } from './intervals.ts';
import { pointMetrics } from './metrics.ts';
import { ROW_ERROR, ROW_PENDING, ROW_USED, splitRows, type PairTable } from './pairTable.ts';
import type { AgreementEntry, BootstrapSettings, MeanOverModels, ModelBreakdown, ModelEntry } from './reportTypes.ts';

export class AgreementBuilder {
  private readonly plan: BootstrapPlan;
  private readonly fills: Array<(s: BootstrapSeries) => void> = [];
  private readonly modelGroups = new Map<MeanOverModels, number[]>();
  private series: BootstrapSeries | null = null;

  constructor(
    readonly table: PairTable,
    readonly settings: BootstrapSettings,
  ) {
    this.plan = new BootstrapPlan({ judge: table.judge, human: table.human, cluster: table.cluster }, table.clusterCount);
  }

  /**
   * Agreement of the given rows; returns the entry and its bootstrap group index (−1: none). When
   * the rows are exactly the union of groups made before (a set pooled over its models), `parts`
   * names them and the bootstrap sums their tables instead of walking the pairs again.
   */
  entry(key: string, rows: Int32Array, model?: string, parts?: number[]): { entry: AgreementEntry; group: number } {
    const t = this.table;
    let unscored = 0;
    let error = 0;
    let pending = 0;
    const used: number[] = [];
    for (const i of rows) {
      const s = t.status[i];
      if (s === ROW_USED) used.push(i);
      else if (s === ROW_ERROR) error++;
      else if (s === ROW_PENDING) pending++;
      else unscored++;
    }
    const judge = new Float64Array(used.length);
    const human = new Float64Array(used.length);
    const clusters = new Set<number>();
    for (let k = 0; k < used.length; k++) {
      judge[k] = t.judge[used[k]!]!;
      human[k] = t.human[used[k]!]!;
      clusters.add(t.cluster[used[k]!]!);
    }
    const entry: AgreementEntry = {
      ...(model === undefined ? {} : { model }),
      key,
      ...pointMetrics(judge, human),
      withHuman: rows.length,
      coverage: rows.length === 0 ? null : used.length / rows.length,
      excluded: { unscored, error, pending },
      instructions: clusters.size,
      spearmanCI: null,
      maeCI: null,
    };
    let group = -1;
    // Resampling one instruction gives the same set every time: a zero-width interval that would
    // claim certainty. Such a set gets no interval.
    if (clusters.size >= 2 && this.settings.resamples > 0) {
      group = parts ? this.plan.addUnion(parts) : this.plan.addGroup(used);
      this.fills.push((s) => {
        entry.spearmanCI = percentileInterval(s.spearman[group]!, this.settings.ci);
        entry.maeCI = percentileInterval(s.mae[group]!, this.settings.ci);
      });
    }
    return { entry, group };
  }

  /** The rows per evaluated model, their mean over models, and pooled. */
  breakdown(key: string, rows: Int32Array): ModelBreakdown {
    const models: ModelEntry[] = [];
    const groups: number[] = [];
    for (const [model, modelRows] of splitRows(rows, this.table.model)) {
      const { entry, group } = this.entry(model, modelRows, model);
      models.push(entry as ModelEntry);
      if (group >= 0) groups.push(group);
    }
    const pooled = this.entry(key, rows, undefined, groups).entry;
    const defined = models.filter((m) => m.spearman !== null);
    const withMae = models.filter((m) => m.mae !== null);
    const mean: MeanOverModels = {
      models: models.length,
      spearmanModels: defined.length,
      undefinedModels: models.filter((m) => m.spearman === null).map((m) => ({ model: m.model, reason: m.undefinedReason ?? 'undefined' })),
      n: pooled.n,
      withHuman: pooled.withHuman,
      coverage: pooled.coverage,
      spearman: defined.length === 0 ? null : defined.reduce((s, m) => s + m.spearman!, 0) / defined.length,
      spearmanCI: null,
      mae: withMae.length === 0 ? null : withMae.reduce((s, m) => s + m.mae!, 0) / withMae.length,
      maeCI: null,
    };
    if (groups.length > 0 && pooled.instructions >= 2) {
      this.modelGroups.set(mean, groups);
      this.fills.push(() => {
        const s = this.meanSeriesOf(mean)!;
        mean.spearmanCI = percentileInterval(s.spearman, this.settings.ci);
        mean.maeCI = percentileInterval(s.mae, this.settings.ci);
      });
    }
    return { key, models, meanOverModels: mean, pooled };
  }

  /** Runs the bootstrap and fills in every interval. */
  finish(): void {
    if (this.series || this.settings.resamples <= 0) return;
    this.series = this.plan.run({ resamples: this.settings.resamples, seed: this.settings.seed });
    for (const fill of this.fills) fill(this.series);
  }

  /** Per resample, the mean over models of a breakdown made by this builder (after finish()). */
  meanSeriesOf(mean: MeanOverModels): { spearman: Float64Array; mae: Float64Array } | null {
    const groups = this.modelGroups.get(mean);
    if (!this.series || !groups) return null;
    const B = this.series.resamples;
    return {
      spearman: meanSeries(groups.map((g) => this.series!.spearman[g]!), B),
      mae: meanSeries(groups.map((g) => this.series!.mae[g]!), B),
    };
  }
}
