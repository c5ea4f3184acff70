/**
 * loadPersonalStats against hand-computed fixtures (both databases), and the pure pieces around it:
 * outcome grouping, the connect rate, observations and the message builder.
 */
import { createSlackClients, fixedToken } from '../../src/slack/clients.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { configSchema } from '../../src/config.js';
import { activities, deals, users, workspaces } from '../../src/db/schema/index.js';
import { ignoreChanges, type Deps } from '../../src/deps.js';
import { UserDirectory } from '../../src/slack/user-directory.js';
import type { BoardPeriod, Totals } from '../../src/features/leaderboard/types.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { personalStatsMessage } from '../../src/features/summary/stats.blocks.js';
import {
  callStats,
  loadPersonalStats,
  outcomesByType,
  personalObservations,
  type PersonalStats,
} from '../../src/features/summary/stats.js';
import { fixedClock } from '../../src/lib/clock.js';
import { divideMinor } from '../../src/lib/money.js';
import { createLogger } from '../../src/lib/logger.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { blockKitProblems, manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';

const TEAM = 'T0STATS';
const OTHER_TEAM = 'T0OTHER';
const ANA = 'UANA000001';
const BO = 'UBO0000001';
const CY = 'UCY0000001';
const DEE = 'UDEE000001';
const EVE = 'UEVE000001';
const NOW = new Date('2026-11-27T15:00:00Z');

/** Monday to Monday, UTC. */
const PERIOD: BoardPeriod = {
  current: { start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-30T00:00:00Z'), label: 'This week (Nov 23 – 29)' },
  previous: { start: new Date('2026-11-16T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z'), label: 'Last week (Nov 16 – 22)' },
  timeZone: 'UTC',
};

const act = (userId: string, typeKey: string, quantity: number, occurredAt: string, outcome: string | null = null, extra: { teamId?: string; deletedAt?: Date } = {}) => ({
  teamId: extra.teamId ?? TEAM,
  userId,
  typeKey,
  quantity,
  occurredAt: new Date(occurredAt),
  outcome,
  source: 'import' as const,
  deletedAt: extra.deletedAt ?? null,
});
const deal = (
  userId: string,
  status: 'won' | 'lost',
  amountMinor: bigint | null,
  currency: string | null,
  closedAt: string,
  extra: { teamId?: string; deletedAt?: Date } = {},
) => ({ teamId: extra.teamId ?? TEAM, userId, status, amountMinor, currency, closedAt: new Date(closedAt), source: 'import' as const, deletedAt: extra.deletedAt ?? null });

describeEachDb('loadPersonalStats', (getDb) => {
  let fake: FakeSlack;
  let client: webApi.WebClient;
  let deps: Deps;

  beforeAll(async () => {
    fake = await startFakeSlack({ scopes: manifestBotScopes(), teamId: TEAM });
    client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await fake.close();
  });

  beforeEach(async () => {
    fake.reset();
    const database = getDb().database;
    deps = {
      config: configSchema.parse({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: fake.apiUrl }),
      db: database.db,
      clock: fixedClock(NOW),
      logger: createLogger('silent'),
      afterChange: ignoreChanges,
      users: new UserDirectory(),
      slack: createSlackClients(fixedToken('xoxb-test-token'), { slackApiUrl: fake.apiUrl }),
    };
    const db = database.db;
    await ensureWorkspace(db, TEAM);
    await ensureWorkspace(db, OTHER_TEAM);
    const fresh = NOW;
    await db.insert(users).values(
      [ANA, BO, CY, DEE, EVE].map((userId) => ({ teamId: TEAM, userId, displayName: `name-of-${userId}`, timeZone: 'UTC', fetchedAt: fresh })),
    );
    const deleted = new Date('2026-11-26T00:00:00Z');
    await db.insert(activities).values([
      // Ana, this week: 20 calls (6 connected, 3 voicemail, 5 no answer, 2 booked, 4 without an outcome), 5 emails, 3 meetings = 28.
      act(ANA, 'call', 4, '2026-11-23T00:00:00Z', 'connected'), // the first instant counts
      act(ANA, 'call', 2, '2026-11-24T10:00:00Z', 'connected'),
      act(ANA, 'call', 3, '2026-11-24T11:00:00Z', 'voicemail'),
      act(ANA, 'call', 5, '2026-11-25T11:00:00Z', 'no-answer'),
      act(ANA, 'call', 2, '2026-11-25T12:00:00Z', 'booked'),
      act(ANA, 'call', 4, '2026-11-26T12:00:00Z'),
      act(ANA, 'email', 3, '2026-11-26T13:00:00Z', 'replied'),
      act(ANA, 'email', 2, '2026-11-26T14:00:00Z'),
      act(ANA, 'meeting', 2, '2026-11-27T09:00:00Z', 'held'),
      act(ANA, 'meeting', 1, '2026-11-27T10:00:00Z', 'no-show'),
      // Not counted: deleted, the exclusive end, another workspace.
      act(ANA, 'call', 7, '2026-11-24T12:00:00Z', 'connected', { deletedAt: deleted }),
      act(ANA, 'call', 9, '2026-11-30T00:00:00Z', 'connected'),
      act(ANA, 'call', 11, '2026-11-24T12:00:00Z', 'booked', { teamId: OTHER_TEAM }),
      // Ana, last week: 8 calls, 2 emails = 10.
      act(ANA, 'call', 8, '2026-11-17T12:00:00Z'),
      act(ANA, 'email', 2, '2026-11-22T23:59:59Z'),
      // Bo: the most calls. Cy: as many activities as Ana. Dee: one meeting. Eve: last week only.
      act(BO, 'call', 40, '2026-11-24T12:00:00Z', 'connected'),
      act(CY, 'email', 28, '2026-11-24T12:00:00Z'),
      act(DEE, 'meeting', 1, '2026-11-24T12:00:00Z', 'held'),
      act(EVE, 'call', 5, '2026-11-18T12:00:00Z'),
    ]);
    await db.insert(deals).values([
      // Ana, this week: won $12,500 + $7,500 and €9,000; lost $3,000 and one without an amount.
      deal(ANA, 'won', 1_250_000n, 'USD', '2026-11-24T12:00:00Z'),
      deal(ANA, 'won', 750_000n, 'USD', '2026-11-25T12:00:00Z'),
      deal(ANA, 'won', 900_000n, 'EUR', '2026-11-25T13:00:00Z'),
      deal(ANA, 'lost', 300_000n, 'USD', '2026-11-26T12:00:00Z'),
      deal(ANA, 'lost', null, null, '2026-11-26T13:00:00Z'),
      deal(ANA, 'won', 9_999_900n, 'USD', '2026-11-26T14:00:00Z', { deletedAt: deleted }),
      deal(ANA, 'won', 5_000_000n, 'USD', '2026-11-24T12:00:00Z', { teamId: OTHER_TEAM }),
      // Ana, last week: $16,000.
      deal(ANA, 'won', 1_600_000n, 'USD', '2026-11-20T12:00:00Z'),
      deal(BO, 'won', 3_000_000n, 'USD', '2026-11-24T12:00:00Z'),
      deal(CY, 'won', 2_000_000n, 'USD', '2026-11-24T12:00:00Z'),
    ]);
  });

  it('has the person\'s hand-computed numbers, outcomes and connect rate, ignoring deleted rows and other workspaces', async () => {
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: ANA, period: PERIOD });
    expect(s.name).toBe(`name-of-${ANA}`);
    expect(s.currency).toBe('USD');
    expect(s.periodComplete).toBe(false);
    expect(s.current).toEqual({
      activities: 28,
      activitiesByType: { call: 20, email: 5, meeting: 3, demo: 0, proposal: 0 },
      won: 3,
      lost: 2,
      revenue: [
        { currency: 'USD', minor: 2_000_000n },
        { currency: 'EUR', minor: 900_000n },
      ],
      headlineRevenueMinor: 2_000_000n,
      headlineWon: 2,
      revenuePerActivityMinor: 71_429n, // 2,000,000 / 28 = 71,428.57, rounded half-up: $714.29
      winRate: 0.6,
      averageDealMinor: 1_000_000n,
    } satisfies Totals);
    expect(s.previous).toMatchObject({
      activities: 10,
      activitiesByType: { call: 8, email: 2, meeting: 0, demo: 0, proposal: 0 },
      won: 1,
      lost: 0,
      headlineRevenueMinor: 1_600_000n,
    });
    expect(s.outcomes).toEqual([
      {
        typeKey: 'call',
        total: 20,
        outcomes: [
          { outcome: 'connected', count: 6 },
          { outcome: 'voicemail', count: 3 },
          { outcome: 'no-answer', count: 5 },
          { outcome: 'booked', count: 2 },
        ],
        withoutOutcome: 4,
      },
      { typeKey: 'email', total: 5, outcomes: [{ outcome: 'replied', count: 3 }], withoutOutcome: 2 },
      { typeKey: 'meeting', total: 3, outcomes: [{ outcome: 'held', count: 2 }, { outcome: 'no-show', count: 1 }], withoutOutcome: 0 },
    ]);
    // Connect rate: (6 connected + 2 booked) / 16 calls with an outcome; the 4 without one are left out.
    expect(s.calls).toEqual({ calls: 20, connected: 6, voicemail: 3, noAnswer: 5, booked: 2, withOutcome: 16, withoutOutcome: 4, connectRate: 0.5 });
  });

  it('ranks with ties among the active reps: Cy ties Ana on both, Bo leads, Eve (last week only) is not counted', async () => {
    const ana = await loadPersonalStats(deps, client, { teamId: TEAM, userId: ANA, period: PERIOD });
    expect(ana.ranks).toEqual({ activity: 2, revenue: 2, teamSize: 4 });
    const cy = await loadPersonalStats(deps, client, { teamId: TEAM, userId: CY, period: PERIOD });
    expect(cy.ranks).toEqual({ activity: 2, revenue: 2, teamSize: 4 });
    const bo = await loadPersonalStats(deps, client, { teamId: TEAM, userId: BO, period: PERIOD });
    expect(bo.ranks).toEqual({ activity: 1, revenue: 1, teamSize: 4 });
    const dee = await loadPersonalStats(deps, client, { teamId: TEAM, userId: DEE, period: PERIOD });
    expect(dee.ranks).toEqual({ activity: 4, revenue: 4, teamSize: 4 });
    // Nobody else's name was looked up: the board behind the ranks needs none.
    expect(fake.callsTo('users.info')).toHaveLength(0);
  });

  it('a person with nothing in the period gets zeros, no ranks, last period\'s numbers and a welcoming line', async () => {
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: EVE, period: PERIOD });
    expect(s.current).toMatchObject({ activities: 0, won: 0, lost: 0, revenue: [], headlineRevenueMinor: 0n, revenuePerActivityMinor: null, winRate: null, averageDealMinor: null });
    expect(s.current.activitiesByType).toEqual({ call: 0, email: 0, meeting: 0, demo: 0, proposal: 0 });
    expect(s.previous.activities).toBe(5);
    expect(s.ranks).toEqual({ activity: null, revenue: null, teamSize: 4 });
    expect(s.outcomes).toEqual([]);
    expect(s.calls.connectRate).toBeNull();
    expect(s.observations).toEqual([
      ":seedling: Nothing logged this week yet (5 activities last week) — log calls, emails and meetings as they happen (/log-call, /log) and they'll show up here.",
    ]);
    const message = personalStatsMessage(s, []);
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('— by revenue, — by activity (4 reps are ranked');
  });

  it('someone Slack has never shown us still gets a summary (the name falls back to the id)', async () => {
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: 'UNOBODY001', period: PERIOD });
    expect(s.name).toBe('UNOBODY001');
    expect(s.current.activities).toBe(0);
  });

  it('observations: more calls and what they booked, then revenue up on last week', async () => {
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: ANA, period: PERIOD });
    expect(s.observations).toEqual([
      ':chart_with_upwards_trend: 12 more calls than last week, and 2 meetings booked from them — the work is paying off.',
      ':moneybag: Revenue up 25% on last week: $20,000.00 and €9,000.00 from 3 won deals (a 60% win rate).',
    ]);
  });

  it('multi-currency: with EUR as the workspace currency, EUR is the headline and USD stands beside it, never added', async () => {
    await getDb().database.db.update(workspaces).set({ currency: 'EUR' }).where(eq(workspaces.teamId, TEAM));
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: ANA, period: PERIOD });
    expect(s.currency).toBe('EUR');
    expect(s.current.revenue).toEqual([
      { currency: 'EUR', minor: 900_000n },
      { currency: 'USD', minor: 2_000_000n },
    ]);
    expect(s.current).toMatchObject({ headlineRevenueMinor: 900_000n, headlineWon: 1, revenuePerActivityMinor: 32_143n, averageDealMinor: 900_000n, won: 3 });
    // Cy's $20,000 does not count against Ana's €9,000: only Bo and Cy have no EUR, so Ana leads on EUR revenue.
    expect(s.ranks.revenue).toBe(1);
    const all = JSON.stringify(personalStatsMessage(s, []).blocks);
    expect(all).toContain('€9,000.00 + $20,000.00');
  });

  it('the message: every number of the summary, only the person\'s own, within Block Kit limits', async () => {
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: ANA, period: PERIOD });
    const progress = [
      { text: 'Calls: 20 of 60 (33%) with 2 of 5 days left: behind pace', percent: 33, status: 'behind' },
      { text: 'Revenue: $20,000.00 of $25,000.00 (80%) <!channel> & co', percent: 80, status: 'on_pace' },
    ];
    const message = personalStatsMessage(s, progress);
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
    const fields = message.blocks.flatMap((b: any) => (b.fields ?? []).map((f: any) => f.text as string));
    const field = (title: string) => fields.find((f) => f.startsWith(`*${title}`))!;
    expect(field('Activities')).toBe('*Activities*\n28 · ▲ 180% vs previous\nCalls 20 (▲ 150%)\nEmails 5 (▲ 150%)\nMeetings 3 (new)');
    expect(field('Calls: outcomes')).toBe(
      '*Calls: outcomes*\nConnected 6 · Voicemail 3 · No answer 5 · Booked 2\nConnect rate 50% (8 of 16 reached someone)\n4 without an outcome',
    );
    expect(field('Emails: outcomes')).toBe('*Emails: outcomes*\nReplied 3\n2 without an outcome');
    expect(field('Meetings: outcomes')).toBe('*Meetings: outcomes*\nHeld 2 · No show 1');
    expect(field('Deals')).toBe('*Deals*\n3 won · 2 lost\nWins: ▲ 200% vs previous');
    expect(field('Revenue*')).toBe('*Revenue*\n$20,000.00 + €9,000.00\n▲ 25% vs previous');
    expect(field('Revenue per activity')).toBe('*Revenue per activity*\n$714.29');
    expect(field('Win rate')).toBe('*Win rate*\n60%');
    expect(field('Average deal')).toBe('*Average deal*\n$10,000.00');
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('#2 of 4 by revenue, #2 of 4 by activity');
    expect(all).toContain('Your Sales Pulse numbers');
    expect(all).toContain('This week (Nov 23 – 29)* (so far)');
    // Target lines are escaped user-facing text.
    expect(all).toContain('• Calls: 20 of 60 (33%) with 2 of 5 days left: behind pace');
    expect(all).toContain('&lt;!channel&gt; &amp; co');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('12 more calls than last week');
    // Nobody else's figures: Bo's $30,000 and 40 calls, Cy's 28 emails' owner, nor the team's totals.
    expect(all).not.toContain('30,000');
    expect(all).not.toMatch(/\b40\b/);
    expect(all).not.toContain('$70,000.00'); // the team's USD revenue
    expect(message.text).toBe('Your numbers, This week (Nov 23 – 29): 28 activities, $20,000.00 + €9,000.00 won from 3 deals. #2 of 4 by revenue, #2 of 4 by activity.');
  });

  it('with no targets there is no Targets section; an admin\'s view is titled with the person\'s name, escaped in mrkdwn', async () => {
    await getDb().database.db.update(users).set({ displayName: '<@U0> *Bo* & Co' }).where(eq(users.userId, BO));
    const s = await loadPersonalStats(deps, client, { teamId: TEAM, userId: BO, period: PERIOD });
    const message = personalStatsMessage(s, [], { viewerIsSubject: false });
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: "<@U0> *Bo* & Co's numbers", emoji: false } });
    const all = JSON.stringify(message.blocks);
    expect(all).not.toContain('*Targets*');
    expect(all).toContain('*Ranks in the team*');
    expect(message.text).toContain('&lt;@U0&gt; *Bo* &amp; Co');
    expect(message.text).not.toContain('<@U0>');
  });
});

// ---------------------------------------------------------------------------------------------
// Pure pieces
// ---------------------------------------------------------------------------------------------

function totals(partial: Partial<Totals> & { activitiesByType?: Record<string, number> }): Totals {
  const activitiesByType = { call: 0, email: 0, meeting: 0, demo: 0, proposal: 0, ...partial.activitiesByType };
  const activities = Object.values(activitiesByType).reduce((a, b) => a + b, 0);
  const won = partial.won ?? 0;
  const lost = partial.lost ?? 0;
  const headline = partial.headlineRevenueMinor ?? 0n;
  return {
    activities,
    activitiesByType,
    won,
    lost,
    revenue: partial.revenue ?? (headline > 0n ? [{ currency: 'USD', minor: headline }] : []),
    headlineRevenueMinor: headline,
    headlineWon: partial.headlineWon ?? won,
    revenuePerActivityMinor: activities > 0 ? divideMinor(headline, activities) : null,
    winRate: won + lost > 0 ? won / (won + lost) : null,
    averageDealMinor: won > 0 ? divideMinor(headline, won) : null,
  };
}

function stats(over: { current: Totals; previous: Totals; outcomes?: PersonalStats['outcomes']; periodComplete?: boolean; period?: BoardPeriod }): Omit<PersonalStats, 'observations'> {
  const outcomes = over.outcomes ?? [];
  return {
    teamId: TEAM,
    userId: ANA,
    name: 'Ana',
    currency: 'USD',
    period: over.period ?? PERIOD,
    periodComplete: over.periodComplete ?? false,
    types: BUILT_IN_ACTIVITY_TYPES,
    current: over.current,
    previous: over.previous,
    outcomes,
    calls: callStats(outcomes),
    ranks: { activity: 1, revenue: 1, teamSize: 1 },
  };
}

describe('outcomesByType and callStats', () => {
  it('orders outcomes like the type defines them, then unknown ones; outcome case is folded', () => {
    const grouped = outcomesByType(
      [
        { typeKey: 'call', outcome: 'Booked', quantity: 1 },
        { typeKey: 'call', outcome: 'gatekeeper', quantity: 2 },
        { typeKey: 'call', outcome: 'connected', quantity: 3 },
        { typeKey: 'custom', outcome: null, quantity: 4 },
        { typeKey: 'email', outcome: null, quantity: 0 },
      ],
      BUILT_IN_ACTIVITY_TYPES,
    );
    expect(grouped).toEqual([
      { typeKey: 'call', total: 6, outcomes: [{ outcome: 'connected', count: 3 }, { outcome: 'booked', count: 1 }, { outcome: 'gatekeeper', count: 2 }], withoutOutcome: 0 },
      { typeKey: 'custom', total: 4, outcomes: [], withoutOutcome: 4 },
    ]);
    // gatekeeper counts as an outcome that did not reach anyone: (3 + 1) / 6.
    expect(callStats(grouped).connectRate).toBeCloseTo(4 / 6, 12);
  });

  it('has no connect rate when no call has an outcome', () => {
    const c = callStats(outcomesByType([{ typeKey: 'call', outcome: null, quantity: 9 }], BUILT_IN_ACTIVITY_TYPES));
    expect(c).toEqual({ calls: 9, connected: 0, voicemail: 0, noAnswer: 0, booked: 0, withOutcome: 0, withoutOutcome: 9, connectRate: null });
  });
});

describe('personalObservations', () => {
  const callOutcomes = (booked: number, other: number) =>
    outcomesByType(
      [
        { typeKey: 'call', outcome: 'booked', quantity: booked },
        { typeKey: 'call', outcome: 'voicemail', quantity: other },
      ],
      BUILT_IN_ACTIVITY_TYPES,
    );

  it('more calls but nothing booked yet, and no deals: encouraging, with the base of activity', () => {
    const lines = personalObservations(
      stats({
        current: totals({ activitiesByType: { call: 18, meeting: 3 } }),
        previous: totals({ activitiesByType: { call: 6 } }),
        outcomes: callOutcomes(0, 18),
      }),
    );
    expect(lines).toEqual([
      ':chart_with_upwards_trend: 12 more calls than last week, but no meetings booked from them yet — the next connected call could be the one.',
      ':seedling: No deals closed yet this week — 18 calls and 3 meetings are a solid base for the next ones.',
    ]);
  });

  it('more calls without outcomes suggests logging them; more activities in general counts them', () => {
    expect(personalObservations(stats({ current: totals({ activitiesByType: { call: 3 } }), previous: totals({}) }))[0]).toBe(
      ':chart_with_upwards_trend: 3 more calls than last week — add outcomes (#connected, #booked) when you log them to see what they turn into.',
    );
    expect(personalObservations(stats({ current: totals({ activitiesByType: { email: 9, call: 1 } }), previous: totals({ activitiesByType: { call: 4 } }) }))[0]).toBe(
      ':chart_with_upwards_trend: 6 more activities than last week (4 → 10) — nice momentum.',
    );
  });

  it('fewer activities is said gently: time left while the period runs, a fresh start once it is over', () => {
    const input = { current: totals({ activitiesByType: { email: 1 } }), previous: totals({ activitiesByType: { email: 20 } }) };
    expect(personalObservations(stats(input))[0]).toBe(":calendar: 1 activity so far this week, against 20 last week — there's still time to build momentum.");
    const lastWeek: BoardPeriod = { ...PERIOD, current: { ...PERIOD.current, label: 'Last week (Nov 16 – 22)' } };
    expect(personalObservations(stats({ ...input, periodComplete: true, period: lastWeek }))).toEqual([
      ':calendar: 1 activity last week, after 20 the week before — every period is a fresh start.',
      ':seedling: No deals closed last week — 1 email is a solid base for the next ones.',
    ]);
    expect(personalObservations(stats({ current: totals({ activitiesByType: { email: 4 } }), previous: totals({ activitiesByType: { email: 4 } }) }))[0]).toBe(
      ':straight_ruler: Steady: 4 activities, the same as last week.',
    );
  });

  it('revenue: first wins, and a lower week is put beside the last one without judging', () => {
    expect(personalObservations(stats({ current: totals({ won: 1, headlineRevenueMinor: 500_000n }), previous: totals({}) }))).toEqual([
      ':moneybag: $5,000.00 from 1 won deal this week — well done.',
    ]);
    expect(
      personalObservations(stats({ current: totals({ activitiesByType: { call: 2 }, won: 1, headlineRevenueMinor: 500_000n }), previous: totals({ activitiesByType: { call: 2 }, won: 1, headlineRevenueMinor: 900_000n }) }))[1],
    ).toBe(':moneybag: $5,000.00 from 1 won deal so far this week, after $9,000.00 last week.');
  });

  it('no wins but losses, and a generic period', () => {
    const period: BoardPeriod = { ...PERIOD, current: { ...PERIOD.current, label: 'November 2026' } };
    expect(personalObservations(stats({ current: totals({ activitiesByType: { demo: 2 }, lost: 1 }), previous: totals({ activitiesByType: { demo: 2 } }), period }))).toEqual([
      ':straight_ruler: Steady: 2 activities, the same as the previous period.',
      ':seedling: No wins yet in this period — 2 demos are a solid base for the next ones.',
    ]);
    expect(personalObservations(stats({ current: totals({ lost: 2 }), previous: totals({}) }))).toEqual([
      ':handshake: 2 deals closed this week — logging the calls and meetings behind the next ones shows what moves them.',
    ]);
  });
});

describe('personalStatsMessage limits', () => {
  it('stays within Block Kit limits with many custom types and outcomes, long labels and many targets', () => {
    const types = Array.from({ length: 30 }, (_, i) => ({ key: `t${i}`, label: `T${i}`, plural: `${'<long & >'.repeat(40)}${i}`, outcomes: ['a', 'b'] }));
    const rows = types.flatMap((t) => [
      { typeKey: t.key, outcome: 'a', quantity: 3 },
      { typeKey: t.key, outcome: `x${'y'.repeat(300)}`, quantity: 1 },
    ]);
    const outcomes = outcomesByType(rows, types);
    const byType = Object.fromEntries(types.map((t) => [t.key, 4]));
    const s: PersonalStats = {
      ...stats({ current: totals({ activitiesByType: byType }), previous: totals({}), outcomes }),
      types,
      name: 'x'.repeat(500),
      observations: ['a'],
    };
    const progress = Array.from({ length: 40 }, (_, i) => ({ text: `Target ${i} ${'z'.repeat(200)}` }));
    for (const viewerIsSubject of [true, false]) {
      const message = personalStatsMessage(s, progress, { viewerIsSubject });
      expect(blockKitProblems(message.blocks, '/blocks', 49)).toEqual([]); // room for the fallback's warning line
      expect(message.text.length).toBeLessThanOrEqual(3000);
      for (const b of message.blocks as any[]) {
        if (b.fields) {
          expect(b.fields.length).toBeLessThanOrEqual(10);
          for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
        }
        if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(b.type === 'header' ? 150 : 3000);
      }
      expect(JSON.stringify(message.blocks)).not.toContain('<long');
    }
  });
});
