import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

/**
 * A real HTTP server on 127.0.0.1 that plays the Hugging Face Hub for `@huggingface/hub`: the tree
 * API (`GET /api/datasets/OWNER/NAME/tree/REV[/PATH]?recursive=…`) and file downloads
 * (`GET /datasets/OWNER/NAME/resolve/REV/PATH`, with the `Range: bytes=0-0` probe the client sends
 * first). Point HF_ENDPOINT at `url`.
 */
export interface FakeHub {
  url: string;
  /** Every request path, to check what was (not) downloaded. */
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  files: Map<string, Buffer>;
  close(): Promise<void>;
}

export interface FakeHubOptions {
  /** `OWNER/NAME` → repository path → content. */
  datasets: Record<string, Record<string, Buffer>>;
  /** When set, every request must carry `Authorization: Bearer TOKEN`. */
  token?: string;
}

function oid(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const requests: FakeHub['requests'] = [];
  const files = new Map<string, Buffer>();
  for (const [repo, content] of Object.entries(options.datasets)) for (const [p, c] of Object.entries(content)) files.set(`${repo}/${p}`, c);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Invalid credentials in Authorization header' }));
      return;
    }
    const tree = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (tree) {
      const [, repo, , folder = ''] = tree;
      const recursive = url.searchParams.get('recursive') === 'true';
      const prefix = folder ? `${repo}/${folder}/` : `${repo}/`;
      const entries: unknown[] = [];
      const dirs = new Set<string>();
      for (const [key, content] of files) {
        if (!key.startsWith(prefix)) continue;
        const rel = key.slice(`${repo}/`.length);
        const below = key.slice(prefix.length);
        if (!recursive && below.includes('/')) {
          dirs.add(`${folder ? `${folder}/` : ''}${below.split('/')[0]}`);
          continue;
        }
        entries.push({ type: 'file', path: rel, size: content.length, oid: oid(content).slice(0, 40), lfs: { oid: oid(content), size: content.length, pointerSize: 130 } });
      }
      for (const d of dirs) entries.push({ type: 'directory', path: d, size: 0, oid: 'd'.repeat(40) });
      if (entries.length === 0 && ![...files.keys()].some((k) => k.startsWith(`${repo}/`))) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'RepoNotFound' });
        res.end(JSON.stringify({ error: 'Repository not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(entries));
      return;
    }
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolve) {
      const content = files.get(`${resolve[1]}/${resolve[3]}`);
      if (!content) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'EntryNotFound' });
        res.end(JSON.stringify({ error: 'Entry not found' }));
        return;
      }
      const etag = `"${oid(content)}"`;
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
        res.writeHead(206, {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/${content.length}`,
          'accept-ranges': 'bytes',
          etag,
          'content-length': String(end - start + 1),
        });
        res.end(content.subarray(start, end + 1));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', etag, 'content-length': String(content.length) });
      res.end(content);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no route ${path}` }));
  });
  const listener = await listenOnLoopback(server);
  // The client builds URLs from the origin: strip the /v1 the loopback helper adds for OpenAI clients.
  return { url: listener.url.replace(/\/v1$/, ''), requests, files, close: () => listener.close() };
}
