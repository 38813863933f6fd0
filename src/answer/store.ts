import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputError, errorMessage } from '../core/errors.ts';

/** `PRAGMA application_id` of an answers state file ("PLXA"), so it is never mistaken for a run file. */
export const ANSWER_STATE_APPLICATION_ID = 0x504c5841;
const FORMAT_VERSION = 1;

const SCHEMA = `
  CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- One row per generated (instruction, sample): written as each reply arrives, so a crash loses
  -- only the requests in flight. An error row is asked again on the next run.
  CREATE TABLE answers (
    key TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL,
    prompt_id TEXT NOT NULL,
    sample INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('answered', 'error')),
    answer TEXT,
    reasoning TEXT,
    finish_reason TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL,
    attempts INTEGER NOT NULL,
    endpoint TEXT,
    error TEXT,
    finished_at INTEGER NOT NULL
  );
  CREATE INDEX answers_by_seq ON answers (seq, sample);
`;

/** What the answers were asked with: a resume with anything else would mix two models' answers. */
export interface AnswerManifest {
  dataset: { path: string; fingerprint: string };
  model: string;
  modelId: string;
  params: Record<string, unknown>;
  system: string | null;
  toolVersion: string;
}

export interface AnswerRow {
  key: string;
  seq: number;
  promptId: string;
  sample: number;
  status: 'answered' | 'error';
  answer: string | null;
  reasoning: string | null;
  finishReason: string | null;
  truncated: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number | null;
  attempts: number;
  endpoint: string | null;
  error: string | null;
  finishedAt: number;
}

export interface AnswerCounts {
  answered: number;
  truncated: number;
  error: number;
  promptTokens: number;
  completionTokens: number;
}

/** The SQLite state of `pollux answer`: the source of truth; the JSONL is written from it. */
export class AnswerStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file);
    } catch (err) {
      throw new InputError(`cannot open the answers state file: ${errorMessage(err)}`, { file }, { cause: err });
    }
    try {
      this.db.pragma('busy_timeout = 5000');
      const appId = this.db.pragma('application_id', { simple: true }) as number;
      if (appId !== ANSWER_STATE_APPLICATION_ID) {
        const objects = this.db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
        if (objects > 0) throw new InputError('not a pollux answers state file (an SQLite database without its marker)', { file });
        this.db.exec(SCHEMA);
        this.db.pragma(`application_id = ${ANSWER_STATE_APPLICATION_ID}`);
        this.db.pragma(`user_version = ${FORMAT_VERSION}`);
      }
      // As in run files: a commit survives kill -9 once it returns (WAL); only a power cut can drop the last ones.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    } catch (err) {
      this.db.close();
      if (err instanceof InputError) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_NOTADB') throw new InputError('not a pollux answers state file (not an SQLite database)', { file }, { cause: err });
      throw err;
    }
  }

  static exists(file: string): boolean {
    return existsSync(file);
  }

  getManifest(): AnswerManifest | null {
    const v = this.db.prepare("SELECT value FROM meta WHERE name = 'manifest'").pluck().get() as string | undefined;
    return v === undefined ? null : (JSON.parse(v) as AnswerManifest);
  }

  setManifest(m: AnswerManifest): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('manifest', ?)").run(JSON.stringify(m));
  }

  /** Keys with an answer (errors are not done: they are asked again). */
  answeredKeys(): Set<string> {
    return new Set(this.db.prepare("SELECT key FROM answers WHERE status = 'answered'").pluck().all() as string[]);
  }

  /** Prepared once: a run commits after every turn of the event loop that brought replies. */
  private saveMany: ((rows: readonly AnswerRow[]) => void) | null = null;

  save(rows: readonly AnswerRow[]): void {
    if (!this.saveMany) {
      const insert = this.db.prepare(
        `INSERT OR REPLACE INTO answers (key, seq, prompt_id, sample, status, answer, reasoning, finish_reason, truncated,
           prompt_tokens, completion_tokens, latency_ms, attempts, endpoint, error, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.saveMany = this.db.transaction((batch: readonly AnswerRow[]) => {
        for (const r of batch) {
          insert.run(r.key, r.seq, r.promptId, r.sample, r.status, r.answer, r.reasoning, r.finishReason, r.truncated ? 1 : 0,
            r.promptTokens, r.completionTokens, r.latencyMs, r.attempts, r.endpoint, r.error, r.finishedAt);
        }
      });
    }
    this.saveMany(rows);
  }

  counts(): AnswerCounts {
    const r = this.db
      .prepare(
        `SELECT
           coalesce(sum(status = 'answered'), 0) AS answered,
           coalesce(sum(status = 'answered' AND truncated = 1), 0) AS truncated,
           coalesce(sum(status = 'error'), 0) AS error,
           coalesce(sum(prompt_tokens), 0) AS promptTokens,
           coalesce(sum(completion_tokens), 0) AS completionTokens
         FROM answers`,
      )
      .get() as AnswerCounts;
    return r;
  }

  /** The first few errors, for the summary. */
  errors(limit: number): Array<{ promptId: string; sample: number; error: string }> {
    return this.db
      .prepare("SELECT prompt_id AS promptId, sample, error FROM answers WHERE status = 'error' ORDER BY seq, sample LIMIT ?")
      .all(limit) as Array<{ promptId: string; sample: number; error: string }>;
  }

  /** Answered rows in dataset order. */
  *answered(): Generator<AnswerRow> {
    const stmt = this.db.prepare("SELECT * FROM answers WHERE status = 'answered' ORDER BY seq, sample");
    for (const r of stmt.iterate() as Iterable<Record<string, unknown>>) {
      yield {
        key: r.key as string,
        seq: r.seq as number,
        promptId: r.prompt_id as string,
        sample: r.sample as number,
        status: 'answered',
        answer: r.answer as string,
        reasoning: r.reasoning as string | null,
        finishReason: r.finish_reason as string | null,
        truncated: r.truncated === 1,
        promptTokens: r.prompt_tokens as number | null,
        completionTokens: r.completion_tokens as number | null,
        latencyMs: r.latency_ms as number | null,
        attempts: r.attempts as number,
        endpoint: r.endpoint as string | null,
        error: null,
        finishedAt: r.finished_at as number,
      };
    }
  }

  close(): void {
    this.db.close();
  }
}
