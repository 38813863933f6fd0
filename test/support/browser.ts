import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './cli.ts';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it): no browser is ever downloaded. */
export const CHROMIUM = process.env.POLLUX_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots for people to look at; the folder is ignored by git. */
export const SCREENSHOTS = join(ROOT, 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), as .ci/run does`);
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

export interface Watched {
  /** Every URL the page asked for. */
  requests: string[];
  /** Directives of every Content-Security-Policy violation the page reported. */
  violations(): Promise<string[]>;
  /** JavaScript dialogs (alert, confirm…) opened: none should be. */
  dialogs: string[];
  /** Uncaught page errors. */
  errors: string[];
  /** What a hostile text would have set had it run. */
  pwned(): Promise<unknown>;
}

/** Records what a page requests, and every sign of a script that should not have run. */
export async function watch(page: Page): Promise<Watched> {
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Given as text: the test code is compiled without the DOM's types. Playwright's init scripts run
  // outside the page's Content-Security-Policy.
  await page.addInitScript({
    content: `window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  return {
    requests,
    dialogs,
    errors,
    violations: () => page.evaluate('window.__violations') as Promise<string[]>,
    pwned: () => page.evaluate('window.__pwned') as Promise<unknown>,
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Polls `check` from the test side until it holds. (Playwright's waitForFunction evaluates its
 * predicate with eval inside the page, which the pages' Content-Security-Policy rightly forbids.)
 */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
