/**
 * AIMD in-flight limit: +1 after a full window of successes (additive increase), halved on overload
 * signals (429, 503, timeouts), at most once per cooldown so one burst of 429s is one decrease.
 */
export interface AdaptiveLimitOptions {
  initial: number;
  min?: number;
  max: number;
  cooldownMs?: number;
  now?: () => number;
}

export class AdaptiveLimit {
  private value: number;
  private successes = 0;
  private lastDecrease = -Infinity;
  private readonly min: number;
  private readonly max: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  decreases = 0;

  constructor(options: AdaptiveLimitOptions) {
    this.min = options.min ?? 1;
    this.max = options.max;
    this.value = Math.min(Math.max(options.initial, this.min), this.max);
    this.cooldownMs = options.cooldownMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.value;
  }

  onSuccess(): void {
    this.successes++;
    if (this.successes >= this.value && this.value < this.max) {
      this.value++;
      this.successes = 0;
    }
  }

  onOverload(): void {
    const t = this.now();
    if (t - this.lastDecrease < this.cooldownMs) return;
    this.lastDecrease = t;
    this.value = Math.max(this.min, Math.floor(this.value / 2));
    this.successes = 0;
    this.decreases++;
  }
}

/** A fixed limit with the same shape, for `--concurrency N`. */
export class FixedLimit {
  constructor(readonly limit: number) {}
  decreases = 0;
  onSuccess(): void {}
  onOverload(): void {}
}

export type ConcurrencyLimit = AdaptiveLimit | FixedLimit;
