/**
 * The effort behind each win (src/metrics/effort.ts): activities matched to deals by account (case and punctuation
 * insensitive, per workspace, never merging two accounts), counted since the account's previous closed deal and up
 * to the close, with days in the workspace's time zone; and the board's per-rep medians against hand-computed
 * fixtures. Both databases.
 */
import { describe, expect, it } from 'vitest';
import { activities, deals, salesTeamMembers, salesTeams, workspaces } from '../../src/db/schema/index.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { effortWords } from '../../src/entries/describe.js';
import { loadDealEffort, loadDealEfforts, loadEffortMedians } from '../../src/metrics/index.js';
import { describeEachDb } from '../helpers/db.js';

const T = 'T_EFFORT';
const OTHER = 'T_OTHER';
const day = (d: string, time = '15:00:00') => new Date(`${d}T${time}Z`);

describe('effortWords', () => {
  const types = BUILT_IN_ACTIVITY_TYPES;
  it.each([
    [{ activities: 14, days: 21, byType: { call: 6, email: 5, meeting: 2, demo: 1 } }, 'won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings, 1 demo)'],
    [{ activities: 1, days: 1, byType: { call: 1 } }, 'won after 1 activity over 1 day (1 call)'],
    [{ activities: 3, days: 0, byType: { email: 1, call: 2 } }, 'won after 3 activities the same day (2 calls, 1 email)'],
    // Ties keep the workspace's order; a type the workspace no longer has is named by its key.
    [{ activities: 4, days: 2, byType: { demo: 1, call: 1, 'site-visit': 2 } }, 'won after 4 activities over 2 days (2 site-visits, 1 call, 1 demo)'],
    [{ activities: 1200, days: 400, byType: { call: 1200 } }, 'won after 1,200 activities over 400 days (1,200 calls)'],
  ])('%o -> %s', (effort, words) => {
    expect(effortWords(effort, types)).toBe(words);
  });
});

describeEachDb('metrics: the effort behind each win', (getDb) => {
  const db = () => getDb().database.db;

  async function workspace(teamId = T, zone = 'UTC') {
    await db().insert(workspaces).values({ teamId, defaultTimeZone: zone }).onConflictDoNothing();
  }

  async function activity(a: { teamId?: string; userId?: string; type: string; quantity?: number; at: Date; account: string | null; deleted?: boolean }) {
    await db()
      .insert(activities)
      .values({
        teamId: a.teamId ?? T,
        userId: a.userId ?? 'U1',
        typeKey: a.type,
        quantity: a.quantity ?? 1,
        occurredAt: a.at,
        account: a.account,
        source: 'slash_command',
        deletedAt: a.deleted ? a.at : null,
      });
  }

  async function deal(d: { teamId?: string; userId?: string; status?: 'won' | 'lost'; at: Date; account: string | null; deleted?: boolean }): Promise<string> {
    const [row] = await db()
      .insert(deals)
      .values({
        teamId: d.teamId ?? T,
        userId: d.userId ?? 'U1',
        status: d.status ?? 'won',
        amountMinor: d.status === 'lost' ? null : 100_000n,
        currency: d.status === 'lost' ? null : 'USD',
        closedAt: d.at,
        account: d.account,
        source: 'slack',
        deletedAt: d.deleted ? d.at : null,
      })
      .returning({ id: deals.id });
    return row!.id;
  }

  it('matches accounts whatever the case, spaces and punctuation, and never merges "Acme" with "Acme Labs"', async () => {
    await workspace();
    await activity({ type: 'call', quantity: 3, at: day('2026-11-02'), account: 'ACME Corp.' });
    await activity({ type: 'email', at: day('2026-11-05'), account: 'acme corp' });
    await activity({ type: 'meeting', at: day('2026-11-06'), account: '  Acme-Corp ' });
    await activity({ type: 'demo', at: day('2026-11-07'), account: 'Acme' });
    await activity({ type: 'call', quantity: 5, at: day('2026-11-01'), account: 'Acme Labs' });
    const acmeCorp = await deal({ at: day('2026-11-10'), account: 'Acme Corp' });
    const acme = await deal({ at: day('2026-11-10'), account: 'acme' });
    const labs = await deal({ at: day('2026-11-10'), account: 'ACME LABS!' });

    const efforts = await loadDealEfforts(db(), T, [acmeCorp, acme, labs]);
    expect(efforts.get(acmeCorp)).toEqual({ dealId: acmeCorp, activities: 5, days: 8, byType: { call: 3, email: 1, meeting: 1 } });
    expect(efforts.get(acme)).toEqual({ dealId: acme, activities: 1, days: 3, byType: { demo: 1 } });
    expect(efforts.get(labs)).toEqual({ dealId: labs, activities: 5, days: 9, byType: { call: 5 } });
  });

  it('counts sum(quantity) since the account’s previous closed deal (won or lost) and up to the close, by anyone in the workspace', async () => {
    await workspace();
    await workspace(OTHER);
    await activity({ type: 'call', quantity: 4, at: day('2026-10-01'), account: 'Globex' }); // before the lost deal
    await deal({ status: 'lost', at: day('2026-10-05'), account: 'Globex' });
    await activity({ type: 'call', at: day('2026-10-05'), account: 'Globex' }); // the same instant as the lost deal: its effort
    await activity({ type: 'email', quantity: 2, at: day('2026-10-06'), account: 'globex', userId: 'U2' }); // a teammate's
    await activity({ type: 'meeting', at: day('2026-10-20'), account: 'Globex', deleted: true }); // undone
    await activity({ type: 'demo', at: day('2026-10-21'), account: 'Globex' });
    await activity({ type: 'demo', at: day('2026-10-21'), account: 'Globex', teamId: OTHER }); // another workspace
    await activity({ type: 'call', at: day('2026-10-25', '16:00:00'), account: 'Globex' }); // after the close
    await deal({ status: 'won', at: day('2026-10-22'), account: 'Globex', deleted: true }); // undone: not a previous deal
    const won = await deal({ at: day('2026-10-25'), account: 'Globex' });
    await deal({ at: day('2026-10-25'), account: 'Globex', teamId: OTHER }); // another workspace's deal: not a previous deal

    expect(await loadDealEffort(db(), T, won)).toEqual({ dealId: won, activities: 3, days: 19, byType: { email: 2, demo: 1 } });
  });

  it('has no effort for a deal without an account, without matching activity, lost, or asked for from another workspace', async () => {
    await workspace();
    await activity({ type: 'call', at: day('2026-11-01'), account: 'Initech' });
    const noAccount = await deal({ at: day('2026-11-10'), account: null });
    const punctuationOnly = await deal({ at: day('2026-11-10'), account: '...' });
    const noActivity = await deal({ at: day('2026-11-10'), account: 'Umbrella' });
    const lost = await deal({ status: 'lost', at: day('2026-11-10'), account: 'Initech' });
    const initech = await deal({ at: day('2026-11-12'), account: 'Initech' });
    const efforts = await loadDealEfforts(db(), T, [noAccount, punctuationOnly, noActivity, lost, initech]);
    expect([...efforts.keys()]).toEqual([]); // the lost deal closed the account's run; nothing since
    expect(await loadDealEffort(db(), OTHER, initech)).toBeUndefined();
  });

  it('counts days as calendar days in the workspace’s time zone', async () => {
    await workspace(T, 'Asia/Tokyo');
    // 2026-11-01 23:30 UTC is Nov 2 08:30 in Tokyo; the close, Nov 3 00:30 UTC, is Nov 3 09:30 there: 1 day.
    await activity({ type: 'call', at: new Date('2026-11-01T23:30:00Z'), account: 'Hooli' });
    const won = await deal({ at: new Date('2026-11-03T00:30:00Z'), account: 'Hooli' });
    expect((await loadDealEffort(db(), T, won))?.days).toBe(1);
  });

  it('gives each rep the median activities and days per won deal in the period, over deals with an effort only', async () => {
    await workspace();
    const span = { start: day('2026-11-01', '00:00:00'), end: day('2026-12-01', '00:00:00') };
    // U1: three wins in November. A: 2 activities over 4 days; B: 10 over 20; C: 5 over 1. Medians 5 and 4.
    await activity({ type: 'call', quantity: 2, at: day('2026-11-01'), account: 'A' });
    await deal({ at: day('2026-11-05'), account: 'A' });
    await activity({ type: 'call', quantity: 6, at: day('2026-10-20'), account: 'B' });
    await activity({ type: 'email', quantity: 4, at: day('2026-10-25'), account: 'B' });
    await deal({ at: day('2026-11-09'), account: 'B' });
    await activity({ type: 'meeting', quantity: 5, at: day('2026-11-19'), account: 'C' });
    await deal({ at: day('2026-11-20'), account: 'C' });
    // Left out of U1's medians: no account, no activity, lost, closed in October.
    await deal({ at: day('2026-11-21'), account: null });
    await deal({ at: day('2026-11-21'), account: 'Nobody' });
    await activity({ type: 'call', quantity: 50, at: day('2026-11-02'), account: 'L' });
    await deal({ status: 'lost', at: day('2026-11-22'), account: 'L' });
    await activity({ type: 'call', quantity: 50, at: day('2026-10-02'), account: 'Old' });
    await deal({ at: day('2026-10-30'), account: 'Old' });
    // U2: two wins: 1 activity over 0 days, 4 over 3 days. Medians 2.5 and 1.5.
    await activity({ type: 'call', userId: 'U2', at: day('2026-11-10'), account: 'D' });
    await deal({ userId: 'U2', at: day('2026-11-10', '18:00:00'), account: 'D' });
    await activity({ type: 'call', userId: 'U2', quantity: 4, at: day('2026-11-11'), account: 'E' });
    await deal({ userId: 'U2', at: day('2026-11-14'), account: 'E' });

    const medians = await loadEffortMedians(db(), { teamId: T, span });
    expect(Object.fromEntries(medians)).toEqual({
      U1: { userId: 'U1', activities: 5, days: 4, deals: 3 },
      U2: { userId: 'U2', activities: 2.5, days: 1.5, deals: 2 },
    });

    // A sales team's board: its members only.
    const [team] = await db().insert(salesTeams).values({ teamId: T, name: 'East', nameKey: 'east', createdBy: 'U0' }).returning({ id: salesTeams.id });
    await db().insert(salesTeamMembers).values({ teamId: T, salesTeamId: team!.id, userId: 'U2', role: 'member' });
    const east = await loadEffortMedians(db(), { teamId: T, span, salesTeamId: team!.id });
    expect([...east.keys()]).toEqual(['U2']);
    // Another workspace sees nothing of this one.
    expect((await loadEffortMedians(db(), { teamId: OTHER, span })).size).toBe(0);
  });
});
