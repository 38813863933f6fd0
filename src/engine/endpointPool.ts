import { JudgeError } from '../core/errors.ts';
import type { JudgeBackend } from '../core/types.ts';

/**
 * Several replicas of one judge (e.g. one vLLM server per GPU). Requests go to the endpoint with the
 * fewest outstanding requests; an endpoint that fails `benchAfter` times in a row is benched and
 * probed again after a growing pause, so a run finishes on the healthy ones.
 */
export interface EndpointState {
  name: string;
  backend: JudgeBackend;
  outstanding: number;
  consecutiveFailures: number;
  benchedUntil: number;
  benchCount: number;
  sent: number;
  failed: number;
  /** Last prompt sent here, to measure how much of the next one a prefix cache could reuse. */
  lastPrompt: string | null;
  sharedPrefixChars: number;
  promptChars: number;
}

export interface EndpointPoolOptions {
  benchAfter?: number;
  benchBaseMs?: number;
  benchCapMs?: number;
  now?: () => number;
}

export class EndpointPool {
  readonly endpoints: EndpointState[];
  private readonly benchAfter: number;
  private readonly benchBaseMs: number;
  private readonly benchCapMs: number;
  private readonly now: () => number;

  constructor(backends: JudgeBackend[], options: EndpointPoolOptions = {}) {
    if (backends.length === 0) throw new Error('an endpoint pool needs at least one backend');
    this.endpoints = backends.map((backend) => ({
      name: backend.describe().endpoint ?? backend.describe().model,
      backend,
      outstanding: 0,
      consecutiveFailures: 0,
      benchedUntil: 0,
      benchCount: 0,
      sent: 0,
      failed: 0,
      lastPrompt: null,
      sharedPrefixChars: 0,
      promptChars: 0,
    }));
    this.benchAfter = options.benchAfter ?? 5;
    this.benchBaseMs = options.benchBaseMs ?? 5_000;
    this.benchCapMs = options.benchCapMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  /** The endpoint to use now, or the number of ms until one comes off the bench. */
  pick(): EndpointState | number {
    const t = this.now();
    let best: EndpointState | null = null;
    let soonest = Infinity;
    for (const e of this.endpoints) {
      if (e.benchedUntil > t) {
        soonest = Math.min(soonest, e.benchedUntil - t);
        continue;
      }
      if (!best || e.outstanding < best.outstanding) best = e;
    }
    return best ?? soonest;
  }

  begin(e: EndpointState, prompt: string): void {
    e.outstanding++;
    e.sent++;
    if (e.lastPrompt !== null) e.sharedPrefixChars += commonPrefixLength(e.lastPrompt, prompt);
    e.promptChars += prompt.length;
    e.lastPrompt = prompt;
  }

  succeed(e: EndpointState): void {
    e.outstanding--;
    e.consecutiveFailures = 0;
    e.benchCount = 0;
  }

  /** Only failures of the endpoint itself count toward benching: a fatal error is the request's fault. */
  fail(e: EndpointState, err: unknown): void {
    e.outstanding--;
    e.failed++;
    if (err instanceof JudgeError && err.kind === 'fatal' && err.status !== null && err.status < 500) return;
    e.consecutiveFailures++;
    if (e.consecutiveFailures >= this.benchAfter && this.endpoints.length > 1) {
      const pause = Math.min(this.benchCapMs, this.benchBaseMs * 2 ** e.benchCount);
      e.benchedUntil = this.now() + pause;
      e.benchCount++;
      // One more failure after the pause benches it again (the probe failed).
      e.consecutiveFailures = this.benchAfter - 1;
    }
  }

  /** Share of prompt characters equal to the previous prompt sent to the same endpoint. */
  prefixShare(): number | null {
    let shared = 0;
    let total = 0;
    for (const e of this.endpoints) {
      shared += e.sharedPrefixChars;
      total += e.promptChars;
    }
    return total > 0 ? shared / total : null;
  }
}

export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
