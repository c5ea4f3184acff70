/**
 * The scheduler's fan-out (src/scheduler/fan-out.ts): round-robin by workspace, bounded in all and per workspace,
 * and a run waiting aside gives its overall slot to another workspace. The delivery protocol on top of it (429
 * pauses per workspace) is tested in test/integration/workspace-fan-out.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fanOut, interleaved, type FanOutItem } from '../../src/scheduler/fan-out.js';
import { WorkspaceGates } from '../../src/scheduler/workspace-gates.js';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Item extends FanOutItem {
  id: string;
}
const item = (teamId: string | null, id: string, minutesAgo = 0): Item => ({ teamId, id, slotAt: new Date(T0 - minutesAgo * 60_000) });

/** Work that records what ran at once, overall and per team. */
function tracker() {
  let now = 0;
  let peak = 0;
  const perTeam = new Map<string | null, number>();
  const peakPerTeam = new Map<string | null, number>();
  const started: string[] = [];
  return {
    started,
    get peak() {
      return peak;
    },
    peakOf: (team: string | null) => peakPerTeam.get(team) ?? 0,
    async run(it: Item, ms: number) {
      started.push(it.id);
      now++;
      peak = Math.max(peak, now);
      const mine = (perTeam.get(it.teamId) ?? 0) + 1;
      perTeam.set(it.teamId, mine);
      peakPerTeam.set(it.teamId, Math.max(peakPerTeam.get(it.teamId) ?? 0, mine));
      await sleep(ms);
      now--;
      perTeam.set(it.teamId, (perTeam.get(it.teamId) ?? 1) - 1);
    },
  };
}

describe('fan-out across workspaces', () => {
  it('one big workspace does not starve the others: one run of each team in turn, each team oldest slot first', () => {
    const big = Array.from({ length: 5 }, (_, i) => item('TBIG', `big${i}`, i));
    const order = interleaved([...big, item('TB', 'b0', 1), item('TC', 'c1', 2), item('TC', 'c0', 3), item(null, 'n0')]);
    // Teams by their oldest slot (TBIG's is 4 minutes old), then round-robin; within a team, oldest first.
    expect(order.map((i) => i.id)).toEqual(['big4', 'c0', 'b0', 'n0', 'big3', 'c1', 'big2', 'big1', 'big0']);
  });

  it('runs at most `concurrency` at once in all and `perWorkspace` of one workspace, and every item once', async () => {
    const items = [
      ...Array.from({ length: 12 }, (_, i) => item('TA', `a${i}`, i)),
      ...Array.from({ length: 12 }, (_, i) => item('TB', `b${i}`, i)),
      ...Array.from({ length: 12 }, (_, i) => item(`T${i}`, `solo${i}`)),
    ];
    const t = tracker();
    // The two big workspaces' runs are slow, so each would have more than two going at once if it were let.
    await fanOut(items, { concurrency: 5, perWorkspace: 2 }, (it) => t.run(it, it.teamId === 'TA' || it.teamId === 'TB' ? 30 : 5));
    expect([...t.started].sort()).toEqual(items.map((i) => i.id).sort());
    expect(t.peak).toBe(5);
    expect(t.peakOf('TA')).toBe(2);
    expect(t.peakOf('TB')).toBe(2);
    // The big teams' first runs start together with the small teams', not after them.
    expect(t.started.slice(0, 5)).toEqual(expect.arrayContaining(['a11', 'b11']));
  });

  it('a run waiting aside frees its overall slot for another workspace, keeps its workspace slot, and resumes before new runs start', async () => {
    const events: string[] = [];
    const items = [item('TA', 'a0', 3), item('TA', 'a1', 2), item('TA', 'a2', 1), item('TB', 'b0', 1), item('TB', 'b1', 0)];
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    const done = fanOut(items, { concurrency: 1, perWorkspace: 1 }, async (it, slot) => {
      events.push(`start ${it.id}`);
      if (it.id === 'a0') {
        await slot.aside(() => paused);
        events.push('a0 resumed');
      }
      await sleep(2);
      events.push(`end ${it.id}`);
    });
    await sleep(50);
    // With one overall slot, TB's runs went ahead while a0 waited; TA started nothing else (its one slot is a0's).
    expect(events).toEqual(['start a0', 'start b0', 'end b0', 'start b1', 'end b1']);
    release();
    await done;
    expect(events.slice(5)).toEqual(['a0 resumed', 'end a0', 'start a1', 'end a1', 'start a2', 'end a2']);
  });

  it('stops starting new runs once the signal aborts; runs already started finish', async () => {
    const abort = new AbortController();
    const t = tracker();
    const items = Array.from({ length: 10 }, (_, i) => item(`T${i}`, `r${i}`));
    await fanOut(items, { concurrency: 2, perWorkspace: 1, signal: abort.signal }, async (it) => {
      if (it.id === 'r1') abort.abort();
      await t.run(it, 5);
    });
    expect(t.started).toEqual(['r0', 'r1']);
  });

  it('nothing to do resolves at once', async () => {
    await expect(fanOut([], { concurrency: 4, perWorkspace: 2 }, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});

describe('workspace gates', () => {
  it('pause one workspace and method until a time; other workspaces and methods are not paused; passed pauses are forgotten', () => {
    const gates = new WorkspaceGates();
    gates.pause('TA', 'chat.postMessage', T0 + 2000, T0);
    expect(gates.until('TA', 'chat.postMessage', T0 + 1000)).toBe(T0 + 2000);
    expect(gates.until('TB', 'chat.postMessage', T0 + 1000)).toBe(0);
    expect(gates.until('TA', 'users.info', T0 + 1000)).toBe(0);
    // A shorter pause does not cut a longer one short; a longer one extends it.
    gates.pause('TA', 'chat.postMessage', T0 + 1500, T0 + 1000);
    expect(gates.until('TA', 'chat.postMessage', T0 + 1000)).toBe(T0 + 2000);
    gates.pause('TA', 'chat.postMessage', T0 + 3000, T0 + 1000);
    expect(gates.until('TA', 'chat.postMessage', T0 + 1000)).toBe(T0 + 3000);
    expect(gates.size(T0 + 1000)).toBe(1);
    expect(gates.until('TA', 'chat.postMessage', T0 + 3000)).toBe(0);
    expect(gates.size(T0 + 3000)).toBe(0);
  });
});
