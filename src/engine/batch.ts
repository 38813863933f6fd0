import { closeSync, createReadStream, createWriteStream, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { InputError, errorMessage } from '../core/errors.ts';
import type { Scale } from '../core/scale.ts';
import type { JudgeProvenance } from '../core/types.ts';
import { chatRequestBody, replyFromCompletion, type ChatCompletionBody } from '../judges/openaiWire.ts';
import { openRunStore, type RunStore } from '../store/index.ts';
import { enumerateRequests, type EnumerableItem, type EnumerateOptions } from './enumerate.ts';
import { judgmentFromError, judgmentFromReply } from './judgment.ts';
import { discardIfEmpty, openForRun } from './run.ts';
import { acquireRunLock, type RunLock } from './runLock.ts';
import type { RunManifest } from '../store/index.ts';
import { JudgeError } from '../core/errors.ts';

/**
 * Offline and cluster inference: requests written as OpenAI Batch API lines (what `vllm run-batch`
 * and the OpenAI Batch API read), and their output lines read back into a run file.
 */
export interface BatchExportConfig extends BatchWriteConfig {
  manifest: RunManifest;
  forceNew?: boolean;
}

/** What writing the request lines needs once the run file is open (see openRun). */
export interface BatchWriteConfig {
  out: string;
  storeFile: string;
  items: () => AsyncIterable<EnumerableItem>;
  enumerate: EnumerateOptions;
  /** The body fields every request carries besides model and messages. */
  body: Record<string, unknown>;
  /** Include requests already judged in the run file (default: only pending ones). */
  all?: boolean;
}

/** The requests file, opened under a temporary name; renamed to `out` once complete. */
export interface BatchOutput {
  out: string;
  tmp: string;
  fd: number;
}

/**
 * Opens the requests file before the run file is touched: an unwritable or missing folder is a
 * message naming it, with nothing else written. Discard it with discardBatchOutput if unused.
 */
export function openBatchOutput(out: string): BatchOutput {
  const tmp = `${out}.partial-${process.pid}`;
  try {
    return { out, tmp, fd: openSync(tmp, 'w') };
  } catch (err) {
    throw new InputError(`cannot write the requests file: ${errorMessage(err)}`, { file: out }, { cause: err });
  }
}

export function discardBatchOutput(output: BatchOutput): void {
  try {
    closeSync(output.fd);
  } catch {
    // already closed by the stream
  }
  rmSync(output.tmp, { force: true });
}

export interface BatchExportSummary {
  requests: number;
  written: number;
  skippedDone: number;
  out: string;
  storeFile: string;
}

export async function exportBatch(config: BatchExportConfig): Promise<BatchExportSummary> {
  const output = openBatchOutput(config.out);
  let opened;
  try {
    opened = openForRun(config.storeFile, config.manifest, config.forceNew ?? false);
  } catch (err) {
    discardBatchOutput(output);
    throw err;
  }
  const { store, lock, created } = opened;
  try {
    return await writeBatchRequests(store, config, output, created);
  } finally {
    store.close();
    lock.release();
  }
}

/**
 * Writes the Batch API request lines of a run file already opened (and locked) by openForRun, into
 * `output` (opened here when not given). `created`: the run file is new, so a dataset that gives no
 * request removes it again.
 */
export async function writeBatchRequests(
  store: RunStore,
  config: BatchWriteConfig,
  output: BatchOutput = openBatchOutput(config.out),
  created = false,
): Promise<BatchExportSummary> {
  const { tmp, fd } = output;
  const stream = createWriteStream(tmp, { fd, encoding: 'utf8' });
  let requests = 0;
  let written = 0;
  let skippedDone = 0;
  // Identical prompts share one key: the Batch API needs each custom_id once.
  const writtenKeys = new Set<string>();
  try {
    let batch = [];
    for await (const planned of enumerateRequests(config.items(), config.enumerate)) {
      requests++;
      // A key not in the file yet is new, hence pending.
      const status = store.statusOf(planned.row.key) ?? 'pending';
      batch.push(planned.row);
      if (batch.length >= 500) {
        store.addRequests(batch);
        batch = [];
      }
      const line = {
        custom_id: planned.row.key,
        method: 'POST',
        url: '/v1/chat/completions',
        body: chatRequestBody(config.body, config.enumerate.judgeModel, planned.prompt),
      };
      if (!config.all && status !== 'pending') {
        skippedDone++;
        continue;
      }
      if (writtenKeys.has(planned.row.key)) continue;
      writtenKeys.add(planned.row.key);
      if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
      written++;
    }
    if (batch.length) store.addRequests(batch);
    discardIfEmpty(store, created);
    stream.end();
    await once(stream, 'finish');
    renameSync(tmp, config.out);
  } catch (err) {
    stream.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return { requests, written, skippedDone, out: config.out, storeFile: config.storeFile };
}

export interface BatchImportProblem {
  line: number;
  customId: string | null;
  message: string;
}

export interface BatchImportSummary {
  lines: number;
  imported: number;
  scored: number;
  unscored: number;
  errors: number;
  alreadyDone: number;
  unknownIds: number;
  malformed: number;
  problems: BatchImportProblem[];
}

interface BatchOutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: unknown;
}

function scaleOfRow(min: number, max: number, kind: 'binary' | 'ordinal'): Scale {
  return { kind, levels: [], min, max, source: 'range' };
}

/**
 * Reads Batch API output lines into the run file. Failed requests become `error` judgments (so
 * `pollux run --retry-errors` can ask them again); unknown ids and unreadable lines are reported.
 * Opens the run file under its lock for the time of the import (openRun's `importBatch` does the
 * same into a run it holds open).
 */
export async function importBatch(storeFile: string, resultsFile: string, options: { overwrite?: boolean } = {}): Promise<BatchImportSummary> {
  const { store, lock } = openRunFileForImport(storeFile);
  try {
    return await importBatchInto(store, resultsFile, options);
  } finally {
    store.close();
    lock.release();
  }
}

/** A run file that Batch API results can go into: locked, with a manifest. */
export function openRunFileForImport(storeFile: string): { store: RunStore; manifest: RunManifest; lock: RunLock } {
  // Opening would create an empty database: a mistyped name is reported, not made.
  if (!existsSync(storeFile)) throw new InputError('no such run file (create it with `pollux batch export`)', { file: storeFile });
  // A writer like any other: a `pollux run` on the same file meanwhile would judge what is imported.
  const lock = acquireRunLock(storeFile);
  let store: RunStore;
  try {
    store = openRunStore(storeFile);
  } catch (err) {
    lock.release();
    throw err;
  }
  const manifest = store.getManifest();
  if (!manifest) {
    store.close();
    lock.release();
    throw new InputError('not a pollux run file with a manifest (create it with `pollux batch export`)', { file: storeFile });
  }
  return { store, manifest, lock };
}

/** importBatch into a run file already open for writing (and locked by the caller); leaves it open. */
export async function importBatchInto(store: RunStore, resultsFile: string, options: { overwrite?: boolean } = {}): Promise<BatchImportSummary> {
  const manifest = store.getManifest();
  if (!manifest) throw new InputError('not a pollux run file with a manifest (create it with `pollux batch export`)', { file: store.file });
  const provenanceBase: JudgeProvenance = { backend: 'batch', endpoint: resultsFile, model: manifest.judge.model, params: manifest.judge.params };
  const rows = new Map<string, { scaleMin: number; scaleMax: number; scaleKind: 'binary' | 'ordinal'; promptHash: string; status: string }>();
  const summary: BatchImportSummary = { lines: 0, imported: 0, scored: 0, unscored: 0, errors: 0, alreadyDone: 0, unknownIds: 0, malformed: 0, problems: [] };
  const problem = (p: BatchImportProblem) => {
    if (summary.problems.length < 1000) summary.problems.push(p);
  };
  // Only the scale and hash of each request are needed: a small map even for large runs.
  for (const r of store.records()) rows.set(r.key, { scaleMin: r.scaleMin, scaleMax: r.scaleMax, scaleKind: r.scaleKind, promptHash: r.promptHash, status: r.status });
  let input;
  try {
    input = createReadStream(resultsFile, { encoding: 'utf8' });
    await once(input, 'open');
  } catch (err) {
    throw new InputError(`cannot read: ${errorMessage(err)}`, { file: resultsFile });
  }
  let lineNo = 0;
  const now = Date.now();
  for await (const rawLine of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    const text = lineNo === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (!text.trim()) continue;
    summary.lines++;
    let line: BatchOutputLine;
    try {
      line = JSON.parse(text) as BatchOutputLine;
    } catch (err) {
      summary.malformed++;
      problem({ line: lineNo, customId: null, message: `not valid JSON: ${errorMessage(err)}` });
      continue;
    }
    const id = typeof line.custom_id === 'string' ? line.custom_id : null;
    const row = id ? rows.get(id) : undefined;
    if (!id || !row) {
      summary.unknownIds++;
      problem({ line: lineNo, customId: id, message: id ? 'unknown custom_id: no such request in the run' : 'no custom_id' });
      continue;
    }
    if (row.status !== 'pending' && !options.overwrite) {
      summary.alreadyDone++;
      continue;
    }
    const ctx = { judge: provenanceBase, promptHash: row.promptHash, attempts: 1 };
    const status = typeof line.response?.status_code === 'number' ? line.response.status_code : null;
    const body = (line.response?.body ?? null) as ChatCompletionBody | null;
    const reply = replyFromCompletion(body, { latencyMs: 0, endpoint: resultsFile });
    let judgment;
    if (line.error || status === null || status >= 400 || !reply) {
      const detail = line.error ? JSON.stringify(line.error) : status !== null && status >= 400 ? `HTTP ${status}: ${JSON.stringify(body)}` : 'no choices[0].message in the response body';
      judgment = judgmentFromError(new JudgeError(`batch line ${lineNo}: ${detail}`, status !== null && status < 500 && status >= 400 ? 'fatal' : 'transient'), ctx);
      problem({ line: lineNo, customId: id, message: `request failed: ${detail.slice(0, 200)}` });
    } else {
      judgment = judgmentFromReply(reply, scaleOfRow(row.scaleMin, row.scaleMax, row.scaleKind), {
        ...ctx,
        judge: { ...provenanceBase, model: body?.model ?? provenanceBase.model },
      });
      judgment.latencyMs = null;
    }
    store.saveJudgment(id, judgment, { startedAt: now, finishedAt: now });
    row.status = judgment.status;
    summary.imported++;
    if (judgment.status === 'scored') summary.scored++;
    else if (judgment.status === 'unscored') summary.unscored++;
    else summary.errors++;
  }
  return summary;
}
