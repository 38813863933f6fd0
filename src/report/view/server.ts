import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { InputError } from '../../core/errors.ts';
import { contentSecurityPolicy, renderPage } from '../html/page.ts';
import type { ReportLang, ReportOptions } from '../html/reportData.ts';
import { RunQueries, type JudgmentKind, type ViewFilter } from './runQueries.ts';
import { summaryInWorker, type ReportSummary } from './summary.ts';

export interface ViewOptions extends Pick<ReportOptions, 'gate' | 'resamples' | 'seed'> {
  lang: ReportLang;
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface RunningView {
  url: string;
  port: number;
  /** Resolves once the overview's numbers are ready (or failed: then rejects). */
  summary: Promise<ReportSummary>;
  close(): Promise<void>;
}

const KINDS: readonly JudgmentKind[] = ['all', 'disagreements', 'problems'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function filterOf(c: Context): ViewFilter {
  const q = (name: string) => c.req.query(name) ?? '';
  return { model: q('model'), task: q('task'), criterion: q('criterion'), status: q('status'), q: q('q') };
}

/** The viewer's routes over open run files: the page and a read-only JSON API it pages through. */
export function viewApp(queries: RunQueries, dict: Promise<unknown>, lang: ReportLang, summary: () => { ready: ReportSummary | null; error: string | null }, allowedHosts: Set<string> | null): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    // A page on another site may make the browser ask 127.0.0.1 under a name it controls (DNS
    // rebinding): on loopback, only requests addressed to loopback are answered.
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (allowedHosts && !allowedHosts.has(host)) return c.text('unknown host', 403);
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });
  app.onError((err, c) => (err instanceof InputError ? c.json({ error: err.message }, 400) : c.json({ error: 'internal error' }, 500)));
  app.notFound((c) => c.json({ error: 'not found' }, 404));

  app.get('/', (c) => {
    const { html, nonce } = renderPage({ lang, boot: { mode: 'server', lang }, mode: 'server' });
    c.header('Content-Security-Policy', contentSecurityPolicy(nonce, 'server'));
    return c.html(html);
  });
  // Answered when the worker has the lists; the page asks for them without waiting.
  app.get('/api/dict', async (c) => {
    try {
      await dict;
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 500);
    }
    return c.json(queries.dict);
  });
  app.get('/api/summary', (c) => {
    const s = summary();
    if (s.error) return c.json({ error: s.error }, 500);
    return s.ready ? c.json(s.ready) : c.json({ pending: true }, 202);
  });
  app.get('/api/judgments', (c) => {
    const kind = (c.req.query('kind') ?? 'all') as JudgmentKind;
    if (!KINDS.includes(kind)) throw new InputError(`kind must be one of ${KINDS.join(', ')}`);
    const page = Number(c.req.query('page') ?? '0');
    if (!Number.isInteger(page) || page < 0) throw new InputError('page must be a whole number ≥ 0');
    return c.json(queries.judgments(filterOf(c), kind, page));
  });
  app.get('/api/count', (c) => {
    const kind = (c.req.query('kind') ?? 'all') as JudgmentKind;
    if (!KINDS.includes(kind)) throw new InputError(`kind must be one of ${KINDS.join(', ')}`);
    return c.json({ total: queries.total(filterOf(c), kind) });
  });
  app.get('/api/judgments/:id', (c) => {
    const d = queries.detail(c.req.param('id'));
    return d ? c.json(d) : c.json({ error: 'no such judgment' }, 404);
  });
  app.get('/api/distribution', (c) => c.json(queries.distribution(filterOf(c))));
  app.get('/api/confusion', (c) => c.json(queries.confusion(filterOf(c))));
  return app;
}

/**
 * Serves run files read-only: the page at `/`, JSON under `/api/`. It starts answering at once;
 * the overview's numbers are computed in a worker meanwhile.
 */
export async function startView(files: readonly string[], options: ViewOptions): Promise<RunningView> {
  const queries = new RunQueries(files);
  const state: { ready: ReportSummary | null; error: string | null } = { ready: null, error: null };
  const job = summaryInWorker(files, { gate: options.gate, resamples: options.resamples, seed: options.seed, lang: options.lang });
  const summary = job.result;
  const dict = job.dict.then((d) => queries.setDictionaries(d));
  dict.catch(() => undefined);
  summary.then(
    (s) => (state.ready = s),
    (err: unknown) => (state.error = err instanceof Error ? err.message : String(err)),
  );
  const allowed = LOOPBACK.has(options.host) ? new Set([...LOOPBACK]) : null;
  const app = viewApp(queries, dict, options.lang, () => state, allowed);
  let server: ServerType;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => resolve(info.port));
    server.once('error', reject);
  });
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    summary,
    close: async () => {
      await job.stop();
      await new Promise<void>((resolve) => {
        server.close(() => {
          queries.close();
          resolve();
        });
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
