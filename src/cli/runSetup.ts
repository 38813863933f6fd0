import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { JudgeBackend, TemplateName } from '../core/types.ts';
import { readDataset, type DatasetReader } from '../data/dataset.ts';
import { validateDataset } from '../data/plan.ts';
import type { DatasetOptions, DatasetStats } from '../data/datasetTypes.ts';
import { RejectsWriter, rejectsPathFor, summarizeProblems } from '../data/problems.ts';
import { tableFormatOf } from '../data/table.ts';
import { fileFingerprint } from '../engine/fingerprint.ts';
import type { RunManifest } from '../store/index.ts';
import { polluxTaxonomyVersion } from '../taxonomy/index.ts';
import { TOOL_VERSION } from './version.ts';

/** The default run file: the same command always resumes the same file. */
export function defaultRunPath(dataset: string, model: string, template: TemplateName): string {
  const stem = basename(dataset, extname(dataset)).replace(/[^\p{L}\p{N}._-]+/gu, '_');
  const judge = model.replace(/[^\p{L}\p{N}._-]+/gu, '_');
  return join('runs', `${stem}__${judge}__${template}.sqlite`);
}

export function ensureParentDir(file: string): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
}

/** Several endpoints must be replicas of one judge: same model, same parameters. */
export function judgeIdentity(backends: JudgeBackend[]): { backend: string; model: string; params: Record<string, unknown>; endpoints: string[] } {
  const first = backends[0]?.describe();
  if (!first) throw new UsageError('--judge: no endpoint given');
  for (const b of backends.slice(1)) {
    const d = b.describe();
    if (d.model !== first.model) {
      throw new UsageError(`--judge: endpoints serve different models (${first.endpoint}: ${first.model}, ${d.endpoint}: ${d.model}); pass --model or use replicas of one judge`);
    }
  }
  return { backend: first.backend, model: first.model, params: first.params, endpoints: backends.map((b) => b.describe().endpoint ?? first.model) };
}

export async function buildManifest(args: {
  dataset: string;
  datasetOptions: DatasetOptions;
  template: TemplateName;
  judge: RunManifest['judge'];
  repeat: number;
  options: Record<string, unknown>;
}): Promise<RunManifest> {
  const now = new Date().toISOString();
  const answers = args.datasetOptions.answers;
  return {
    formatVersion: 1,
    createdAt: now,
    updatedAt: now,
    toolVersion: TOOL_VERSION,
    taxonomyVersion: args.options.polluxCriteria === false ? null : polluxTaxonomyVersion(),
    dataset: {
      path: args.dataset,
      fingerprint: await fileFingerprint(args.dataset),
      format: tableFormatOf(args.dataset, args.datasetOptions.format),
      shape: args.datasetOptions.shape ?? null,
      answers: answers ? { path: answers, fingerprint: await fileFingerprint(answers) } : null,
    },
    template: args.template,
    judge: args.judge,
    repeat: args.repeat,
    options: args.options,
  };
}

/**
 * The dataset as the engine reads it: the first pass reports problems (to stderr and to the rejects
 * file next to the run file); later passes read the same rows silently.
 */
export class DatasetPasses {
  private passes = 0;
  readonly rejects: RejectsWriter;
  firstStats: DatasetStats | null = null;

  constructor(
    private readonly file: string,
    private readonly options: DatasetOptions,
    outputPath: string,
  ) {
    this.rejects = new RejectsWriter(rejectsPathFor(outputPath));
  }

  open = (): DatasetReader => {
    const first = this.passes++ === 0;
    const reader = readDataset(
      this.file,
      first ? { ...this.options, onProblem: (p) => this.rejects.write(p) } : { ...this.options, strict: false, checkDuplicates: false },
    );
    if (first) this.firstStats = reader.stats;
    return reader;
  };

  /** `--strict`: read everything once before any judging; the first problem throws (exit 2). */
  async validateStrict(): Promise<void> {
    await validateDataset(this.file, { ...this.options, strict: true });
  }

  problemLines(): string[] {
    const s = this.firstStats;
    if (!s) return [];
    const rejectsFile = this.rejects.close();
    return summarizeProblems({ rows: s.rows, rejected: s.rejected, problemCount: s.problemCount, firstProblems: s.firstProblems, rejectsFile });
  }
}
