/**
 * Exports run after the ack, one at a time per process (each reads up to MAX_EXPORT_ROWS rows and holds one file),
 * with a bounded wait list and at most one export per person waiting or running: a person who asks again while
 * theirs is being prepared is told so, and when the list is full people are told to try again later. Nothing is
 * ever held only here: an export lost to a restart is asked for again.
 */
export const MAX_WAITING_EXPORTS = 5;

export type Reservation = { kind: 'busy' } | { kind: 'full' } | { kind: 'reserved'; run: (work: () => Promise<void>) => Promise<void> };

export class ExportQueue {
  private readonly keys = new Set<string>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly maxWaiting = MAX_WAITING_EXPORTS) {}

  /** Hold a place for `key`'s export; run it with the returned function (exactly once). */
  reserve(key: string): Reservation {
    if (this.keys.has(key)) return { kind: 'busy' };
    if (this.keys.size >= this.maxWaiting) return { kind: 'full' };
    this.keys.add(key);
    return {
      kind: 'reserved',
      run: (work) => {
        const done = this.tail.then(work).finally(() => this.keys.delete(key));
        // The next export waits for this one, whatever its outcome.
        this.tail = done.catch(() => {});
        return done;
      },
    };
  }
}
