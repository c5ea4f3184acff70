/**
 * The database gauges of GET /metrics, on both databases: the workspaces by installed state (one count per scrape),
 * and the queries in flight (the pool in use), which rises while queries wait and falls back to 0 once they are done.
 */
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema/index.js';
import { connectPostgres, openPglite } from '../../src/db/client.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { describeEachDb, lockTable } from '../helpers/db.js';
import { parsePrometheusText } from '../helpers/prometheus.js';

describeEachDb('metrics: database gauges', (getDb) => {
  const scrape = async (metrics: ReturnType<typeof createMetrics>) => parsePrometheusText(await metrics.render());

  it('counts workspaces by state, installed or uninstalled, with no label per workspace', async () => {
    const { database } = getDb();
    const metrics = createMetrics({ database, processMetrics: false });
    await database.db.insert(workspaces).values([{ teamId: 'T1' }, { teamId: 'T2' }, { teamId: 'T3', uninstalledAt: new Date('2026-11-01T00:00:00Z') }]);
    let s = await scrape(metrics);
    expect(s.find('sales_pulse_workspaces')).toHaveLength(2);
    expect(s.value('sales_pulse_workspaces', { state: 'installed' })).toBe(2);
    expect(s.value('sales_pulse_workspaces', { state: 'uninstalled' })).toBe(1);

    await database.db.update(workspaces).set({ uninstalledAt: new Date('2026-11-02T00:00:00Z') }).where(eq(workspaces.teamId, 'T1'));
    s = await scrape(metrics);
    expect(s.value('sales_pulse_workspaces', { state: 'installed' })).toBe(1);
    expect(s.value('sales_pulse_workspaces', { state: 'uninstalled' })).toBe(2);
  });

  it('shows the queries in flight while they wait, 0 once done, and the pool size', async () => {
    const testDb = getDb();
    const { database } = testDb;
    const errors: string[] = [];
    const metrics = createMetrics({ database, processMetrics: false, countTimeoutMs: 300, onCollectError: (_e, metric) => errors.push(metric) });
    let s = await scrape(metrics);
    expect(s.value('sales_pulse_db_queries_in_flight')).toBe(0);
    expect(s.value('sales_pulse_db_pool_size')).toBe(testDb.kind === 'pglite' ? 1 : 5);

    // Another connection locks the table (on PGlite: the one connection, in a transaction of this database), so
    // these two inserts wait.
    const release = await lockTable(testDb, 'workspaces');
    const waiting = Promise.all([database.db.insert(workspaces).values({ teamId: 'T1' }), database.db.insert(workspaces).values({ teamId: 'T2' })]);
    // PGlite: the lock's transaction is this database's too.
    const expected = testDb.kind === 'pglite' ? 3 : 2;
    await expect.poll(() => database.queriesInFlight(), { timeout: 2000 }).toBe(expected);
    s = await scrape(metrics);
    expect(s.value('sales_pulse_db_queries_in_flight')).toBe(expected);

    await release();
    await waiting;
    // On PGlite the scrape's count, given up on, still ran after the inserts.
    await expect.poll(() => database.queriesInFlight(), { timeout: 2000 }).toBe(0);
    s = await scrape(metrics);
    expect(s.value('sales_pulse_db_queries_in_flight')).toBe(0);
    expect(s.value('sales_pulse_workspaces', { state: 'installed' })).toBe(2);
    // On PGlite the count waited behind the lock: that scrape answered without it, in time.
    expect(errors).toEqual(testDb.kind === 'pglite' ? ['workspaces'] : []);
  });

  it('a database opened without countQueries (metrics off at start) counts nothing: no in-flight gauge, the pool size still', async () => {
    const testDb = getDb();
    const plain = testDb.kind === 'postgres' ? connectPostgres(testDb.database.url!, { max: 2 }) : await openPglite();
    try {
      expect(plain.queriesInFlight()).toBeUndefined();
      const metrics = createMetrics({ database: plain, processMetrics: false, onCollectError: () => {} });
      const s = await scrape(metrics);
      expect(s.find('sales_pulse_db_queries_in_flight')).toEqual([]);
      expect(s.value('sales_pulse_db_pool_size')).toBe(testDb.kind === 'pglite' ? 1 : 2);
    } finally {
      await plain.close();
    }
  });
});
