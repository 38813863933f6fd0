import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../../core/errors.ts';
import { selectList, type RecordColumnNamed, type SqlRow } from '../../store/judgmentColumns.ts';
import { closeRunDatabase, openRunDatabaseVersioned, TEXTS_FORMAT_VERSION } from '../../store/schema.ts';
import { STATUS_CODES, type ReportCriterion, type ReportDictionaries, type ReportRun } from '../html/reportData.ts';

/** Filters as the page sends them: indices into the dictionaries (as text), a status, a search text. */
export interface ViewFilter {
  model?: string;
  task?: string;
  criterion?: string;
  status?: string;
  q?: string;
}

export type JudgmentKind = 'all' | 'disagreements' | 'problems';

export interface JudgmentRow {
  id: string;
  /** Indices into the filter lists; -1 while those are not known yet. */
  model: number;
  task: number;
  criterion: number;
  /** The names shown, read with the page's own rows (so a page never waits for the filter lists). */
  modelName: string | null;
  taskName: string | null;
  criterionKey: string;
  criterionName: string;
  status: string;
  score: number | null;
  human: number | null;
  reason: string | null;
  repeat: number;
}

export interface JudgmentPage {
  /**
   * Rows matching the filter when already known (a page never counts the whole table first);
   * null otherwise: `/api/count` gives it, a search has none.
   */
  total: number | null;
  /** Whether a next page has rows. */
  more: boolean;
  rows: JudgmentRow[];
}

export interface ViewDictionaries extends Omit<ReportDictionaries, 'reasons'> {
  runs: ReportRun[];
  withHuman: number;
  generatedAt: string;
  lang: string;
}

interface RunDb {
  db: Database.Database;
  version: number;
  file: string;
}

export const PAGE_SIZE = 50;

const PAGE_COLUMNS = ['id', 'model_id', 'task_type', 'criterion_key', 'criterion_name', 'status', 'score', 'human_score', 'reason', 'repeat'] as const;
const PAGE_SELECT = selectList(PAGE_COLUMNS);
type PageRowSql = SqlRow<RecordColumnNamed<(typeof PAGE_COLUMNS)[number]>>;
const DETAIL_SELECT = selectList([
  'id', 'sample_id', 'model_id', 'task_type', 'criterion_key', 'criterion_name', 'judge_model', 'repeat', 'human_score',
  'status', 'score', 'reason', 'rationale', 'raw', 'reasoning', 'finish_reason', 'latency_ms', 'attempts',
]);

/** Case-insensitive for any script (SQLite's own LIKE folds ASCII only). */
function contains(text: unknown, needle: unknown): number {
  return typeof text === 'string' && typeof needle === 'string' && text.toLowerCase().includes(needle) ? 1 : 0;
}

/**
 * Read-only queries over one or more run files, page by page: nothing is ever loaded whole. Rows
 * are ordered by run, then as the run listed them; ids are `run:row`.
 */
export class RunQueries {
  private readonly runs: RunDb[] = [];
  /** Null until the filter lists arrive from the worker: paging never waits for them. */
  dict: ViewDictionaries | null = null;
  private readonly modelIndex = new Map<string | null, number>();
  private readonly taskIndex = new Map<string | null, number>();
  private readonly criterionIndex = new Map<string, number>();
  private readonly countCache = new Map<string, number>();

  constructor(files: readonly string[]) {
    const twice = files.filter((f, i) => files.indexOf(f) !== i);
    if (twice.length > 0) throw new InputError(`a run file is named twice: ${twice.join(', ')}`);
    try {
      for (const file of files) {
        const { db, version } = openRunDatabaseVersioned(file, true);
        db.function('pollux_contains', { deterministic: true }, contains);
        this.runs.push({ db, version, file });
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** The filter lists, once computed (off this thread): filters name their entries by index. */
  setDictionaries(dict: ViewDictionaries): void {
    dict.models.forEach((m, i) => this.modelIndex.set(m, i));
    dict.tasks.forEach((t, i) => this.taskIndex.set(t, i));
    dict.criteria.forEach((c, i) => this.criterionIndex.set(c.key, i));
    this.dict = dict;
  }

  /**
   * One DISTINCT pass and one count pass per run: the models, task types and criteria, and the
   * counts the page shows. Whole-table passes: the viewer runs this in its worker thread.
   */
  static dictionaries(files: readonly string[], lang: string): ViewDictionaries {
    const modelIndex = new Map<string | null, number>();
    const taskIndex = new Map<string | null, number>();
    const criterionIndex = new Map<string, number>();
    const models: Array<string | null> = [];
    const tasks: Array<string | null> = [];
    const criteria: ReportCriterion[] = [];
    const runs: ReportRun[] = [];
    let withHuman = 0;
    for (const file of files) {
      const { db, version } = openRunDatabaseVersioned(file, true);
      try {
        const run = { db, version, file };
      // DISTINCT keeps only the few distinct combinations in its temporary b-tree; a GROUP BY would
      // sort every request (four times the CPU on a million).
      const combos = run.db.prepare('SELECT DISTINCT model_id, task_type, criterion_key FROM request_rows').raw().all() as Array<[string | null, string | null, string]>;
      const criterionOf = run.db.prepare('SELECT criterion_name, scale_min, scale_max, gate FROM request_rows WHERE criterion_key = ? LIMIT 1');
      for (const [model, task, key] of combos) {
        if (!modelIndex.has(model)) modelIndex.set(model, models.push(model) - 1);
        if (!taskIndex.has(task)) taskIndex.set(task, tasks.push(task) - 1);
        if (!criterionIndex.has(key)) {
          const c = criterionOf.get(key) as { criterion_name: string; scale_min: number; scale_max: number; gate: number };
          criterionIndex.set(key, criteria.push({ key, name: c.criterion_name, min: c.scale_min, max: c.scale_max, gate: c.gate === 1 }) - 1);
        }
      }
      const texts = run.version >= TEXTS_FORMAT_VERSION ? 'count(criterion_id)' : '0';
      const totals = run.db.prepare(`SELECT count(*) AS n, ${texts} AS with_texts, count(human_score) AS with_human FROM request_rows`).get() as { n: number; with_texts: number; with_human: number };
      const requests = totals.n;
      const withTexts = totals.with_texts;
      withHuman += totals.with_human;
      const judgeModels = (run.db.prepare('SELECT DISTINCT judge_model FROM request_rows LIMIT 100').pluck().all() as string[]);
      const manifest = run.db.prepare(`SELECT value FROM meta WHERE name = 'manifest'`).pluck().get() as string | undefined;
      const parsed = manifest ? (JSON.parse(manifest) as { template?: string; dataset?: { path?: string } }) : null;
      runs.push({
        name: basename(run.file),
        requests,
        requestsWithTexts: withTexts,
        judgeModels,
        template: parsed?.template ?? null,
        dataset: parsed?.dataset?.path ? basename(parsed.dataset.path) : null,
      });
      } finally {
        closeRunDatabase(db, true);
      }
    }
    return { models, tasks, criteria, runs, withHuman, generatedAt: new Date().toISOString(), lang };
  }

  private where(run: RunDb, f: ViewFilter, kind: JudgmentKind): { sql: string; params: unknown[]; texts: boolean } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const pick = <T>(list: readonly T[] | undefined, index: string | undefined, what: string): T | undefined => {
      if (index === undefined || index === '') return undefined;
      if (!list) throw new InputError(`the ${what} list is still being computed`);
      const i = Number(index);
      if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new InputError(`unknown ${what} ${JSON.stringify(index)}`);
      return list[i] as T;
    };
    const model = pick(this.dict?.models, f.model, 'model');
    if (f.model !== undefined && f.model !== '') {
      clauses.push('r.model_id IS ?');
      params.push(model ?? null);
    }
    if (f.task !== undefined && f.task !== '') {
      clauses.push('r.task_type IS ?');
      params.push(pick(this.dict?.tasks, f.task, 'task type') ?? null);
    }
    const criterion = pick(this.dict?.criteria, f.criterion, 'criterion');
    if (criterion) {
      clauses.push('r.criterion_key = ?');
      params.push(criterion.key);
    }
    if (f.status !== undefined && f.status !== '') {
      if (!(STATUS_CODES as readonly string[]).includes(f.status)) throw new InputError(`unknown status ${JSON.stringify(f.status)}`);
      clauses.push('j.status = ?');
      params.push(f.status);
    }
    if (kind === 'problems') clauses.push(`j.status IN ('unscored', 'error')`);
    if (kind === 'disagreements') clauses.push(`j.status = 'scored' AND r.human_score IS NOT NULL`);
    let texts = false;
    const q = f.q?.trim().toLowerCase();
    if (q) {
      const fields = ['r.criterion_name', 'r.model_id', 'j.rationale', 'j.raw', 'j.reason'];
      if (run.version >= TEXTS_FORMAT_VERSION) {
        fields.push('i.instruction', 's.answer', 's.reference_answer');
        texts = true;
      }
      clauses.push(`(${fields.map((x) => `pollux_contains(${x}, ?)`).join(' OR ')})`);
      for (let k = 0; k < fields.length; k++) params.push(q);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, texts };
  }

  private static from(texts: boolean): string {
    return `FROM request_rows r CROSS JOIN judgments j ON j.key = r.key${
      texts ? ' LEFT JOIN samples s ON s.sample_id = r.sample_id LEFT JOIN instructions i ON i.instruction_id = s.instruction_id' : ''
    }`;
  }

  private cachedCount(runIndex: number, f: ViewFilter, kind: JudgmentKind): number | undefined {
    const unfiltered = !f.model && !f.task && !f.criterion && !f.status && kind === 'all';
    if (unfiltered && this.dict) return this.dict.runs[runIndex]?.requests;
    return this.countCache.get(JSON.stringify([runIndex, f.model, f.task, f.criterion, f.status, kind]));
  }

  /** Rows matching the filter over every run: a whole-table pass unless cached, so asked for apart from a page. */
  total(f: ViewFilter, kind: JudgmentKind): number | null {
    if (f.q) return null;
    return this.runs.reduce((n, _, i) => n + this.count(i, f, kind), 0);
  }

  private count(runIndex: number, f: ViewFilter, kind: JudgmentKind): number {
    const run = this.runs[runIndex] as RunDb;
    const cacheKey = JSON.stringify([runIndex, f.model, f.task, f.criterion, f.status, kind]);
    const cached = this.countCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const w = this.where(run, f, kind);
    const sql = w.sql === '' ? 'SELECT count(*) FROM request_rows' : `SELECT count(*) ${RunQueries.from(w.texts)} ${w.sql}`;
    const n = run.db.prepare(sql).pluck().get(...w.params) as number;
    // A run that is still being judged changes; counts are kept only briefly.
    if (this.countCache.size > 200) this.countCache.clear();
    this.countCache.set(cacheKey, n);
    return n;
  }

  private select(runIndex: number, f: ViewFilter, kind: JudgmentKind, limit: number, offset: number): JudgmentRow[] {
    const run = this.runs[runIndex] as RunDb;
    const w = this.where(run, f, kind);
    const order = kind === 'disagreements' ? 'abs(j.score - r.human_score) DESC, r.seq, r.id' : 'r.seq, r.id';
    const rows = run.db
      .prepare(`SELECT ${PAGE_SELECT} ${RunQueries.from(w.texts)} ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...w.params, limit, offset) as PageRowSql[];
    return rows.map((r) => ({
      id: `${runIndex}:${r.id}`,
      model: this.modelIndex.get(r.model_id) ?? -1,
      task: this.taskIndex.get(r.task_type) ?? -1,
      criterion: this.criterionIndex.get(r.criterion_key) ?? -1,
      modelName: r.model_id,
      taskName: r.task_type,
      criterionKey: r.criterion_key,
      criterionName: r.criterion_name,
      status: r.status,
      score: r.score,
      human: r.human_score,
      reason: r.reason,
      repeat: r.repeat,
    }));
  }

  judgments(f: ViewFilter, kind: JudgmentKind, page: number): JudgmentPage {
    const offset = page * PAGE_SIZE;
    const known = (): number | null => {
      if (f.q) return null;
      let n = 0;
      for (let i = 0; i < this.runs.length; i++) {
        const c = this.cachedCount(i, f, kind);
        if (c === undefined) return null;
        n += c;
      }
      return n;
    };
    if (kind === 'disagreements') {
      // The largest gaps over every run: each run's best (offset + page + 1) rows, merged.
      const merged = this.runs.flatMap((_, i) => this.select(i, f, kind, offset + PAGE_SIZE + 1, 0));
      merged.sort((a, b) => Math.abs((b.score as number) - (b.human as number)) - Math.abs((a.score as number) - (a.human as number)));
      return { total: known(), more: merged.length > offset + PAGE_SIZE, rows: merged.slice(offset, offset + PAGE_SIZE) };
    }
    // One row past the page says whether there is a next one; no count of the whole table first.
    // A run whose rows all lie before the offset is skipped by its count (cached), needed only
    // when paging past it.
    const rows: JudgmentRow[] = [];
    let skip = offset;
    for (let i = 0; i < this.runs.length && rows.length <= PAGE_SIZE; i++) {
      if (f.q) {
        const got = this.select(i, f, kind, skip + PAGE_SIZE + 1 - rows.length, 0);
        rows.push(...got.slice(skip));
        skip = Math.max(0, skip - got.length);
        continue;
      }
      if (skip > 0) {
        const n = this.cachedCount(i, f, kind) ?? (this.runs.length > 1 ? this.count(i, f, kind) : undefined);
        if (n !== undefined && skip >= n) {
          skip -= n;
          continue;
        }
      }
      const got = this.select(i, f, kind, PAGE_SIZE + 1 - rows.length, skip);
      rows.push(...got);
      skip = 0;
    }
    return { total: known(), more: rows.length > PAGE_SIZE, rows: rows.slice(0, PAGE_SIZE) };
  }

  /** One judgment with every text the file has; null for an unknown id. */
  detail(id: string): Record<string, unknown> | null {
    const m = /^(\d+):(\d+)$/.exec(id);
    const run = m ? this.runs[Number(m[1])] : undefined;
    if (!m || !run) return null;
    const texts = run.version >= TEXTS_FORMAT_VERSION;
    const row = run.db
      .prepare(
        `SELECT ${DETAIL_SELECT}
           ${texts ? ', c.id AS criterion_text, i.instruction, s.reference_answer, s.answer, c.rubric' : ''}
         FROM request_rows r CROSS JOIN judgments j ON j.key = r.key
         ${texts ? 'LEFT JOIN samples s ON s.sample_id = r.sample_id LEFT JOIN instructions i ON i.instruction_id = s.instruction_id LEFT JOIN criteria c ON c.id = r.criterion_id' : ''}
         WHERE r.id = ?`,
      )
      .get(Number(m[2])) as Record<string, unknown> | undefined;
    if (!row) return null;
    const hasTexts = texts && row.criterion_text !== null && row.instruction !== null && row.answer !== null;
    return {
      id,
      model: this.modelIndex.get(row.model_id as string | null) ?? -1,
      task: this.taskIndex.get(row.task_type as string | null) ?? -1,
      criterion: this.criterionIndex.get(row.criterion_key as string) ?? -1,
      modelName: row.model_id,
      taskName: row.task_type,
      criterionKey: row.criterion_key,
      criterionName: row.criterion_name,
      status: row.status,
      score: row.score,
      human: row.human_score,
      reason: row.reason,
      repeat: row.repeat,
      sampleId: row.sample_id,
      judgeModel: row.judge_model,
      texts: hasTexts,
      instruction: hasTexts ? row.instruction : null,
      referenceAnswer: hasTexts ? row.reference_answer : null,
      answer: hasTexts ? row.answer : null,
      rubric: hasTexts ? row.rubric : null,
      rationale: row.rationale,
      raw: row.raw,
      reasoning: row.reasoning,
    };
  }

  distribution(f: ViewFilter): Array<{ model: number; modelName: string | null; score: number; n: number }> {
    const out = new Map<string, { model: number; modelName: string | null; score: number; n: number }>();
    for (const run of this.runs) {
      const w = this.where(run, { ...f, status: 'scored' }, 'all');
      const rows = run.db.prepare(`SELECT r.model_id AS model, j.score AS score, count(*) AS n ${RunQueries.from(w.texts)} ${w.sql} GROUP BY 1, 2`).all(...w.params) as Array<{ model: string | null; score: number; n: number }>;
      for (const r of rows) {
        const model = this.modelIndex.get(r.model) ?? -1;
        const key = `${JSON.stringify(r.model)}\u0000${r.score}`;
        const had = out.get(key);
        if (had) had.n += r.n;
        else out.set(key, { model, modelName: r.model, score: r.score, n: r.n });
      }
    }
    return [...out.values()];
  }

  confusion(f: ViewFilter): Array<{ judge: number; human: number; n: number }> {
    const out = new Map<string, { judge: number; human: number; n: number }>();
    for (const run of this.runs) {
      const w = this.where(run, f, 'disagreements');
      const rows = run.db.prepare(`SELECT j.score AS judge, round(r.human_score, 2) AS human, count(*) AS n ${RunQueries.from(w.texts)} ${w.sql} GROUP BY 1, 2`).all(...w.params) as Array<{ judge: number; human: number; n: number }>;
      for (const r of rows) {
        const key = `${r.judge}\u0000${r.human}`;
        const had = out.get(key);
        if (had) had.n += r.n;
        else out.set(key, { ...r });
      }
    }
    return [...out.values()];
  }

  close(): void {
    for (const r of this.runs.splice(0)) closeRunDatabase(r.db, true);
  }
}
