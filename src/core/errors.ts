/**
 * Error classes shared by every layer. Each carries the process exit code the CLI uses, so the
 * command layer never has to guess what kind of failure it is looking at.
 */

export const EXIT = {
  ok: 0,
  unscored: 1,
  usage: 2,
  judgeFailed: 3,
  /** `score --fail-under`: a model's score is below the bar. */
  belowThreshold: 4,
  interrupted: 130,
} as const;

export class PolluxError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Where in the user's input a problem sits: any of file, line (1-based), row index, field. */
export interface InputLocation {
  file?: string;
  line?: number;
  row?: number;
  field?: string;
}

export function formatLocation(loc: InputLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file + (loc.line !== undefined ? `:${loc.line}` : ''));
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.row !== undefined && loc.line === undefined) parts.push(`row ${loc.row}`);
  if (loc.field) parts.push(`field "${loc.field}"`);
  return parts.join(', ');
}

/** Bad input data or a bad flag: exit code 2, and the message names what is at fault. */
export class InputError extends PolluxError {
  readonly location: InputLocation;
  readonly problem: string;
  constructor(problem: string, location: InputLocation = {}, options?: { cause?: unknown }) {
    const where = formatLocation(location);
    super(where ? `${where}: ${problem}` : problem, EXIT.usage, options);
    this.location = location;
    this.problem = problem;
  }
}

export class UsageError extends PolluxError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/**
 * How a judge failure should be treated, decided once at the backend edge:
 * - rate_limited: the server asked us to slow down (429, or 503 with Retry-After);
 * - transient: worth retrying (5xx, timeouts, resets, malformed bodies);
 * - fatal: retrying cannot help (401, 404 model, 400 prompt too long).
 */
export type JudgeErrorKind = 'rate_limited' | 'transient' | 'fatal';

export class JudgeError extends PolluxError {
  readonly kind: JudgeErrorKind;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  readonly endpoint: string | null;
  /** The request ran past its timeout: a sign of overload, like a 429. */
  readonly timeout: boolean;
  /** No HTTP exchange happened at all (refused, reset, unknown host): the endpoint is down. */
  readonly connection: boolean;
  constructor(
    message: string,
    kind: JudgeErrorKind,
    details: { retryAfterMs?: number | null; status?: number | null; endpoint?: string | null; timeout?: boolean; connection?: boolean; cause?: unknown } = {},
  ) {
    super(message, EXIT.judgeFailed, { cause: details.cause });
    this.kind = kind;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.status = details.status ?? null;
    this.endpoint = details.endpoint ?? null;
    this.timeout = details.timeout ?? false;
    this.connection = details.connection ?? false;
  }

  /**
   * The endpoint cannot serve anyone (down, wrong key, no such route or model): every request
   * would fail there the same way. Such errors are retried by the next run without being asked.
   */
  get endpointDown(): boolean {
    return this.connection || this.status === 401 || this.status === 403 || this.status === 404;
  }

  /** Overload: slow down (429, 503, timeouts). */
  get overload(): boolean {
    return this.kind === 'rate_limited' || this.status === 503 || this.timeout;
  }

  /**
   * A fatal error that is the request's own fault (400 prompt too long, 413, 422): another replica
   * would answer the same. Other fatal errors (401, 403, 404 unknown model) belong to the endpoint.
   */
  get requestFault(): boolean {
    return this.kind === 'fatal' && (this.status === 400 || this.status === 413 || this.status === 422);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const FILE_SYSTEM_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * A file system error (a missing or unwritable output folder, …) as a message naming the file, or
 * null for anything else. Temporary names (written before the rename into place) are shown as the
 * file they stand for.
 */
export function fileSystemErrorMessage(err: unknown): string | null {
  const e = err as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof e?.code !== 'string' || typeof e.path !== 'string' || !FILE_SYSTEM_CODES[e.code]) return null;
  const path = e.path.replace(/([\\/])\.([^\\/]+)\.\d+\.tmp$/, '$1$2').replace(/\.partial-\d+$/, '');
  const action = typeof e.syscall === 'string' && /open|write|mkdir|rename|unlink/.test(e.syscall) ? `cannot ${e.syscall === 'mkdir' ? 'create' : 'write'} ` : '';
  return `${action}${path}: ${FILE_SYSTEM_CODES[e.code]} (${e.code})`;
}
