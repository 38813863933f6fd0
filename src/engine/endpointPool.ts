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
  /** When the endpoint was last benched: failures of requests sent before then are old news. */
  benchedAt: number;
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
  /** Endpoint-down failures in a row, on every endpoint, with no success between: the run stops. */
  outageAfter?: number;
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
  private readonly outageAfter: number;
  private downStreak = 0;
  /**
   * Set once every endpoint has failed `outageAfter` times in a row with the endpoint's own kind of
   * failure (nothing listens, the key or route is refused): judging on would only turn every
   * pending request into an error, so the run stops and leaves them pending.
   */
  outage: JudgeError | null = null;

  constructor(backends: JudgeBackend[], options: EndpointPoolOptions = {}) {
    if (backends.length === 0) throw new Error('an endpoint pool needs at least one backend');
    this.endpoints = backends.map((backend) => ({
      name: backend.describe().endpoint ?? backend.describe().model,
      backend,
      outstanding: 0,
      consecutiveFailures: 0,
      benchedUntil: 0,
      benchedAt: -Infinity,
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
    this.outageAfter = options.outageAfter ?? 10 * backends.length;
  }

  /**
   * The endpoint to use now (fewest outstanding requests, avoiding `avoid` — the one that just
   * failed this request — when another is available), or the ms until one comes off the bench.
   */
  pick(avoid?: EndpointState): EndpointState | number {
    const t = this.now();
    let best: EndpointState | null = null;
    let soonest = Infinity;
    for (const e of this.endpoints) {
      if (e.benchedUntil > t) {
        soonest = Math.min(soonest, e.benchedUntil - t);
        continue;
      }
      if (!best || (best === avoid && e !== avoid) || (e !== avoid && e.outstanding < best.outstanding)) best = e;
    }
    return best ?? soonest;
  }

  /** Marks a request as sent; returns its start time, to pass back to succeed/fail. */
  begin(e: EndpointState, prompt: string): number {
    e.outstanding++;
    e.sent++;
    if (e.lastPrompt !== null) e.sharedPrefixChars += commonPrefixLength(e.lastPrompt, prompt);
    e.promptChars += prompt.length;
    e.lastPrompt = prompt;
    return this.now();
  }

  succeed(e: EndpointState): void {
    e.outstanding--;
    e.consecutiveFailures = 0;
    e.benchCount = 0;
    this.downStreak = 0;
  }

  /**
   * Only failures of the endpoint itself count toward benching: a request's own fault (400, 422)
   * does not, and neither do requests that were already in flight when it was benched — one outage
   * is one bench, not a doubling per request that was caught in it.
   */
  fail(e: EndpointState, err: unknown, startedAt: number): void {
    e.outstanding--;
    e.failed++;
    if (err instanceof JudgeError && err.endpointDown && ++this.downStreak >= this.outageAfter) this.outage ??= err;
    if (err instanceof JudgeError && err.requestFault) return;
    if (startedAt <= e.benchedAt) return;
    e.consecutiveFailures++;
    if (e.consecutiveFailures >= this.benchAfter && this.endpoints.length > 1) {
      const pause = Math.min(this.benchCapMs, this.benchBaseMs * 2 ** e.benchCount);
      e.benchedAt = this.now();
      e.benchedUntil = e.benchedAt + pause;
      e.benchCount++;
      // One more failure after the pause benches it again (the probe failed).
      e.consecutiveFailures = this.benchAfter - 1;
    }
  }

  /** Several endpoints: a failure of one may succeed on another. */
  get replicated(): boolean {
    return this.endpoints.length > 1;
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
