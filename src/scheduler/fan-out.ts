/**
 * How one process works through a tick's due runs: workspaces in parallel, fairly, within bounds.
 *
 * Slack's rate limits are per workspace (and per method), so the unit of fairness is the workspace: the runs are
 * taken round-robin by team (each team's oldest slot first), so a workspace with a hundred boards due cannot
 * starve the other nine hundred and ninety-nine, which each get their first run started before any team its second.
 * At most `concurrency` runs work at once in all, and at most `perWorkspace` of one workspace (its channels share
 * the workspace's caps; more at once only buys 429s).
 *
 * A run that has to wait (its workspace paused by a 429's Retry-After, see workspace-gates.ts) steps aside while it
 * waits (`Slot.aside`): it gives its overall slot to another workspace's run and takes one again when the wait is
 * over (before any run not yet started), but keeps its place in its own workspace's `perWorkspace`, so a paused
 * workspace starts nothing new meanwhile and holds no overall slot.
 *
 * No state outlives a call: each tick fans out afresh.
 */

export interface FanOutItem {
  teamId: string | null;
  slotAt: Date;
}

export interface FanOutOptions {
  /** Runs working at once, in all (at least 1). */
  concurrency: number;
  /** Runs working (or waiting) at once for one workspace (at least 1). */
  perWorkspace: number;
  /** Once aborted, nothing more is started; runs already started finish. */
  signal?: AbortSignal;
}

/** A started run's share of the overall concurrency. */
export interface Slot {
  /** Give the overall slot up while `wait` runs (another workspace's run may use it), and take one again after. */
  aside<T>(wait: () => Promise<T>): Promise<T>;
}

/** The items grouped by team (null: a group of its own), each oldest slot first; teams by their oldest slot, then id. */
export function byWorkspace<T extends FanOutItem>(items: T[]): T[][] {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const group = groups.get(item.teamId);
    if (group) group.push(item);
    else groups.set(item.teamId, [item]);
  }
  const queues = [...groups.values()].map((q) => q.sort((a, b) => a.slotAt.getTime() - b.slotAt.getTime()));
  return queues.sort((a, b) => a[0]!.slotAt.getTime() - b[0]!.slotAt.getTime() || (a[0]!.teamId ?? '').localeCompare(b[0]!.teamId ?? ''));
}

/** The order runs start in when nothing waits: one of each team in turn (see the header). For logs and tests. */
export function interleaved<T extends FanOutItem>(items: T[]): T[] {
  const queues = byWorkspace(items).map((q) => [...q]);
  const out: T[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) out.push(q.shift()!);
  return out;
}

/**
 * Run `work` over `items` (see the header). Resolves when every started run has finished; `work` should not
 * reject (a rejection is passed on once all started runs have finished).
 */
export async function fanOut<T extends FanOutItem>(items: T[], options: FanOutOptions, work: (item: T, slot: Slot) => Promise<void>): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const perWorkspace = Math.max(1, Math.floor(options.perWorkspace));
  const queues = byWorkspace(items).map((pending) => ({ pending, active: 0 }));
  /** Overall slots in use. */
  let busy = 0;
  /** Runs back from a wait, for a slot: served before anything new starts (they hold a claim already). */
  const resuming: (() => void)[] = [];
  /** The next team to look at, round-robin. */
  let cursor = 0;
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let wake: (() => void) | undefined;

  const nextQueue = () => {
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(cursor + i) % queues.length]!;
      if (q.pending.length > 0 && q.active < perWorkspace) {
        cursor = (cursor + i + 1) % queues.length;
        return q;
      }
    }
    return undefined;
  };

  const pump = () => {
    while (busy < concurrency) {
      const resume = resuming.shift();
      if (resume) {
        busy++;
        resume();
        continue;
      }
      if (options.signal?.aborted) break;
      const q = nextQueue();
      if (!q) break;
      const item = q.pending.shift()!;
      busy++;
      q.active++;
      const slot: Slot = {
        aside: async (wait) => {
          busy--;
          pump();
          try {
            return await wait();
          } finally {
            await new Promise<void>((resolve) => {
              resuming.push(resolve);
              pump();
            });
          }
        },
      };
      const run = (async () => {
        try {
          await work(item, slot);
        } catch (error) {
          errors.push(error);
        } finally {
          busy--;
          q.active--;
        }
      })();
      running.add(run);
      void run.finally(() => {
        running.delete(run);
        pump();
        wake?.();
      });
    }
  };

  pump();
  while (running.size > 0) {
    await new Promise<void>((resolve) => (wake = resolve));
  }
  if (errors.length > 0) throw errors[0];
}
