/**
 * A fixed set of slots (context sequences) handed out first come, first served. Callers beyond the
 * number of slots wait in line; a waiter whose signal aborts leaves the line at once.
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly waiters: Array<{ resolve: (slot: T) => void; reject: (err: unknown) => void }> = [];
  private closedWith: (() => unknown) | null = null;

  constructor(slots: readonly T[]) {
    this.free = [...slots];
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get available(): number {
    return this.free.length;
  }

  acquire(signal?: AbortSignal): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve: (s: T) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: T): void {
    const next = this.waiters.shift();
    if (next) next.resolve(slot);
    else this.free.push(slot);
  }

  /** Rejects every waiter, and every later acquire, with the error `makeError` builds. */
  close(makeError: () => unknown): void {
    this.closedWith = makeError;
    for (const w of this.waiters.splice(0)) w.reject(makeError());
  }
}
