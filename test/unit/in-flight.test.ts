import { describe, expect, it } from 'vitest';
import { InFlight, MAX_KEPT_RESULTS } from '../../src/lib/in-flight.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InFlight', () => {
  it('callers asking while the work runs share it; once settled, nothing is kept by default', async () => {
    const shared = new InFlight<number>();
    let calls = 0;
    const start = async () => {
      calls++;
      await sleep(20);
      return calls;
    };
    expect(await Promise.all([shared.run('a', start), shared.run('a', start), shared.run('a', start)])).toEqual([1, 1, 1]);
    expect(await shared.run('a', start)).toBe(2);
    expect(await shared.run('b', start)).toBe(3);
  });

  it('with keepMs, a result is given for that long after it settled, then read again', async () => {
    const shared = new InFlight<number>({ keepMs: 80 });
    let calls = 0;
    const start = () => Promise.resolve(++calls);
    expect(await shared.run('a', start)).toBe(1);
    expect(await shared.run('a', start)).toBe(1);
    await sleep(120);
    expect(await shared.run('a', start)).toBe(2);
  });

  it('a failure is shared by those waiting on it but never kept', async () => {
    const shared = new InFlight<number>({ keepMs: 10_000 });
    let calls = 0;
    const failing = async () => {
      calls++;
      await sleep(10);
      throw new Error('down');
    };
    const results = await Promise.allSettled([shared.run('a', failing), shared.run('a', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await shared.run('a', () => Promise.resolve(7))).toBe(7);
  });

  it('work running longer than joinMs is not joined: a later caller starts its own', async () => {
    const shared = new InFlight<string>({ joinMs: 50 });
    const stuck = shared.run('a', () => new Promise<string>(() => {})); // never settles
    expect(await Promise.race([shared.run('a', () => Promise.resolve('joined?')), sleep(20).then(() => 'waited')])).toBe('waited');
    await sleep(60);
    expect(await shared.run('a', () => Promise.resolve('fresh'))).toBe('fresh');
    void stuck;
  });

  it('keeps at most MAX_KEPT_RESULTS results, dropping the oldest', async () => {
    const shared = new InFlight<number>({ keepMs: 10_000 });
    for (let i = 0; i <= MAX_KEPT_RESULTS; i++) await shared.run(`k${i}`, () => Promise.resolve(i));
    expect(await shared.run('k0', () => Promise.resolve(-1))).toBe(-1); // the oldest went
    expect(await shared.run(`k${MAX_KEPT_RESULTS}`, () => Promise.resolve(-1))).toBe(MAX_KEPT_RESULTS);
  });
});
