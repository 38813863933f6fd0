/**
 * `hf://datasets/OWNER/NAME[/PATH]`: a dataset on the Hugging Face Hub, listed and downloaded with
 * the Hub's own client (`@huggingface/hub`) into a local cache, then read like a local file.
 *
 * - The Hub is `HF_ENDPOINT` (default https://huggingface.co); a private or gated dataset needs
 *   `HF_TOKEN` (sent to that endpoint only, never printed or stored).
 * - The cache is `POLLUX_CACHE` (default `~/.cache/pollux`), under `hf/datasets/OWNER/NAME/REVISION/`.
 *   A file whose Hub object id matches the cached one is not downloaded again; when the Hub cannot
 *   be reached (or `HF_HUB_OFFLINE=1`), the files listed at the last successful use are read from the
 *   cache, so a second use works offline.
 * - Every path the Hub returns is checked before it names a file in the cache: no absolute paths,
 *   no `..`, no backslashes; an OWNER or NAME outside `[A-Za-z0-9._-]` is refused.
 * - One Parquet file is read as is. Several (shards of a split, or every file under PATH) are
 *   concatenated in path order into one JSONL file in the cache, streamed row group by row group,
 *   so problems are then reported by line of that file.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { downloadFile, listFiles } from '@huggingface/hub';
import { InputError, PolluxError, EXIT, errorMessage } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { readParquet } from './parquet.ts';
import { isProblem } from './tableTypes.ts';

export const HF_PREFIX = 'hf://';

export interface HfDatasetRef {
  owner: string;
  name: string;
  /** A file or folder inside the repository; '' for all of it. */
  path: string;
  revision: string;
}

export interface HfEnvironment {
  HF_ENDPOINT?: string | undefined;
  HF_TOKEN?: string | undefined;
  HF_HUB_OFFLINE?: string | undefined;
  POLLUX_CACHE?: string | undefined;
  HOME?: string | undefined;
}

export interface ResolvedHfDataset {
  /** The local file to read. */
  file: string;
  /** The Parquet files it is made of, as the Hub names them. */
  files: string[];
  downloaded: number;
  /** True when the Hub could not be reached and the cache served. */
  offline: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isHfDataset(arg: string): boolean {
  return arg.startsWith(HF_PREFIX);
}

/** `hf://datasets/OWNER/NAME[@REVISION][/PATH]`. */
export function parseHfDataset(arg: string): HfDatasetRef {
  const rest = arg.slice(HF_PREFIX.length);
  const parts = rest.split('/');
  if (parts[0] !== 'datasets' || parts.length < 3) {
    throw new InputError(`"${arg}": expected hf://datasets/OWNER/NAME[/PATH], e.g. hf://datasets/ai-forever/POLLUX`);
  }
  const owner = parts[1]!;
  let name = parts[2]!;
  let revision = 'main';
  const at = name.indexOf('@');
  if (at >= 0) {
    revision = decodeURIComponent(name.slice(at + 1));
    name = name.slice(0, at);
  }
  for (const [what, value] of [
    ['owner', owner],
    ['dataset name', name],
  ] as const) {
    if (!NAME.test(value) || value.includes('..')) throw new InputError(`"${arg}": the ${what} "${value}" is not a Hub name (letters, digits, . _ -)`);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(revision) || revision.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new InputError(`"${arg}": "${revision}" is not a usable revision`);
  }
  const path = parts.slice(3).filter((p) => p !== '').join('/');
  checkRepoPath(path, arg);
  return { owner, name, path, revision };
}

/** A path from the user or the Hub that will name a file in the cache. */
function checkRepoPath(path: string, where: string): void {
  if (path === '') return;
  const bad = path.startsWith('/') || path.includes('\\') || path.includes('\0') || path.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new InputError(`${where}: the path "${path}" cannot name a file in the cache (absolute, empty or ".." segments)`);
}

export function hfCacheDir(env: HfEnvironment): string {
  const base = env.POLLUX_CACHE && env.POLLUX_CACHE.trim() !== '' ? env.POLLUX_CACHE : join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.cache', 'pollux');
  return join(base, 'hf');
}

interface CachedListing {
  files: Array<{ path: string; size: number; oid: string | null }>;
}

/** The Hub could not be reached at all (as opposed to answering with an error). */
function unreachable(err: unknown): boolean {
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return true;
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return typeof code === 'string' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(code);
}

function hubError(arg: string, endpoint: string, err: unknown): PolluxError {
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 401 || status === 403) {
    return new InputError(`${arg}: the Hub at ${endpoint} refused access (${status}); a private or gated dataset needs HF_TOKEN with access to it`);
  }
  if (status === 404) return new InputError(`${arg}: no such dataset or path on the Hub at ${endpoint} (404)`);
  return new PolluxError(`${arg}: the Hub at ${endpoint} failed: ${errorMessage(err)}`, EXIT.judgeFailed, { cause: err });
}

/**
 * Lists and downloads the Parquet files of `arg` and returns the local file to read. `log` gets one
 * line per download and a note when the cache serves offline.
 */
export async function resolveHfDataset(arg: string, env: HfEnvironment, log: (line: string) => void = () => {}): Promise<ResolvedHfDataset> {
  const ref = parseHfDataset(arg);
  const endpoint = (env.HF_ENDPOINT && env.HF_ENDPOINT.trim() !== '' ? env.HF_ENDPOINT : 'https://huggingface.co').replace(/\/+$/, '');
  const token = env.HF_TOKEN && env.HF_TOKEN.trim() !== '' ? env.HF_TOKEN.trim() : undefined;
  const repo = { type: 'dataset' as const, name: `${ref.owner}/${ref.name}` };
  const root = join(hfCacheDir(env), 'datasets', ref.owner, ref.name, ref.revision);
  const listingFile = join(root, `.listing-${sha256Hex(ref.path).slice(0, 16)}.json`);
  const credentials = token ? { accessToken: token } : {};

  let listing: CachedListing | null = null;
  let offline = env.HF_HUB_OFFLINE === '1' || env.HF_HUB_OFFLINE?.toLowerCase() === 'true';
  if (!offline) {
    try {
      listing = { files: [] };
      // A path naming one file: list its folder and keep that file (the Hub lists folders, not files).
      const oneFile = /\.(parquet|pq)$/i.test(ref.path);
      const folder = oneFile ? ref.path.split('/').slice(0, -1).join('/') : ref.path;
      const entries = listFiles({ repo, revision: ref.revision, hubUrl: endpoint, recursive: !oneFile, ...(folder ? { path: folder } : {}), ...credentials });
      for await (const e of entries) {
        if (e.type !== 'file' || !/\.(parquet|pq)$/i.test(e.path)) continue;
        if (oneFile && e.path !== ref.path) continue;
        checkRepoPath(e.path, arg);
        listing.files.push({ path: e.path, size: e.lfs?.size ?? e.size, oid: e.lfs?.oid ?? e.oid ?? null });
      }
      listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    } catch (err) {
      if (err instanceof InputError) throw err;
      if (!unreachable(err)) throw hubError(arg, endpoint, err);
      offline = true;
      listing = null;
    }
  }
  if (offline) {
    if (!existsSync(listingFile)) {
      throw new PolluxError(
        `${arg}: the Hub at ${endpoint} cannot be reached${env.HF_HUB_OFFLINE ? ' (HF_HUB_OFFLINE is set)' : ''} and the dataset is not in the cache (${root})`,
        EXIT.judgeFailed,
      );
    }
    listing = JSON.parse(readFileSync(listingFile, 'utf8')) as CachedListing;
    log(`${arg}: the Hub cannot be reached; reading the cached copy`);
  }
  if (!listing || listing.files.length === 0) {
    throw new InputError(`${arg}: no Parquet file${ref.path ? ` under "${ref.path}"` : ''} in the dataset`);
  }

  let downloaded = 0;
  for (const f of listing.files) {
    const local = join(root, f.path);
    const stamp = `${local}.oid`;
    const fresh = existsSync(local) && statSync(local).size === f.size && (f.oid === null || (existsSync(stamp) && readFileSync(stamp, 'utf8') === f.oid));
    if (fresh) continue;
    if (offline) throw new PolluxError(`${arg}: ${f.path} is not in the cache and the Hub cannot be reached`, EXIT.judgeFailed);
    log(`${arg}: downloading ${f.path} (${(f.size / 2 ** 20).toFixed(1)} MiB)`);
    let blob: Blob | null;
    try {
      blob = await downloadFile({ repo, path: f.path, revision: ref.revision, hubUrl: endpoint, xet: true, ...credentials });
    } catch (err) {
      throw hubError(arg, endpoint, err);
    }
    if (!blob) throw new InputError(`${arg}: ${f.path} was listed but cannot be downloaded (404)`);
    mkdirSync(dirname(local), { recursive: true });
    const tmp = `${local}.part-${process.pid}`;
    try {
      await pipeline(Readable.fromWeb(blob.stream() as import('node:stream/web').ReadableStream), createWriteStream(tmp));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw hubError(arg, endpoint, err);
    }
    const got = statSync(tmp).size;
    if (got !== f.size) {
      rmSync(tmp, { force: true });
      throw new PolluxError(`${arg}: ${f.path} arrived with ${got} bytes instead of ${f.size}`, EXIT.judgeFailed);
    }
    renameSync(tmp, local);
    if (f.oid !== null) writeFileSync(stamp, f.oid);
    downloaded++;
  }
  if (!offline) {
    mkdirSync(root, { recursive: true });
    writeFileSync(listingFile, JSON.stringify(listing));
  }

  const files = listing.files.map((f) => f.path);
  if (files.length === 1) return { file: join(root, files[0]!), files, downloaded, offline };
  const merged = join(root, `.merged-${sha256Hex(JSON.stringify(listing.files)).slice(0, 16)}.jsonl`);
  if (!existsSync(merged)) await concatenateToJsonl(files.map((f) => join(root, f)), merged);
  return { file: merged, files, downloaded, offline };
}

/** Parquet values JSON cannot hold as they are: 64-bit integers and dates. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return value;
}

async function concatenateToJsonl(files: string[], out: string): Promise<void> {
  const tmp = `${out}.part-${process.pid}`;
  const stream = createWriteStream(tmp);
  try {
    for (const f of files) {
      for await (const item of readParquet(f, {})) {
        if (isProblem(item)) throw new InputError(item.problem.message, { file: f, row: item.location.row });
        if (!stream.write(`${JSON.stringify(item.record, jsonValue)}\n`)) await new Promise<void>((r) => stream.once('drain', () => r()));
      }
    }
    stream.end();
    await finished(stream);
  } catch (err) {
    stream.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, out);
}
