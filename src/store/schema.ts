import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputError, errorMessage } from '../core/errors.ts';
import {
  declaration,
  JUDGMENT_COLUMNS,
  JUDGMENT_TABLE_COLUMNS,
  qualified,
  REQUEST_COLUMNS,
  sqlType,
  VERDICT_COLUMNS,
  type ColumnSpec,
} from './judgmentColumns.ts';

/** `PRAGMA application_id` of a run file ("PLUX"): tells a run file from any other SQLite file. */
export const RUN_FILE_APPLICATION_ID = 0x504c5558;

const since = (c: ColumnSpec): number => c.since ?? 1;

/** A CREATE TABLE column list, one column a line, each column's comment above it. */
function columnList(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => `${c.comment ? `    -- ${c.comment}\n` : ''}    ${c.name} ${declaration(c)}`).join(',\n');
}

/** A superseded judgment keeps the verdict columns, without their defaults, checks and references. */
function supersededList(): string {
  return VERDICT_COLUMNS.filter((c) => since(c) === 1).map((c: ColumnSpec) => `    ${c.name} ${sqlType(c)}${c.notNull ? ' NOT NULL' : ''}`).join(',\n');
}

/**
 * The `requests` view's SELECT list (as of format 1): request columns, then the judgment columns
 * they do not repeat (key, seq), wrapped at 102 characters.
 */
function viewSelectList(): string {
  const lines: string[] = [];
  let line = '    SELECT';
  const requests = REQUEST_COLUMNS.filter((c) => since(c) === 1);
  const repeated = new Set<string>(requests.map((c) => c.name));
  const groups = [requests, JUDGMENT_TABLE_COLUMNS.filter((c) => since(c) === 1 && !repeated.has(c.name))];
  groups.forEach((group, g) => {
    group.forEach((c, i) => {
      const item = `${qualified(c)}${g === groups.length - 1 && i === group.length - 1 ? '' : ','}`;
      if (line.length + 1 + item.length > 102) {
        lines.push(line);
        line = '     ';
      }
      line += ` ${item}`;
    });
    lines.push(line);
    line = '     ';
  });
  return lines.join('\n');
}

/** The columns a store format added to existing tables, each with its comment. */
function addedColumns(format: number): string {
  return JUDGMENT_COLUMNS.filter((c) => since(c) === format)
    .map((c: ColumnSpec) => `${c.comment ? `  -- ${c.comment}\n` : ''}  ALTER TABLE ${c.table} ADD COLUMN ${c.name} ${declaration(c)};`)
    .join('\n');
}

/**
 * Schema migrations, applied in order by `PRAGMA user_version`: entry i takes a file from version i
 * to version i + 1. Never edit a shipped entry; append a new one. The column lists come from
 * JUDGMENT_COLUMNS and produce the shipped text byte for byte (test/store/judgmentColumns.test.ts
 * pins each entry's hash).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- Judge provenance (backend, model, params) is the same for almost every row, so rows point here.
  CREATE TABLE judges (
    id INTEGER PRIMARY KEY,
    json TEXT NOT NULL UNIQUE
  );

  -- One row per judgment key (prompt + judge + params + repeat), ever: the judgment updates it in
  -- place. Requests whose prompts are identical (two models giving the same answer) share one.
  CREATE TABLE judgments (
${columnList(JUDGMENT_TABLE_COLUMNS.filter((c) => since(c) === 1))}
  );
  CREATE INDEX judgments_by_status ON judgments (status, seq, key);

  -- One row per request: a sample on a criterion (and repeat), pointing at its judgment.
  CREATE TABLE request_rows (
${columnList(REQUEST_COLUMNS.filter((c) => since(c) === 1))},
    UNIQUE (sample_id, criterion_key, repeat)
  );
  CREATE INDEX request_rows_by_seq ON request_rows (seq, id);
  CREATE INDEX request_rows_by_key ON request_rows (key);

  -- The flat table a person (or the sqlite3 shell) expects: one row per request with its judgment.
  CREATE VIEW requests AS
${viewSelectList()}
    FROM request_rows r JOIN judgments j ON j.key = r.key;

  -- Judgments replaced by a retry: kept so a retry never destroys what the judge said before.
  CREATE TABLE superseded (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
${supersededList()},
    superseded_at INTEGER NOT NULL
  );
  CREATE INDEX superseded_by_key ON superseded (key);
  `,
  `
  -- The texts a judgment was made from, each stored once: an instruction shared by many answers,
  -- an answer shared by its criteria, a rubric shared by every request on that criterion.
  CREATE TABLE instructions (
    instruction_id TEXT PRIMARY KEY NOT NULL,
    instruction TEXT NOT NULL
  );
  CREATE TABLE samples (
    sample_id TEXT PRIMARY KEY NOT NULL,
    instruction_id TEXT NOT NULL,
    -- NULL = no reference answer, '' = an empty one
    reference_answer TEXT,
    answer TEXT NOT NULL
  );
  CREATE TABLE criteria (
    id INTEGER PRIMARY KEY,
    -- hash of (key, name, rubric): the same criterion key may come with a row's own rubric text
    hash TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    rubric TEXT NOT NULL
  );
${addedColumns(2)}

  CREATE VIEW requests_with_texts AS
    SELECT q.*, i.instruction, s.reference_answer, s.answer, c.rubric
    FROM requests q
      LEFT JOIN samples s ON s.sample_id = q.sample_id
      LEFT JOIN instructions i ON i.instruction_id = s.instruction_id
      LEFT JOIN request_rows r ON r.id = q.id
      LEFT JOIN criteria c ON c.id = r.criterion_id;
  `,
];

/** The first store format that keeps texts (instructions, samples, criteria). */
export const TEXTS_FORMAT_VERSION = 2;
/** Readers open formats from here on; what an older format lacks (texts) is reported absent. */
const OLDEST_READABLE_VERSION = 1;

export const STORE_FORMAT_VERSION = MIGRATIONS.length;

function notRunFile(file: string, why: string, cause?: unknown): InputError {
  return new InputError(`not a pollux run file (${why})`, { file }, { cause });
}

/**
 * Opens (and for a writable open, creates or migrates) a run file. Every failure that comes from
 * the file itself is an InputError naming it.
 */
export type Synchronous = 'normal' | 'full';

export function openRunDatabase(file: string, readonly: boolean, synchronous: Synchronous = 'normal'): Database.Database {
  return openRunDatabaseVersioned(file, readonly, synchronous).db;
}

/** openRunDatabase, also telling the store format of the file as opened (after any migration). */
export function openRunDatabaseVersioned(
  file: string,
  readonly: boolean,
  synchronous: Synchronous = 'normal',
): { db: Database.Database; version: number } {
  if (readonly && !existsSync(file)) throw new InputError('no such run file', { file });
  if (!readonly) mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = readonly ? openForReading(file) : new Database(file);
  } catch (err) {
    throw new InputError(`cannot open the run file: ${errorMessage(err)}`, { file }, { cause: err });
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = checkRunFile(db, file, readonly);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL (the default) in WAL mode: a commit is in the WAL (the OS's hands) when it returns, so it survives
      // a crash or SIGKILL of this process; only a power loss or OS crash can drop the last commits,
      // because the WAL is fsynced at checkpoints rather than at each commit. FULL would fsync every
      // commit and is what survives power loss, but bench/store.bench.ts measured about 1,200
      // single-judgment commits/s with FULL against 9,700/s with NORMAL: FULL cannot keep up with a
      // run at ~2,000 judgments/s. A tail lost to a power cut is simply judged again on resume.
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      if (version < STORE_FORMAT_VERSION) migrate(db);
      return { db, version: STORE_FORMAT_VERSION };
    }
    return { db, version };
  } catch (err) {
    db.close();
    if (err instanceof InputError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') throw notRunFile(file, 'not an SQLite database', err);
    throw new InputError(`cannot read the run file: ${errorMessage(err)}`, { file }, { cause: err });
  }
}

/** Bytes 18–19 of an SQLite header are 2 in WAL mode; 68–71 hold the application id. */
function walRunFileAtRest(file: string): boolean {
  const head = Buffer.alloc(72);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    if (readSync(fd, head, 0, 72, 0) < 72) return false;
  } finally {
    closeSync(fd);
  }
  return head[18] === 2 && head.readUInt32BE(68) === RUN_FILE_APPLICATION_ID && !existsSync(`${file}-wal`);
}

/**
 * Reading never writes. A run file at rest is in rollback-journal mode (closeRunDatabase), which a
 * read-only connection reads without creating anything. A file left in WAL mode with no writer
 * (older files) would make SQLite create `-wal`/`-shm` files it cannot remove — and fail where
 * the user may not write: it is switched back when we may write it, else read from memory.
 */
function openForReading(file: string): Database.Database {
  if (walRunFileAtRest(file)) {
    try {
      const rw = new Database(file, { fileMustExist: true });
      try {
        rw.pragma('busy_timeout = 0');
        rw.pragma('journal_mode = DELETE');
      } finally {
        rw.close();
      }
    } catch {
      // Not ours to change: below.
    }
    if (walRunFileAtRest(file)) {
      const image = readFileSync(file);
      // An in-memory image has no WAL: mark it as a rollback-journal file (header bytes 18–19).
      image[18] = 1;
      image[19] = 1;
      return new Database(image, { readonly: true });
    }
  }
  return new Database(file, { readonly: true, fileMustExist: true });
}

/**
 * Closes a run file. A writer leaves it in rollback-journal mode, with its WAL merged and removed,
 * so readers (score, meta, export) never need to write beside it. If a reader holds it open right
 * now, the switch is skipped and the file stays in WAL mode until a writer next closes it.
 */
export function closeRunDatabase(db: Database.Database, readonly: boolean): void {
  if (!readonly) {
    db.pragma('optimize');
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('journal_mode = DELETE');
    } catch {
      // busy: stays in WAL mode
    }
  }
  db.close();
}

/** Refuses files that are not run files or are too new (or, read-only, too old); returns the format. */
function checkRunFile(db: Database.Database, file: string, readonly: boolean): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId !== RUN_FILE_APPLICATION_ID) {
    const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
    // A fresh file (or an empty one a user created) becomes a run file; anything else is not ours.
    if (readonly || objects > 0) throw notRunFile(file, 'an SQLite database without the pollux marker');
  }
  if (version > STORE_FORMAT_VERSION) {
    throw new InputError(
      `the run file has store format ${version}, newer than this pollux reads (up to ${STORE_FORMAT_VERSION}); upgrade pollux-eval`,
      { file },
    );
  }
  // Format 1 differs only by lacking the text tables: readers open it and report the texts absent.
  if (readonly && version < OLDEST_READABLE_VERSION) {
    throw new InputError(
      `the run file has the older store format ${version} (current ${STORE_FORMAT_VERSION}); resume it once with \`pollux run\` to upgrade it`,
      { file },
    );
  }
  return version;
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Read again under the write lock: another process may have created the schema meanwhile.
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < STORE_FORMAT_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`application_id = ${RUN_FILE_APPLICATION_ID}`);
    db.pragma(`user_version = ${STORE_FORMAT_VERSION}`);
  }).immediate();
}
