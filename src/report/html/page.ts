import { randomBytes } from 'node:crypto';
import { pageAssets } from './assets.ts';
import type { ReportLang } from './reportData.ts';

/**
 * JSON that can sit inside a <script type="application/json"> element: `<`, `>` and `&` are
 * escaped, so no text from a run (`</script>` in an answer) can end the element early, and the
 * line separators JavaScript once refused are escaped too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The Content-Security-Policy of every page: scripts only with this page's nonce (so no script a
 * text smuggled in could run, inline or loaded), no requests at all (`connect-src` the viewer's own
 * origin only), no plugins, forms, frames or base-URL changes. Styles may be inline: Plot writes them.
 */
export function contentSecurityPolicy(nonce: string, mode: 'static' | 'server'): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    `connect-src ${mode === 'server' ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    ...(mode === 'server' ? ["frame-ancestors 'none'"] : []),
  ].join('; ');
}

export interface PageOptions {
  lang: ReportLang;
  /** The data the page starts from: the whole report (static) or `{ mode: 'server', lang }`. */
  boot: unknown;
  mode: 'static' | 'server';
  nonce?: string;
}

/** One self-contained HTML page: styles, data, d3, Plot and the page script all inline. */
export function renderPage(options: PageOptions): { html: string; nonce: string } {
  const nonce = options.nonce ?? newNonce();
  const assets = pageAssets();
  const csp = contentSecurityPolicy(nonce, options.mode);
  const html = [
    '<!doctype html>',
    `<html lang="${options.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    // In a file opened from disk the policy can only come from the page itself.
    options.mode === 'static' ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : '',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>POLLUX</title>',
    `<style>${assets.css}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    '<dialog id="detail"><div class="close"><button type="button" id="detail-close">×</button></div><div class="body"></div></dialog>',
    `<script type="application/json" id="pollux-data">${scriptSafeJson(options.boot)}</script>`,
    ...assets.scripts.map((s) => `<script nonce="${nonce}" data-lib="${s.name}">${s.source}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, nonce };
}
