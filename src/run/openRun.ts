import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { InputError, UsageError, errorMessage } from '../core/errors.ts';
import { refuseClobbering, type NamedPath } from '../core/outputPaths.ts';
import type { CriteriaCatalog, JudgeBackend, TemplateName } from '../core/types.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { readDataset, type DatasetReader } from '../data/dataset.ts';
import type { DatasetOptions, DatasetShape, DatasetStats } from '../data/datasetTypes.ts';
import { planDataset, validateDataset, type DatasetPlan, type PlanOptions } from '../data/plan.ts';
import { RejectsWriter, rejectsPathFor, summarizeProblems } from '../data/problems.ts';
import { tableFormatOf } from '../data/table.ts';
import type { TableFormat } from '../data/tableTypes.ts';
import { importBatchInto, openBatchOutput, openRunFileForImport, writeBatchRequests, type BatchExportSummary, type BatchImportSummary, type BatchOutput } from '../engine/batch.ts';
import { fileFingerprint } from '../engine/fingerprint.ts';
import { judgeOpenRun, openForRun, type OpenRunFile, type RunEvent, type RunSummary } from '../engine/run.ts';
import type { ExecutionPolicy } from '../engine/execute.ts';
import { createJudge, judgeSpecKind, parseJudgeSpecs, type JudgeSettings } from '../judges/create.ts';
import { chatParams } from '../judges/openaiWire.ts';
import { renderPrompt } from '../prompt/render.ts';
import type { RunManifest } from '../store/index.ts';
import { buildCatalog, polluxTaxonomyVersion } from '../taxonomy/index.ts';

/**
 * Who judges a run:
 * - `endpoints`: `http(s)://HOST/v1` (several for replicas of one judge) or one `gguf:PATH` / `hf:URI`,
 *   created by openRun and closed by `close()`;
 * - `backends`: judges the caller created (and closes);
 * - `batch`: nobody yet — the requests go out as Batch API files (`exportBatch`) for a runner
 *   serving `model` with these settings; `pollux run` can later finish the same run over HTTP.
 */
export type JudgeSpec =
  | { endpoints: string | readonly string[]; settings?: JudgeSettings }
  | { backends: readonly JudgeBackend[] }
  | { batch: { model: string; settings?: JudgeSettings } };

/** Everything that defines a run: the same spec always opens (and resumes) the same run. */
export interface RunSpec {
  /** The dataset file: JSONL, JSON, CSV or Parquet. */
  dataset: string;
  /** CSV: the field delimiter (detected from the header row when absent). */
  delimiter?: string;
  /** The text encoding of the dataset and answers files (UTF-8 when absent); see `textEncodingOf`. */
  encoding?: string;
  /** What the dataset is called in the default run file name, when not its file's name (a Hub dataset's cached copy). */
  datasetName?: string;
  /** Overrides the format the extension says. */
  format?: TableFormat;
  /** Row layout; detected from the columns when absent. */
  shape?: DatasetShape;
  /** POLLUX-instructions datasets: the answers file. */
  answers?: string;
  /** Column remapping, our name → the file's name. */
  map?: Record<string, string>;
  /** Criterion keys for rows that list none. */
  criteria?: string[];
  /** Custom criteria files (YAML or JSON), merged over the POLLUX taxonomy. */
  criteriaFiles?: string[];
  /** false: only `criteriaFiles`, not the POLLUX taxonomy (default true). */
  polluxCriteria?: boolean;
  /** Read the whole dataset before judging; the first bad row throws an InputError. */
  strict?: boolean;
  /** A criterion whose rubric cell is empty takes the catalog rubric of its name (default: the row is rejected). */
  fillRubrics?: boolean;
  /** Prompt variant (default 'paper'). */
  template?: TemplateName;
  /** Judge each request k times (default 1); the repeat index is part of the request key. */
  repeat?: number;
  /** Only the first n requests of the dataset. */
  limit?: number;
  judge: JudgeSpec;
  /** The run file (default: runs/<dataset>__<model>__<template>.sqlite, relative to the working directory). */
  out?: string;
  /** The run file holds a run with other settings: move it aside and start anew (default: refuse). */
  forceNew?: boolean;
  /** Other files the caller will write (the Batch API requests file): refused, like the run file, when they would replace an input. */
  alsoWrites?: NamedPath[];
  /**
   * Requests in flight: a number, or 'auto' (AIMD). An in-process (gguf:) judge runs that many
   * parallel sequences, 1 for 'auto'. Several HTTP replicas: a number is per replica.
   */
  concurrency?: number | 'auto';
  /** Upper bound for 'auto' (default 512). */
  maxConcurrency?: number;
}

export interface JudgeOptions {
  /** Overrides the spec's concurrency for HTTP judges (an in-process judge's is fixed when it loads). */
  concurrency?: number | 'auto';
  maxConcurrency?: number;
  policy?: ExecutionPolicy;
  /** Ask again the requests whose reply had no valid score. */
  retryUnscored?: boolean;
  /** Ask again the requests that ended in an error. */
  retryErrors?: boolean;
  /** Take no new requests once aborted; those in flight finish. */
  stop?: AbortSignal;
  /** Abort the requests in flight too; they stay pending. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/** What the first read of the dataset found (rows read, rejected, the problems and where all of them went). */
export interface DatasetReport {
  stats: DatasetStats | null;
  rejectsFile: string | null;
  /** Human-readable summary lines of the problems, empty when there were none. */
  problemLines: string[];
}

/**
 * A dataset spec without a judge: what `pollux plan` reads. Opening it touches no run file; its
 * `alsoWrites` (a rejects file) are refused when they would replace an input, as for a run.
 */
export type PlanSpec = DatasetSpec & { judge?: undefined };

/** The part of a spec that says which requests a dataset gives (and the files it must not replace). */
export type DatasetSpec = Pick<
  RunSpec,
  'dataset' | 'delimiter' | 'encoding' | 'datasetName' | 'format' | 'shape' | 'answers' | 'map' | 'criteria' | 'criteriaFiles' | 'polluxCriteria' | 'strict' | 'fillRubrics' | 'template' | 'alsoWrites'
>;

/** A run file named alone (`pollux batch import`): the run it holds, with the manifest recorded in it. */
export interface RunFileSpec {
  run: string;
}

export type PlanRunOptions = Pick<PlanOptions, 'maxTokens' | 'context' | 'tokenCounter' | 'listOverLimit' | 'onProblem'>;

/** A dataset opened to be planned: no judge, no run file. */
export interface PlannedRun {
  /** What `pollux plan` shows for this dataset and template, calling no judge. */
  plan(options?: PlanRunOptions): Promise<DatasetPlan>;
  close(): Promise<void>;
}

/** A run file open for writing, under its lock: this process is its one writer until close(). */
export interface RunFile {
  readonly file: string;
  readonly manifest: RunManifest;
  /** Reads Batch API output lines into the run file. */
  importBatch(results: string, options?: { overwrite?: boolean }): Promise<BatchImportSummary>;
  /** Releases the lock, closes the run file (and the judges openRun created). */
  close(): Promise<void>;
}

export interface Run extends PlannedRun, RunFile {
  /** An earlier run with other settings moved aside (forceNew), or null. */
  readonly movedAside: string | null;
  /** Judges every pending request into the run file; resumable. */
  judge(options?: JudgeOptions): Promise<RunSummary>;
  /** Writes the pending requests (all with `all`) as OpenAI Batch API lines to `out`. */
  exportBatch(options: { out: string; all?: boolean; output?: BatchOutput }): Promise<BatchExportSummary>;
  dataset(): DatasetReport;
}

/** The default run file: the same command always resumes the same file. */
export function defaultRunPath(dataset: string, model: string, template: TemplateName): string {
  const stem = basename(dataset, extname(dataset)).replace(/[^\p{L}\p{N}._-]+/gu, '_');
  const judge = model.replace(/[^\p{L}\p{N}._-]+/gu, '_');
  return join('runs', `${stem}__${judge}__${template}.sqlite`);
}

/** Several endpoints must be replicas of one judge: same model, same parameters. */
export function judgeIdentity(backends: readonly JudgeBackend[]): RunManifest['judge'] {
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

/** The criteria a spec names: the POLLUX taxonomy, custom files merged over it, or the files alone. */
export function catalogOf(spec: Pick<RunSpec, 'criteriaFiles' | 'polluxCriteria'>): CriteriaCatalog {
  return buildCatalog({ criteriaFiles: spec.criteriaFiles ?? [], pollux: spec.polluxCriteria !== false });
}

/** The dataset reader options a spec gives. */
export function datasetOptionsOf(spec: DatasetSpec, catalog: CriteriaCatalog = catalogOf(spec)): DatasetOptions {
  const options: DatasetOptions = { catalog, strict: Boolean(spec.strict) };
  if (spec.format) options.format = spec.format;
  if (spec.shape) options.shape = spec.shape;
  if (spec.answers) options.answers = spec.answers;
  if (spec.map && Object.keys(spec.map).length) options.map = spec.map;
  if (spec.criteria && spec.criteria.length) options.criteria = spec.criteria;
  if (spec.fillRubrics) options.fillRubrics = true;
  if (spec.delimiter) options.delimiter = spec.delimiter;
  if (spec.encoding) options.encoding = spec.encoding;
  return options;
}

/** The files a run reads: none of its outputs may replace one of them. */
export function inputsOf(spec: Pick<RunSpec, 'dataset' | 'answers' | 'criteriaFiles'>): NamedPath[] {
  return [
    { path: spec.dataset, role: 'the dataset' },
    ...(spec.answers ? [{ path: spec.answers, role: 'the --answers file' }] : []),
    ...(spec.criteriaFiles ?? []).map((path) => ({ path, role: 'the --criteria file' })),
  ];
}

/** What of the dataset options changes which requests exist: recorded in the run manifest. */
function manifestOptions(spec: RunSpec): Record<string, unknown> {
  return {
    map: spec.map ?? {},
    criteria: spec.criteria ?? [],
    // Contents, not just paths: an edited rubric changes the prompts of a run.
    criteriaFiles: (spec.criteriaFiles ?? []).map((file) => ({ file, sha256: fileSha256(file) })),
    polluxCriteria: spec.polluxCriteria !== false,
    shape: spec.shape ?? null,
    // Only when given, so the manifests of runs made before the option existed still match.
    ...(spec.fillRubrics ? { fillRubrics: true } : {}),
  };
}

function fileSha256(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (err) {
    throw new InputError(`cannot read the criteria file: ${errorMessage(err)}`, { file });
  }
}

async function buildManifest(spec: RunSpec, judge: RunManifest['judge'], template: TemplateName, repeat: number): Promise<RunManifest> {
  const now = new Date().toISOString();
  const options = manifestOptions(spec);
  return {
    formatVersion: 1,
    createdAt: now,
    updatedAt: now,
    toolVersion: TOOL_VERSION,
    taxonomyVersion: spec.polluxCriteria === false ? null : polluxTaxonomyVersion(),
    dataset: {
      path: spec.dataset,
      fingerprint: await fileFingerprint(spec.dataset),
      format: tableFormatOf(spec.dataset, spec.format),
      shape: spec.shape ?? null,
      answers: spec.answers ? { path: spec.answers, fingerprint: await fileFingerprint(spec.answers) } : null,
    },
    template,
    judge,
    repeat,
    options,
  };
}

/**
 * The dataset as the engine reads it: the first pass reports problems (to the rejects file next to
 * the run file); later passes read the same rows silently.
 */
class DatasetPasses {
  private passes = 0;
  readonly rejects: RejectsWriter;
  firstStats: DatasetStats | null = null;

  constructor(
    private readonly file: string,
    private readonly options: DatasetOptions,
    runFile: string,
  ) {
    this.rejects = new RejectsWriter(rejectsPathFor(runFile));
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

  report(): DatasetReport {
    const s = this.firstStats;
    const rejectsFile = this.rejects.close();
    if (!s) return { stats: null, rejectsFile, problemLines: [] };
    return {
      stats: s,
      rejectsFile,
      problemLines: summarizeProblems({ rows: s.rows, rejected: s.rejected, problemCount: s.problemCount, firstProblems: s.firstProblems, rejectsFile }),
    };
  }
}

async function createBackends(spec: RunSpec): Promise<{ backends: JudgeBackend[]; owned: boolean; identity: RunManifest['judge'] }> {
  const judge = spec.judge;
  if ('backends' in judge) {
    const backends = [...judge.backends];
    return { backends, owned: false, identity: judgeIdentity(backends) };
  }
  if ('batch' in judge) {
    if (!judge.batch.model) throw new UsageError('batch export: --model NAME is required (the model the batch runner will serve)');
    // The parameters an HTTP judge records, so `pollux run` can finish or retry this run later.
    const params = chatParams(judge.batch.settings ?? {});
    return { backends: [], owned: true, identity: { backend: 'openai-chat', model: judge.batch.model, params, endpoints: ['batch'] } };
  }
  const specs = parseJudgeSpecs(typeof judge.endpoints === 'string' ? judge.endpoints : judge.endpoints.join(','));
  const settings: JudgeSettings = { ...(judge.settings ?? {}) };
  if (specs.length === 1 && judgeSpecKind(specs[0]!) === 'gguf') {
    // In-process judges run their own parallel sequences: that is their concurrency.
    settings.concurrency = typeof spec.concurrency === 'number' ? spec.concurrency : 1;
  }
  const backends: JudgeBackend[] = [];
  try {
    for (const s of specs) backends.push(await createJudge(s, settings));
    return { backends, owned: true, identity: judgeIdentity(backends) };
  } catch (err) {
    await Promise.all(backends.map((b) => b.close?.()));
    throw err;
  }
}

/**
 * Opens a run: creates the judges, checks the dataset (all of it first with `strict`), builds the
 * manifest, and opens the run file under its lock — refusing one that holds a run made with other
 * settings unless `forceNew`. Every way of filling a run (`pollux run`, `pollux batch`, a script)
 * goes through here, so they all write and resume the same runs.
 */
export async function openRun(spec: RunSpec): Promise<Run>;
/** A spec without a judge opens the dataset to be planned only (`pollux plan`): no run file. */
export async function openRun(spec: PlanSpec): Promise<PlannedRun>;
/** A run file alone opens the run it holds, locked, for importing Batch API results (`pollux batch import`). */
export async function openRun(spec: RunFileSpec): Promise<RunFile>;
export async function openRun(spec: RunSpec | PlanSpec | RunFileSpec): Promise<Run | PlannedRun | RunFile> {
  if ('run' in spec) return openRunFile(spec.run);
  if (!spec.judge) return openPlan(spec);
  return openJudgedRun(spec as RunSpec);
}

function openPlan(spec: PlanSpec): PlannedRun {
  const template = spec.template ?? 'paper';
  const datasetOptions = datasetOptionsOf(spec);
  if (spec.alsoWrites?.length) refuseClobbering(spec.alsoWrites, inputsOf(spec));
  return {
    plan: (options = {}) => planDataset(spec.dataset, { ...datasetOptions, template, renderPrompt, ...options }),
    close: async () => {},
  };
}

function openRunFile(file: string): RunFile {
  const { store, manifest, lock } = openRunFileForImport(file);
  let closed = false;
  return {
    file,
    manifest,
    importBatch: async (results, options = {}) => {
      if (closed) throw new Error(`the run ${file} is closed`);
      return importBatchInto(store, results, options);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        store.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openJudgedRun(spec: RunSpec): Promise<Run> {
  const template = spec.template ?? 'paper';
  const repeat = spec.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`repeat: expected an integer ≥ 1, got ${repeat}`);
  const catalog = catalogOf(spec);
  const datasetOptions = datasetOptionsOf(spec, catalog);
  const { backends, owned, identity } = await createBackends(spec);
  const closeBackends = async () => {
    if (owned) await Promise.all(backends.map((b) => b.close?.()));
  };
  let opened: OpenRunFile;
  let passes: DatasetPasses;
  let file: string;
  let manifest: RunManifest;
  try {
    file = spec.out ?? defaultRunPath(spec.datasetName ?? spec.dataset, identity.model, template);
    refuseClobbering(
      [{ path: file, role: 'the run file', runFile: true }, { path: rejectsPathFor(file), role: 'its rejects file' }, ...(spec.alsoWrites ?? [])],
      inputsOf(spec),
    );
    mkdirSync(dirname(file), { recursive: true });
    passes = new DatasetPasses(spec.dataset, datasetOptions, file);
    if (spec.strict) await validateDataset(spec.dataset, { ...datasetOptions, strict: true });
    manifest = await buildManifest(spec, identity, template, repeat);
    opened = openForRun(file, manifest, spec.forceNew ?? false);
  } catch (err) {
    await closeBackends();
    throw err;
  }
  const enumerate = { template, repeat, judgeModel: identity.model, judgeParams: identity.params, ...(spec.limit !== undefined ? { limit: spec.limit } : {}) };
  let closed = false;
  const checkOpen = () => {
    if (closed) throw new Error(`the run ${file} is closed`);
  };
  return {
    file,
    manifest,
    movedAside: opened.movedAside,
    plan: (options = {}) => planDataset(spec.dataset, { ...datasetOptions, template, renderPrompt, ...options }),
    judge: async (options = {}) => {
      checkOpen();
      if (backends.length === 0) throw new UsageError('this run has no judge (opened for a Batch API export); open it with endpoints or backends');
      const concurrency = options.concurrency ?? spec.concurrency ?? 'auto';
      return judgeOpenRun(opened, {
        storeFile: file,
        items: passes.open,
        backends,
        enumerate,
        // Several replicas: a fixed concurrency is per replica.
        concurrency: backends.length > 1 && typeof concurrency === 'number' ? concurrency * backends.length : concurrency,
        maxConcurrency: options.maxConcurrency ?? spec.maxConcurrency ?? 512,
        ...(options.policy ? { policy: options.policy } : {}),
        retryUnscored: Boolean(options.retryUnscored),
        retryErrors: Boolean(options.retryErrors),
        ...(options.stop ? { stop: options.stop } : {}),
        ...(options.signal ? { abort: options.signal } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
    },
    exportBatch: async ({ out, all, output }) => {
      checkOpen();
      return writeBatchRequests(opened.store, { out, storeFile: file, items: passes.open, enumerate, body: identity.params, all: Boolean(all) }, output ?? openBatchOutput(out), opened.created);
    },
    importBatch: async (results, options = {}) => {
      checkOpen();
      // Into the store this run holds open, under the lock it already has.
      return importBatchInto(opened.store, results, options);
    },
    dataset: () => passes.report(),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        passes.rejects.close();
        opened.store.close();
        opened.lock.release();
      } finally {
        await closeBackends();
      }
    },
  };
}
