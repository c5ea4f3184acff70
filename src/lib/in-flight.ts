import { performance } from 'node:perf_hooks';

/** At most this many settled results are kept; past it, expired ones go, then the oldest. Bounds memory. */
export const MAX_KEPT_RESULTS = 10_000;

export interface InFlightOptions {
  /** How long a settled result is still given to callers (0: not at all). A failure is never kept. */
  keepMs?: number;
  /** Work running longer than this is no longer joined: a caller starts its own (work that never settles, e.g. a
   * query on a connection gone silent, would otherwise hold every later caller). Default: no limit. */
  joinMs?: number;
}

/**
 * Work under way, by key: a caller asking for a key whose work is still running gets that work's promise instead of
 * starting its own. Times are on the monotonic clock, never the injected one. One per owner, never module state.
 */
export class InFlight<T> {
  private readonly running = new Map<string, { work: Promise<T>; since: number }>();
  private readonly kept = new Map<string, { value: T; until: number }>();
  private readonly keepMs: number;
  private readonly joinMs: number;

  constructor(options: InFlightOptions = {}) {
    this.keepMs = options.keepMs ?? 0;
    this.joinMs = options.joinMs ?? Infinity;
  }

  /** The result for `key` still kept, or the work under way, or `start()` as the one everyone shares. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    const kept = this.kept.get(key);
    if (kept && performance.now() < kept.until) return Promise.resolve(kept.value);
    if (kept) this.kept.delete(key);
    const running = this.running.get(key);
    if (running && performance.now() - running.since < this.joinMs) return running.work;
    const entry = { since: performance.now(), work: undefined as unknown as Promise<T> };
    // Only the latest work for a key is joined, and only it clears its entry when it settles.
    const settled = () => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    entry.work = start().then(
      (value) => {
        settled();
        if (this.keepMs > 0) this.keep(key, value);
        return value;
      },
      (e: unknown) => {
        settled();
        throw e;
      },
    );
    this.running.set(key, entry);
    return entry.work;
  }

  private keep(key: string, value: T): void {
    const now = performance.now();
    this.kept.delete(key);
    this.kept.set(key, { value, until: now + this.keepMs });
    if (this.kept.size <= MAX_KEPT_RESULTS) return;
    for (const [k, v] of this.kept) if (v.until <= now) this.kept.delete(k);
    for (const k of this.kept.keys()) {
      if (this.kept.size <= MAX_KEPT_RESULTS) break;
      this.kept.delete(k); // the oldest first: a Map iterates in insertion order
    }
  }
}
