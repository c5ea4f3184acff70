/**
 * Team digests end to end: `/sales-admin digests weekly|off "East AEs"` (an admin, or the team's manager; not a
 * manager of another team, not a rep) sets the team's digest default, audited; at the Friday 16:00 run the team's
 * members get the weekly digest unless they opted out, people outside it follow the workspace default, and a team
 * set to off keeps its members out of the workspace's weekly default.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditLog, salesTeamMembers, salesTeams, users } from '../../src/db/schema/index.js';
import { digestRunKey } from '../../src/features/summary/digest-job.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';
import { ackReply, commandReply } from '../helpers/slack-ui.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // manages East AEs
const WES = 'U0WES0001'; // manages West AEs
const ANA = 'U0ANA0001'; // East AEs
const BEN = 'U0BEN0001'; // East AEs, opted out
const CY = 'U0CY00001'; // West AEs
const DEE = 'U0DEE0001'; // in no team
/** Monday Nov 30 2026, 12:00 UTC. */
const MONDAY = new Date('2026-11-30T12:00:00.000Z');
/** Friday Dec 4 2026, 16:00 in New York. */
const FRIDAY_1600 = new Date('2026-12-04T21:00:00.000Z');
const WEEK = 7 * 24 * 3600_000;

describeEachDb('team digests', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;
  const teamIds: Record<string, string> = {};

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: MONDAY });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    for (const [id, name] of [[MIA, 'mia'], [WES, 'wes'], [ANA, 'ana'], [BEN, 'ben'], [CY, 'cy'], [DEE, 'dee']] as const) h.fake.addUser({ id, name, tz: 'America/New_York' });
    await ensureWorkspace(db(), TEAM);
    for (const userId of [ANA, BEN, CY, DEE]) {
      await db().insert(users).values({ teamId: TEAM, userId, displayName: userId.toLowerCase(), timeZone: 'America/New_York', fetchedAt: MONDAY, joinedAt: new Date('2026-11-01T00:00:00Z') });
    }
    for (const [name, manager, members] of [['East AEs', MIA, [ANA, BEN]], ['West AEs', WES, [CY]]] as const) {
      const [team] = await db().insert(salesTeams).values({ teamId: TEAM, name, nameKey: name.toLowerCase(), createdBy: ADMIN, createdAt: new Date('2026-11-01T00:00:00Z') }).returning();
      teamIds[name] = team!.id;
      await db()
        .insert(salesTeamMembers)
        .values([
          { salesTeamId: team!.id, teamId: TEAM, userId: manager, role: 'manager', createdAt: new Date('2026-11-01T00:00:00Z') },
          ...members.map((userId) => ({ salesTeamId: team!.id, teamId: TEAM, userId, role: 'member' as const, createdAt: new Date('2026-11-01T00:00:00Z') })),
        ]);
    }
  });
  afterEach(async () => {
    await h.stop();
  });

  const salesAdmin = async (text: string, userId: string) => String((await ackReply(h, { command: '/sales-admin', text, userId })).text);
  const teamDefault = async (name: string) => (await db().select().from(salesTeams).where(eq(salesTeams.id, teamIds[name]!)))[0]!.digestDefault;
  const audits = () => db().select().from(auditLog).where(eq(auditLog.teamId, TEAM)).orderBy(asc(auditLog.createdAt));
  /** Who got a weekly digest at the Friday 16:00 run `at`. */
  async function weeklyRecipients(at: Date): Promise<string[]> {
    h.clock.set(at);
    const outcomes = (await h.bot.scheduler.tick(at)).filter((o) => o.job === 'digest' && o.status === 'done');
    return outcomes.map((o) => o.runKey.split(':')[2]!).sort();
  }

  it('the team’s manager turns on the weekly digest for their team: stored, audited, and its members get it on Friday at 16:00', async () => {
    const reply = await salesAdmin('digests weekly "East AEs"', MIA);
    expect(reply).toContain('Members of East AEs now get the weekly digest by DM, Fridays at 16:00');
    expect(await teamDefault('East AEs')).toBe('weekly');
    expect((await audits()).map((r) => [r.action, r.subject, r.before, r.after, r.actorId])).toEqual([['settings.digest_default', 'East AEs', null, 'weekly', MIA]]);

    // Ben opts out; Cy (another team) and Dee (no team) follow the workspace default, off.
    h.clock.set(new Date(MONDAY.getTime() + 3600_000));
    expect(String((await commandReply(h, { command: '/my-stats', text: 'unsubscribe', userId: BEN })).text)).toContain('unsubscribe');
    expect(await weeklyRecipients(FRIDAY_1600)).toEqual([ANA]);
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.ok && c.args.channel === `D${ANA}`);
    expect(String(dm!.args.text)).toContain('Your weekly Sales Pulse digest');
    // Exactly once: a second tick in the same minute sends nothing more.
    expect(await weeklyRecipients(new Date(FRIDAY_1600.getTime() + 60_000))).toEqual([]);
  });

  it('no catch-up for a slot before the team default was turned on', async () => {
    h.clock.set(new Date(FRIDAY_1600.getTime() + 3600_000)); // an hour after the slot
    await salesAdmin('digests weekly "east aes"', ADMIN);
    expect(await weeklyRecipients(new Date(FRIDAY_1600.getTime() + 2 * 3600_000))).toEqual([]);
    expect(await weeklyRecipients(new Date(FRIDAY_1600.getTime() + WEEK))).toEqual([ANA, BEN]);
  });

  it('a team set to off keeps its members out of the workspace’s weekly default; others still get it', async () => {
    await salesAdmin('digests weekly', ADMIN);
    await salesAdmin('digests off "West AEs"', WES);
    expect(await teamDefault('West AEs')).toBe('off');
    const got = await weeklyRecipients(FRIDAY_1600);
    expect(got).toContain(ANA);
    expect(got).toContain(DEE);
    expect(got).not.toContain(CY);
    // Wes manages West AEs but is not a member of it: the workspace default reaches him.
    expect(got).toEqual([ADMIN, ANA, BEN, DEE, WES].sort());
    expect(digestRunKey(TEAM, ANA, 'weekly', FRIDAY_1600)).toBe(`digest:${TEAM}:${ANA}:weekly:${FRIDAY_1600.toISOString()}`);
  });

  it('off again: the team’s members get no default digest at the next Friday', async () => {
    await salesAdmin('digests weekly "East AEs"', MIA);
    expect(await weeklyRecipients(FRIDAY_1600)).toEqual([ANA, BEN]);
    h.clock.set(new Date(FRIDAY_1600.getTime() + 3600_000));
    expect(await salesAdmin('digests off "East AEs"', MIA)).toContain('Members of East AEs get no digest by default now');
    expect(await weeklyRecipients(new Date(FRIDAY_1600.getTime() + WEEK))).toEqual([]);
  });

  it('a manager of another team, a rep and an unknown team change nothing', async () => {
    expect(await salesAdmin('digests weekly "East AEs"', WES)).toBe(':lock: You can do that only for the teams you manage.');
    expect(await salesAdmin('digests weekly "East AEs"', ANA)).toContain('Only Sales Pulse admins and team managers can use `/sales-admin`');
    expect(await salesAdmin('digests weekly', MIA)).toContain('Only Sales Pulse admins');
    expect(await salesAdmin('digests weekly "North AEs"', ADMIN)).toContain('There is no team called “North AEs”');
    expect(await salesAdmin('digests sometimes "East AEs"', ADMIN)).toContain('Say `weekly` or `off`, then the team');
    expect(await teamDefault('East AEs')).toBeNull();
    expect(await audits()).toHaveLength(0);
    expect(await weeklyRecipients(FRIDAY_1600)).toEqual([]);
  });
});
