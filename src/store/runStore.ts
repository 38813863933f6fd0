import type Database from 'better-sqlite3';
import { InputError } from '../core/errors.ts';
import { canonicalJson, stableHash } from '../core/hash.ts';
import type { Judgment } from '../core/types.ts';
import {
  ADDED_JUDGMENT_COLUMNS,
  GAINED_JUDGMENT_COLUMNS,
  INSERTED_REQUEST_COLUMNS,
  columnNames,
  namedParameters,
  qualified,
  RECORD_COLUMNS,
  VERDICT_COLUMNS,
  type ColumnSpec,
  type SaveParams,
} from './judgmentColumns.ts';
import type { RunManifest } from './manifest.ts';
import {
  REQUEST_STATUSES,
  requestParams,
  toRecord,
  type JudgmentTimes,
  type RequestRow,
  type RequestStatus,
  type RequestTexts,
  type RequestsRowSql,
  type StoredRecord,
} from './records.ts';
import { closeRunDatabase, openRunDatabaseVersioned, TEXTS_FORMAT_VERSION, type Synchronous } from './schema.ts';

export interface OpenRunStoreOptions {
  /** For score, meta and export: never writes, refuses files that are not run files. */
  readonly?: boolean;
  /**
   * 'normal' (default): a saved judgment survives a crash or kill of the process. 'full': it also
   * survives a power loss, at the price of an fsync per commit.
   */
  synchronous?: Synchronous;
}

/**
 * Counts of judgments, one per key: requests with identical prompts share one judgment, so `total`
 * can be below `requests`, the number of request rows (what records() and exports yield).
 */
export interface RunCounts {
  total: number;
  pending: number;
  scored: number;
  unscored: number;
  error: number;
  requests: number;
  /** Judgments per `reason` text among unscored and error rows (`unknown` where none was given). */
  byReason: Record<string, number>;
}

export interface RunStats {
  /** Nearest-rank percentiles over the judgments that have a latency; null when there are none. */
  latencyP50: number | null;
  latencyP95: number | null;
  promptTokens: number;
  completionTokens: number;
}

export interface RecordFilter {
  /** Only rows with one of these statuses (all rows when absent). */
  status?: RequestStatus[];
  /** Also read each request's texts (`texts` on every record; null where the file has none). */
  texts?: boolean;
}

/** How many requests of a run have their texts in the file. */
export interface TextCoverage {
  requests: number;
  withTexts: number;
}

export interface JudgmentToSave {
  key: string;
  judgment: Judgment;
  times: JudgmentTimes;
}

/**
 * A run file: its manifest, one row per request (a sample on a criterion, per repeat) and one
 * judgment per key, updated in place. The key is the hash of what the judge is asked (prompt,
 * judge, parameters, repeat), so requests with identical prompts (two models giving the same
 * answer) share one judgment and each still has its own row in records() and exports.
 * Iterators read in pages, so a caller may write (save judgments) between the items it receives
 * and memory stays flat however large the run.
 */
export interface RunStore {
  readonly file: string;
  readonly readonly: boolean;
  getManifest(): RunManifest | null;
  setManifest(m: RunManifest): void;
  /**
   * One transaction. A request already present (same sample id, criterion key and repeat) is left
   * as it is, judgment included (resume); a new request whose key exists shares that judgment.
   * Returns the number of requests newly added. The same sample id with different content is an
   * InputError.
   */
  addRequests(rows: RequestRow[]): number;
  statusOf(key: string): RequestStatus | undefined;
  /**
   * Durable when it returns (survives SIGKILL of the process); exactly one judgment per key, ever.
   * The judgment must carry the prompt hash its requests were added with.
   */
  saveJudgment(key: string, judgment: Judgment, times: JudgmentTimes): void;
  /** The same for many judgments in one transaction. */
  saveJudgments(batch: JudgmentToSave[]): void;
  /**
   * Sends unscored and/or error judgments back to pending; what they held is kept in the
   * `superseded` table and their `retries` count goes up. Returns how many were reset.
   */
  resetForRetry(which: { unscored?: boolean; errors?: boolean; endpointErrors?: boolean }): number;
  /**
   * Copies the finished judgments of another run file into the pending judgments with the same key
   * and prompt hash (the same question to the same judge): after a dataset edit, only what changed
   * is asked again. Returns how many were carried over.
   */
  carryOver(fromFile: string): number;
  /** Keys still pending, each once, in the seq order of their first request. */
  pendingKeys(): IterableIterator<string>;
  /** One record per request in seq order (StoredRecord extends JudgmentRecord). */
  records(filter?: RecordFilter): IterableIterator<StoredRecord>;
  /** Requests with and without texts: a file made before pollux kept texts has none. */
  textCoverage(): TextCoverage;
  counts(): RunCounts;
  stats(): RunStats;
  /**
   * Runs `fn` inside one read transaction, so every iterator it drives sees the same state of the
   * file even while another process keeps writing to it (used by exports).
   */
  snapshot<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
}

interface CriterionText {
  name: string;
  rubric: string;
  id: number;
}

const PAGE_SIZE = 1000;

/** SQLite's "database disk image is malformed" as an error naming the run file (exit 2); others unchanged. */
function damaged(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return new InputError(`the run file is damaged and cannot be read (${(err as Error).message})`, { file }, { cause: err });
  }
  return err;
}

/**
 * An error judgment that is the request's own fault (HTTP 400, 413, 422; a prompt longer than an
 * in-process judge's context): asking again gives the same answer. Told from the stored reason,
 * which holds the classified error (`fatal: … HTTP 400: …`).
 */
const REQUEST_FAULT_SQL = `reason LIKE 'fatal:%' AND (reason LIKE '%HTTP 400%' OR reason LIKE '%HTTP 413%' OR reason LIKE '%HTTP 422%' OR reason LIKE '%raise the context size%')`;
const SEQ_BEFORE_ALL = Number.MIN_SAFE_INTEGER;

const INSERT_JUDGMENT = `
  INSERT INTO judgments (${columnNames(ADDED_JUDGMENT_COLUMNS)}) VALUES (${namedParameters(ADDED_JUDGMENT_COLUMNS)})
  ON CONFLICT (key) DO NOTHING`;

const INSERT_REQUEST = `
  INSERT INTO request_rows (${columnNames(INSERTED_REQUEST_COLUMNS)})
  VALUES (${namedParameters(INSERTED_REQUEST_COLUMNS)})
  ON CONFLICT (sample_id, criterion_key, repeat) DO NOTHING`;

const INSERT_INSTRUCTION = `INSERT INTO instructions (instruction_id, instruction) VALUES (?, ?) ON CONFLICT DO NOTHING`;
const INSERT_SAMPLE = `
  INSERT INTO samples (sample_id, instruction_id, reference_answer, answer) VALUES (?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

const SAVE_JUDGMENT = `
  UPDATE judgments SET ${VERDICT_COLUMNS.map((c) => `${c.name} = @${c.name}`).join(', ')}
  WHERE key = @key AND prompt_hash = @prompt_hash`;

/** A retry sends a judgment back to pending: each verdict column back to its default (NULL where none). */
const CLEAR_VERDICT = VERDICT_COLUMNS.map((c: ColumnSpec) => `${c.name} = ${c.default ?? 'NULL'}`).join(', ');

/** The judges table's ids differ between files: a carried-over judgment points at its judge's id here. */
const carriedValue = (c: ColumnSpec): string =>
  c.name === 'judge_id' ? '(SELECT j.id FROM judges j JOIN prev.judges pj ON pj.json = j.json WHERE pj.id = p.judge_id)' : `p.${c.name}`;

/**
 * A page of requests with their judgments (and, asked for, their texts); CROSS JOIN keeps the walk
 * on requests in seq order, the texts are looked up by primary key.
 */
const RECORDS_PAGE = (statusFilter: string, texts: boolean) => `
  SELECT ${RECORD_COLUMNS.map(qualified).join(', ')}${
      texts
        ? `,
    i.instruction, s.reference_answer, s.answer, c.rubric,
    (c.id IS NOT NULL AND s.sample_id IS NOT NULL AND i.instruction_id IS NOT NULL) AS has_texts
  FROM request_rows r CROSS JOIN judgments j ON j.key = r.key
    LEFT JOIN samples s ON s.sample_id = r.sample_id
    LEFT JOIN instructions i ON i.instruction_id = s.instruction_id
    LEFT JOIN criteria c ON c.id = r.criterion_id`
        : `
  FROM request_rows r CROSS JOIN judgments j ON j.key = r.key`
    }
  WHERE ${statusFilter} (r.seq, r.id) > (?, ?)
  ORDER BY r.seq, r.id
  LIMIT ${PAGE_SIZE}`;

export function openRunStore(file: string, options: OpenRunStoreOptions = {}): RunStore {
  return new SqliteRunStore(file, options);
}

class SqliteRunStore implements RunStore {
  readonly file: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly judgeIds = new Map<string, number>();
  private readonly judgesById = new Map<number, StoredRecord['judge']>();
  /** Criterion text ids by criterion key: a run has few distinct (name, rubric) pairs per key. */
  private readonly criterionIds = new Map<string, CriterionText[]>();
  /** The sample whose texts were stored last: its criteria come in a row, so most inserts are skipped. */
  private lastSampleStored: string | null = null;
  /** Store format as opened: below TEXTS_FORMAT_VERSION (read-only) the file has no text tables. */
  private readonly format: number;
  private closed = false;

  constructor(file: string, options: OpenRunStoreOptions) {
    this.file = file;
    this.readonly = options.readonly ?? false;
    const opened = openRunDatabaseVersioned(file, this.readonly, options.synchronous);
    this.db = opened.db;
    this.format = opened.version;
  }

  /** Statements are prepared on first use, so a read-only store never prepares the writes. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      let prepared: Database.Statement;
      try {
        prepared = this.db.prepare(sql);
      } catch (err) {
        throw damaged(err, this.file);
      }
      s = this.reportDamage(prepared);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * A damaged file ("database disk image is malformed") shows only when a page is read: every
   * statement turns that into an error naming the file (exit 2), not an unexpected error.
   */
  private reportDamage(statement: Database.Statement): Database.Statement {
    const file = this.file;
    const proxy: Database.Statement = new Proxy(statement, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          try {
            const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result === target ? proxy : result;
          } catch (err) {
            throw damaged(err, file);
          }
        };
      },
    });
    return proxy;
  }

  getManifest(): RunManifest | null {
    const value = this.stmt(`SELECT value FROM meta WHERE name = 'manifest'`).pluck().get() as string | undefined;
    return value === undefined ? null : (JSON.parse(value) as RunManifest);
  }

  setManifest(m: RunManifest): void {
    this.stmt(`INSERT INTO meta (name, value) VALUES ('manifest', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run(
      JSON.stringify(m),
    );
  }

  addRequests(rows: RequestRow[]): number {
    const insertJudgment = this.stmt(INSERT_JUDGMENT);
    const insertRequest = this.stmt(INSERT_REQUEST);
    const judgmentHash = this.stmt('SELECT prompt_hash FROM judgments WHERE key = ?').pluck();
    const existing = this.stmt('SELECT id, key, criterion_id FROM request_rows WHERE sample_id = ? AND criterion_key = ? AND repeat = ?');
    const fillCriterion = this.stmt('UPDATE request_rows SET criterion_id = ? WHERE id = ?');
    const fresh = new Map<string, CriterionText[]>();
    const storedBefore = this.lastSampleStored;
    const add = this.db.transaction(() => {
      let added = 0;
      for (const row of rows) {
        const params = requestParams(row, row.texts ? this.storeTexts(row, row.texts, fresh) : null);
        if (insertJudgment.run(params).changes === 0) {
          // An existing key: a resume, or another request with the very same prompt, which shares
          // the judgment. A different prompt under the same key would be a caller's bug.
          const hash = judgmentHash.get(row.key) as string;
          if (hash !== row.promptHash) {
            throw new Error(`${this.file}: key ${row.key} was added with prompt hash ${hash}, now with ${row.promptHash}`);
          }
        }
        if (insertRequest.run(params).changes === 1) {
          added++;
          continue;
        }
        const had = existing.get(row.sampleId, row.criterionKey, row.repeat) as { id: number; key: string; criterion_id: number | null };
        // A request listed before the run file kept texts gets them on resume.
        if (had.key === row.key && had.criterion_id === null && params.criterion_id !== null) fillCriterion.run(params.criterion_id, had.id);
        if (had.key !== row.key) {
          throw new InputError(
            `sample ${JSON.stringify(row.sampleId)}, criterion ${row.criterionKey}, repeat ${row.repeat}: its prompt differs from the one this run holds — ` +
              'either two rows share a sample id with different content (sample ids must be unique), or the criteria, their rubrics or the dataset changed since the run began (use another --out, or --force-new)',
            { file: this.file },
          );
        }
      }
      return added;
    });
    try {
      const added = add();
      for (const [key, list] of fresh) this.criterionIds.set(key, [...(this.criterionIds.get(key) ?? []), ...list]);
      return added;
    } catch (err) {
      // Rolled back: what this transaction stored is not in the file.
      this.lastSampleStored = storedBefore;
      throw err;
    }
  }

  /** Stores a request's texts (each once) and returns the id of its criterion's texts. */
  private storeTexts(row: RequestRow, texts: RequestTexts, fresh: Map<string, CriterionText[]>): number {
    if (row.sampleId !== this.lastSampleStored) {
      this.stmt(INSERT_INSTRUCTION).run(row.instructionId, texts.instruction);
      this.stmt(INSERT_SAMPLE).run(row.sampleId, row.instructionId, texts.referenceAnswer, texts.answer);
      this.lastSampleStored = row.sampleId;
    }
    const find = (list: CriterionText[] | undefined) => list?.find((c) => c.name === row.criterionName && c.rubric === texts.rubric)?.id;
    const known = find(this.criterionIds.get(row.criterionKey)) ?? find(fresh.get(row.criterionKey));
    if (known !== undefined) return known;
    const hash = stableHash({ key: row.criterionKey, name: row.criterionName, rubric: texts.rubric }, 32);
    this.stmt('INSERT INTO criteria (hash, key, name, rubric) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING').run(
      hash,
      row.criterionKey,
      row.criterionName,
      texts.rubric,
    );
    const id = this.stmt('SELECT id FROM criteria WHERE hash = ?').pluck().get(hash) as number;
    const list = fresh.get(row.criterionKey) ?? [];
    list.push({ name: row.criterionName, rubric: texts.rubric, id });
    fresh.set(row.criterionKey, list);
    return id;
  }

  statusOf(key: string): RequestStatus | undefined {
    return this.stmt('SELECT status FROM judgments WHERE key = ?').pluck().get(key) as RequestStatus | undefined;
  }

  saveJudgment(key: string, judgment: Judgment, times: JudgmentTimes): void {
    this.saveJudgments([{ key, judgment, times }]);
  }

  saveJudgments(batch: JudgmentToSave[]): void {
    const update = this.stmt(SAVE_JUDGMENT);
    // Judge ids made in this transaction are cached only once it commits: a rollback drops them.
    const fresh = new Map<string, number>();
    this.db.transaction(() => {
      for (const { key, judgment: j, times } of batch) {
        if (j.status === 'scored' && (j.score === null || !Number.isFinite(j.score))) {
          throw new Error(`${this.file}: request ${key}: a scored judgment needs a finite score, got ${j.score}`);
        }
        const params: SaveParams = {
          key,
          prompt_hash: j.promptHash,
          status: j.status,
          score: j.score,
          rationale: j.rationale,
          raw: j.raw,
          reasoning: j.reasoning,
          reason: j.reason,
          finish_reason: j.finishReason,
          prompt_tokens: j.usage.prompt,
          completion_tokens: j.usage.completion,
          latency_ms: j.latencyMs,
          attempts: j.attempts,
          endpoint: j.endpoint,
          judge_id: this.judgeId(j, fresh),
          started_at: times.startedAt,
          finished_at: times.finishedAt,
        };
        const info = update.run(params);
        if (info.changes !== 1) this.explainMissedSave(key, j.promptHash);
      }
    })();
    for (const [json, id] of fresh) this.judgeIds.set(json, id);
  }

  private explainMissedSave(key: string, promptHash: string): never {
    const had = this.stmt('SELECT prompt_hash FROM judgments WHERE key = ?').pluck().get(key) as string | undefined;
    if (had === undefined) throw new Error(`${this.file}: no request with key ${key}; add it with addRequests first`);
    throw new Error(`${this.file}: request ${key} was added with prompt hash ${had}, but its judgment carries ${promptHash}`);
  }

  private judgeId(j: Judgment, fresh: Map<string, number>): number {
    const json = canonicalJson({ backend: j.judge.backend, model: j.judge.model, params: j.judge.params });
    let id = this.judgeIds.get(json) ?? fresh.get(json);
    if (id === undefined) {
      this.stmt('INSERT INTO judges (json) VALUES (?) ON CONFLICT (json) DO NOTHING').run(json);
      id = this.stmt('SELECT id FROM judges WHERE json = ?').pluck().get(json) as number;
      fresh.set(json, id);
    }
    return id;
  }

  private judgeById(id: number | null): StoredRecord['judge'] {
    if (id === null) return null;
    let judge = this.judgesById.get(id);
    if (judge === undefined) {
      const json = this.stmt('SELECT json FROM judges WHERE id = ?').pluck().get(id) as string | undefined;
      judge = json === undefined ? null : (JSON.parse(json) as StoredRecord['judge']);
      this.judgesById.set(id, judge);
    }
    return judge;
  }

  resetForRetry(which: { unscored?: boolean; errors?: boolean; endpointErrors?: boolean }): number {
    const statuses = [...(which.unscored ? ['unscored'] : []), ...(which.errors ? ['error'] : [])];
    const clauses = statuses.length > 0 ? [`status IN (${statuses.map((s) => `'${s}'`).join(', ')})`] : [];
    if (which.endpointErrors && !which.errors) clauses.push(`(status = 'error' AND NOT (${REQUEST_FAULT_SQL}))`);
    if (clauses.length === 0) return 0;
    const inList = clauses.join(' OR ');
    return this.db.transaction(() => {
      this.stmt(
        `INSERT INTO superseded (key, ${columnNames(VERDICT_COLUMNS)}, superseded_at)
         SELECT key, ${columnNames(VERDICT_COLUMNS)}, ? FROM judgments WHERE ${inList}`,
      ).run(Date.now());
      return this.stmt(
        `UPDATE judgments SET ${CLEAR_VERDICT}, retries = retries + 1 WHERE ${inList}`,
      ).run().changes;
    })();
  }

  carryOver(fromFile: string): number {
    this.db.prepare('ATTACH DATABASE ? AS prev').run(fromFile);
    try {
      return this.db.transaction(() => {
        this.db.exec('INSERT OR IGNORE INTO judges (json) SELECT json FROM prev.judges');
        return this.db
          .prepare(
            `UPDATE judgments SET (${columnNames(GAINED_JUDGMENT_COLUMNS)}) =
             (SELECT ${GAINED_JUDGMENT_COLUMNS.map(carriedValue).join(', ')}
              FROM prev.judgments p WHERE p.key = judgments.key AND p.prompt_hash = judgments.prompt_hash)
             WHERE status = 'pending'
               AND EXISTS (SELECT 1 FROM prev.judgments p WHERE p.key = judgments.key AND p.prompt_hash = judgments.prompt_hash AND p.status != 'pending')`,
          )
          .run().changes;
      })();
    } finally {
      this.db.exec('DETACH DATABASE prev');
    }
  }

  *pendingKeys(): IterableIterator<string> {
    const page = this.stmt(
      `SELECT seq, key FROM judgments WHERE status = 'pending' AND (seq, key) > (?, ?) ORDER BY seq, key LIMIT ${PAGE_SIZE}`,
    );
    let after: [number, string] = [SEQ_BEFORE_ALL, ''];
    while (true) {
      // Each page is a finished query, so no cursor stays open while the caller saves judgments.
      const rows = page.all(...after) as Array<{ seq: number; key: string }>;
      for (const r of rows) yield r.key;
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE_SIZE) return;
      after = [last.seq, last.key];
    }
  }

  *records(filter: RecordFilter = {}): IterableIterator<StoredRecord> {
    const statuses = filter.status ? [...new Set(filter.status)] : null;
    if (statuses) {
      const unknown = statuses.filter((s) => !REQUEST_STATUSES.includes(s));
      if (unknown.length > 0) throw new Error(`unknown status ${unknown.join(', ')}; expected ${REQUEST_STATUSES.join(', ')}`);
      if (statuses.length === 0) return;
    }
    const where =
      statuses === null || statuses.length === REQUEST_STATUSES.length
        ? ''
        : `j.status IN (${statuses.map((st) => `'${st}'`).join(', ')}) AND`;
    // A file from before texts were kept has no text tables: its records carry texts: null.
    const texts = filter.texts === true;
    const joinTexts = texts && this.format >= TEXTS_FORMAT_VERSION;
    const page = this.stmt(RECORDS_PAGE(where, joinTexts));
    let after: [number, number] = [SEQ_BEFORE_ALL, 0];
    while (true) {
      const rows = page.all(...after) as RequestsRowSql[];
      for (const r of rows) {
        const record = toRecord(r, this.judgeById(r.judge_id));
        if (texts && !joinTexts) record.texts = null;
        yield record;
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE_SIZE) return;
      after = [last.seq, last.id];
    }
  }

  textCoverage(): TextCoverage {
    const requests = this.stmt('SELECT count(*) FROM request_rows').pluck().get() as number;
    if (this.format < TEXTS_FORMAT_VERSION) return { requests, withTexts: 0 };
    const withTexts = this.stmt('SELECT count(criterion_id) FROM request_rows').pluck().get() as number;
    return { requests, withTexts };
  }

  counts(): RunCounts {
    const counts: RunCounts = { total: 0, pending: 0, scored: 0, unscored: 0, error: 0, requests: 0, byReason: {} };
    for (const r of this.stmt('SELECT status, count(*) AS n FROM judgments GROUP BY status').all() as Array<{ status: RequestStatus; n: number }>) {
      counts[r.status] = r.n;
      counts.total += r.n;
    }
    counts.requests = this.stmt('SELECT count(*) FROM request_rows').pluck().get() as number;
    const reasons = this.stmt(
      `SELECT coalesce(reason, 'unknown') AS reason, count(*) AS n FROM judgments
       WHERE status IN ('unscored', 'error') GROUP BY 1 ORDER BY 2 DESC, 1`,
    ).all() as Array<{ reason: string; n: number }>;
    for (const r of reasons) counts.byReason[r.reason] = r.n;
    return counts;
  }

  stats(): RunStats {
    const totals = this.stmt(
      `SELECT count(latency_ms) AS n, coalesce(sum(prompt_tokens), 0) AS prompt, coalesce(sum(completion_tokens), 0) AS completion
       FROM judgments`,
    ).get() as { n: number; prompt: number; completion: number };
    // Nearest rank, read with OFFSET so the latencies are never all held in memory.
    const nth = this.stmt('SELECT latency_ms FROM judgments WHERE latency_ms IS NOT NULL ORDER BY latency_ms LIMIT 1 OFFSET ?').pluck();
    const percentile = (p: number): number | null =>
      totals.n === 0 ? null : (nth.get(Math.max(0, Math.ceil(p * totals.n) - 1)) as number);
    return {
      latencyP50: percentile(0.5),
      latencyP95: percentile(0.95),
      promptTokens: totals.prompt,
      completionTokens: totals.completion,
    };
  }

  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      // The error that stopped the reading is the one to report, not a failing end of the transaction.
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // nothing was written
      }
      throw err;
    }
    if (this.db.inTransaction) this.db.exec('COMMIT');
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeRunDatabase(this.db, this.readonly);
  }
}
