/**
 * The CSV import's `kind` and `satisfaction` columns (the other ways a deal gets them: test/e2e/deal-kinds.test.ts).
 */
import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { deals, workspaces } from '../../src/db/schema/index.js';
import { formatImportError, importCsv } from '../../src/features/import/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';

const TEAM = 'T0KINDS';
const NOW = new Date('2026-11-27T15:00:00Z');

describeEachDb('deal kinds and satisfaction in the CSV import', (getDb) => {
  const db = () => getDb().database.db;
  const storedDeals = () => db().select().from(deals).orderBy(asc(deals.createdAt), asc(deals.externalId));

  // -------------------------------------------------------------------------------------------
  // the CSV import

  it('the CSV import takes kind and satisfaction columns; blank ones keep what a stored deal has', async () => {
    await ensureWorkspace(db(), TEAM);
    const header = 'external_id,user_id,status,amount,currency,closed_at,account,kind,satisfaction';
    const first = await importCsv(
      db(),
      [header, 'D-1,U0AAA,won,100,USD,2026-10-01,Acme,renewal,4', 'D-2,U0AAA,lost,,,2026-10-02,Initech,Expansion,', 'D-3,U0AAA,won,50,USD,2026-10-03,Globex,,'].join('\n'),
      { teamId: TEAM, kind: 'deals', now: NOW },
    );
    expect(first).toMatchObject({ ok: true, inserted: 3 });
    const kinds = async () => Object.fromEntries((await storedDeals()).map((d) => [d.externalId, [d.kind, d.satisfaction, d.satisfactionScale]]));
    expect(await kinds()).toEqual({ 'D-1': ['renewal', 4, 'csat5'], 'D-2': ['expansion', null, null], 'D-3': ['new', null, null] });

    // Again, without the columns' values for D-1 and with new ones for D-3: D-1 keeps its kind and score.
    const again = await importCsv(db(), [header, 'D-1,U0AAA,won,100,USD,2026-10-01,Acme,,', 'D-3,U0AAA,won,50,USD,2026-10-03,Globex,new,2'].join('\n'), {
      teamId: TEAM,
      kind: 'deals',
      now: NOW,
    });
    expect(again).toMatchObject({ ok: true, updated: 2 });
    expect(await kinds()).toEqual({ 'D-1': ['renewal', 4, 'csat5'], 'D-2': ['expansion', null, null], 'D-3': ['new', 2, 'csat5'] });
  });

  it('the CSV import refuses an unknown kind or an out-of-range score, naming the line, and imports nothing', async () => {
    await ensureWorkspace(db(), TEAM);
    const result = await importCsv(
      db(),
      ['external_id,user_id,status,amount,closed_at,kind,satisfaction', 'D-1,U0AAA,won,100,2026-10-01,renewal,5', 'D-2,U0AAA,won,100,2026-10-01,upsell,', 'D-3,U0AAA,won,100,2026-10-01,,9'].join('\n'),
      { teamId: TEAM, kind: 'deals', now: NOW },
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map(formatImportError)).toEqual([
      'line 3: kind "upsell" is not "new", "expansion" or "renewal"',
      'line 4: satisfaction 9 is out of range: use a whole number from 1 to 5 (the workspace scores satisfaction as CSAT, 1 to 5)',
    ]);
    expect(await storedDeals()).toEqual([]);
  });

  it('reads satisfaction on the NPS scale when the workspace uses it', async () => {
    await ensureWorkspace(db(), TEAM);
    await db().update(workspaces).set({ satisfactionScale: 'nps10' }).where(eq(workspaces.teamId, TEAM));
    const header = 'external_id,user_id,status,amount,closed_at,satisfaction';
    const bad = await importCsv(db(), [header, 'N-1,U0AAA,won,100,2026-10-01,11'].join('\n'), { teamId: TEAM, kind: 'deals', now: NOW });
    expect(bad.ok ? [] : bad.errors.map(formatImportError)).toEqual(['line 2: satisfaction 11 is out of range: use a whole number from 0 to 10 (the workspace scores satisfaction as NPS, 0 to 10)']);
    expect(await storedDeals()).toEqual([]);
    expect(await importCsv(db(), [header, 'N-1,U0AAA,won,100,2026-10-01,0', 'N-2,U0AAA,won,100,2026-10-01,10'].join('\n'), { teamId: TEAM, kind: 'deals', now: NOW })).toMatchObject({ ok: true, inserted: 2 });
    expect((await storedDeals()).map((d) => [d.externalId, d.satisfaction, d.satisfactionScale])).toEqual([
      ['N-1', 0, 'nps10'],
      ['N-2', 10, 'nps10'],
    ]);
  });
});
