/**
 * Uninstall and the retention purge, on both databases: what the uninstall events do to the installation rows and
 * the workspace (markUninstalled: workspace and org-wide scopes, idempotent), and the daily `retention-purge` job:
 * nothing before RETENTION_DAYS, every row of the workspace in every table after (row counts per table before and
 * after, the other workspace untouched), exactly once a day with two processes ticking, bounded per run, in
 * batches, and never a workspace reinstalled meanwhile. A reinstall after the purge starts empty.
 *
 * The list of tables purged is checked against the schema and the database: a new table with a team_id that the
 * purge does not know fails here.
 */
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Installation } from '@slack/bolt';
import { configSchema } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import {
  activities,
  activityTypes,
  activityTypeSettings,
  adminGrants,
  auditLog,
  dealCelebrations,
  deals,
  digestSubscriptions,
  exchangeRates,
  leaderboardSchedules,
  salesTeamMembers,
  salesTeams,
  scheduledRuns,
  slackInstallations,
  targets,
  users,
  webhookReceipts,
  webhookSecrets,
  workspaces,
} from '../../src/db/schema/index.js';
import { ignoreChanges, type Deps } from '../../src/deps.js';
import { markUninstalled, scopeOfEnvelope, botTokenRevoked } from '../../src/features/install/lifecycle.js';
import { createRetentionPurgeJob, PURGE_STEPS, purgeRunKey, purgeSlot, purgeWorkspace } from '../../src/features/install/purge.js';
import { saveInstallation } from '../../src/features/install/store.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { getRun } from '../../src/scheduler/runs.js';
import { noSlack } from '../../src/slack/clients.js';
import { UserDirectory } from '../../src/slack/user-directory.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { TEST_ENCRYPTION_KEY } from '../helpers/harness.js';

const GONE = 'T0GONE001';
const KEPT = 'T0KEPT001';
const DAY = 24 * 60 * 60_000;
/** Uninstalled Monday Nov 2 2026, 10:00 UTC. */
const UNINSTALLED_AT = new Date('2026-11-02T10:00:00.000Z');
const day = (n: number, hourUtc = 3, minute = 5) => new Date(Date.UTC(2026, 10, 2 + n, hourUtc, minute));

/** The tables with a team_id column, as the schema declares them. */
function schemaTablesWithTeamId(): string[] {
  return (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableConfig(table))
    .filter((config) => config.columns.some((c) => c.name === 'team_id'))
    .map((config) => config.name)
    .sort();
}

describe('the purge list', () => {
  it('names every table with a team_id in the schema (a new one must be added to PURGE_STEPS), and only those', () => {
    expect(PURGE_STEPS.map((s) => s.table).sort()).toEqual(schemaTablesWithTeamId());
  });

  it('deletes children before the tables their foreign keys point to, and the workspace row last', () => {
    const order = PURGE_STEPS.map((s) => s.table);
    expect(order.at(-1)).toBe('workspaces');
    for (const value of Object.values(schema) as unknown[]) {
      if (!is(value, PgTable)) continue;
      const config = getTableConfig(value);
      for (const fk of config.foreignKeys) {
        const parent = getTableConfig(fk.reference().foreignTable).name;
        if (!order.includes(config.name) || !order.includes(parent)) continue;
        expect(order.indexOf(config.name), `${config.name} before ${parent}`).toBeLessThan(order.indexOf(parent));
      }
    }
  });
});

describeEachDb('uninstall and the retention purge', (getDb) => {
  const connections: Database[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
  });

  const db = () => getDb().database.db;
  const config = configSchema.parse({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', RETENTION_DAYS: '30' });
  function depsOn(database: Database, clock = fixedClock(UNINSTALLED_AT)): Deps & { clock: ReturnType<typeof fixedClock> } {
    return { config, db: database.db, clock, logger: createLogger('silent'), afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
  }

  /** The tables with a team_id column, as the database has them (whatever the schema files say). */
  async function databaseTablesWithTeamId(): Promise<string[]> {
    const rows = await getDb().database.rows<{ table_name: string }>(
      sql`select table_name from information_schema.columns where table_schema = 'public' and column_name = 'team_id' order by table_name`,
    );
    return rows.map((r) => r.table_name);
  }

  /** Rows of `teamId` in every table with a team_id (read from the database, not from the purge list). */
  async function rowsPerTable(teamId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of await databaseTablesWithTeamId()) {
      const [row] = await getDb().database.rows<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where team_id = ${teamId}`);
      counts[table] = Number(row!.n);
    }
    return counts;
  }

  /** A workspace with rows in every table that has a team_id (`activityCount` activities). */
  async function seedWorkspace(teamId: string, opts: { activityCount?: number; enterpriseId?: string; uninstalledAt?: Date | null } = {}) {
    const d = db();
    await d.insert(workspaces).values({ teamId, name: `ws ${teamId}`, enterpriseId: opts.enterpriseId ?? null, uninstalledAt: opts.uninstalledAt ?? null });
    await d.insert(users).values([
      { teamId, userId: 'U1', displayName: 'one' },
      { teamId, userId: 'U2', displayName: 'two' },
    ]);
    await d.insert(activityTypes).values({ teamId, key: 'visit', label: 'Visit', plural: 'visits' });
    await d.insert(activityTypeSettings).values({ teamId, typeKey: 'call', hidden: true });
    await d.insert(activities).values(
      Array.from({ length: opts.activityCount ?? 3 }, (_, i) => ({ teamId, userId: 'U1', typeKey: 'call', occurredAt: new Date(UNINSTALLED_AT.getTime() - (i + 1) * 60_000), source: 'import' as const })),
    );
    const [deal] = await d
      .insert(deals)
      .values({ teamId, userId: 'U1', status: 'won', amountMinor: 100_00n, currency: 'USD', closedAt: UNINSTALLED_AT, source: 'webhook' })
      .returning();
    await d.insert(dealCelebrations).values({ dealId: deal!.id, teamId, channelId: 'C1', status: 'posted' });
    await d.insert(webhookSecrets).values({ teamId, secret: 'sb1:sealed' });
    await d.insert(webhookReceipts).values({ teamId, signature: `sig-${teamId}`, dealId: deal!.id, expiresAt: UNINSTALLED_AT });
    const [salesTeam] = await d.insert(salesTeams).values({ teamId, name: 'East', nameKey: 'east', createdBy: 'U1' }).returning();
    await d.insert(salesTeamMembers).values({ salesTeamId: salesTeam!.id, teamId, userId: 'U1', role: 'member' });
    await d.insert(leaderboardSchedules).values({ teamId, channelId: 'C1', cadence: 'weekly', timeOfDay: '09:00', timeZone: 'UTC', createdBy: 'U1' });
    await d.insert(scheduledRuns).values({ runKey: `leaderboard:${teamId}:x`, job: 'leaderboard', teamId, slotAt: UNINSTALLED_AT, status: 'done' });
    await d.insert(digestSubscriptions).values({ teamId, userId: 'U1', cadence: 'weekly' });
    await d.insert(targets).values({ teamId, userKey: '*', metric: 'call', amount: 10n, period: 'week', createdBy: 'U1' });
    await d.insert(adminGrants).values({ teamId, userId: 'U2', grantedBy: 'U1' });
    await d.insert(auditLog).values({ teamId, actorId: 'U1', action: 'target.set', subject: 'calls' });
    await d.insert(exchangeRates).values({ teamId, currency: 'EUR', effectiveOn: '2026-01-01', rate: '1.1', createdBy: 'U1' });
    await d.insert(slackInstallations).values({ teamId, enterpriseId: opts.enterpriseId ?? '', botToken: 'sb1:sealed-token' });
  }

  const purgeJob = (claimedBy: string, extra: { maxWorkspacesPerRun?: number; batchRows?: number } = {}) => createRetentionPurgeJob({ claimedBy, ...extra });

  it('the database has exactly the purge list’s tables with a team_id (migrations and schema agree with it)', async () => {
    expect(await databaseTablesWithTeamId()).toEqual(PURGE_STEPS.map((s) => s.table).sort());
  });

  it('uninstalling one workspace deletes its installation, marks it once (audited), keeps its data; again is harmless', async () => {
    await seedWorkspace(GONE);
    await seedWorkspace(KEPT);
    const before = await rowsPerTable(GONE);
    const deps = depsOn(getDb().database);

    const first = await markUninstalled(deps, { enterpriseId: null, teamId: GONE, isEnterpriseInstall: false }, 'app_uninstalled');
    expect(first).toEqual({ teamIds: [GONE], installationsRemoved: 1, scope: { enterpriseId: null, teamId: GONE, isEnterpriseInstall: false } });
    deps.clock.advance(DAY);
    const again = await markUninstalled(deps, { enterpriseId: null, teamId: GONE, isEnterpriseInstall: false }, 'tokens_revoked');
    expect(again).toMatchObject({ teamIds: [], installationsRemoved: 0 });

    const rows = await db().select({ teamId: workspaces.teamId, uninstalledAt: workspaces.uninstalledAt }).from(workspaces).orderBy(workspaces.teamId);
    // The first mark stands: a late duplicate does not move the retention deadline.
    expect(rows).toEqual([
      { teamId: GONE, uninstalledAt: UNINSTALLED_AT },
      { teamId: KEPT, uninstalledAt: null },
    ]);
    const after = await rowsPerTable(GONE);
    expect(after).toEqual({ ...before, slack_installations: 0, audit_log: before.audit_log! + 1 });
    const audits = await db().select().from(auditLog).where(sql`${auditLog.teamId} = ${GONE} and ${auditLog.action} like 'app.%'`);
    expect(audits).toMatchObject([{ action: 'app.uninstall', actorId: 'USLACKBOT' }]);
    expect((await rowsPerTable(KEPT)).slack_installations).toBe(1);
  });

  it('an org-wide uninstall removes the org’s installation and marks every workspace of the org without an install of its own', async () => {
    const ORG = 'E0ORG0001';
    await seedWorkspace('T0ORGA001', { enterpriseId: ORG });
    await seedWorkspace('T0ORGB001', { enterpriseId: ORG });
    await seedWorkspace(KEPT);
    // The org-wide install is (E, ''); T0ORGB001 also has its own workspace install (seeded), T0ORGA001 not.
    await db().delete(slackInstallations).where(sql`${slackInstallations.teamId} = 'T0ORGA001'`);
    await db().insert(slackInstallations).values({ enterpriseId: ORG, teamId: '', isEnterpriseInstall: true, botToken: 'sb1:org' });

    const result = await markUninstalled(depsOn(getDb().database), { enterpriseId: ORG, teamId: null, isEnterpriseInstall: true }, 'app_uninstalled');
    expect(result).toEqual({ teamIds: ['T0ORGA001'], installationsRemoved: 1, scope: { enterpriseId: ORG, teamId: null, isEnterpriseInstall: true } });
    const marked = await db().select({ teamId: workspaces.teamId, gone: sql<boolean>`${workspaces.uninstalledAt} is not null` }).from(workspaces).orderBy(workspaces.teamId);
    expect(marked).toEqual([
      { teamId: KEPT, gone: false },
      { teamId: 'T0ORGA001', gone: true },
      { teamId: 'T0ORGB001', gone: false },
    ]);
    expect((await db().select({ teamId: slackInstallations.teamId }).from(slackInstallations).orderBy(slackInstallations.teamId)).map((r) => r.teamId)).toEqual([
      KEPT,
      'T0ORGB001',
    ]);
  });

  it('an event naming a workspace served by its org’s install (Slack sends no authorizations with it) removes the org’s install', async () => {
    const ORG = 'E0ORG0001';
    await seedWorkspace('T0ORGA001', { enterpriseId: ORG });
    await seedWorkspace('T0ORGB001', { enterpriseId: ORG });
    await db().delete(slackInstallations);
    await db().insert(slackInstallations).values({ enterpriseId: ORG, teamId: '', isEnterpriseInstall: true, botToken: 'sb1:org' });
    const scope = scopeOfEnvelope({ team_id: 'T0ORGA001', enterprise_id: ORG });
    expect(scope).toEqual({ enterpriseId: ORG, teamId: 'T0ORGA001', isEnterpriseInstall: false });
    expect(await markUninstalled(depsOn(getDb().database), scope!, 'tokens_revoked')).toEqual({ teamIds: ['T0ORGA001', 'T0ORGB001'], installationsRemoved: 1, scope: { enterpriseId: ORG, teamId: null, isEnterpriseInstall: true } });
    expect(await db().select().from(slackInstallations)).toEqual([]);
  });

  it('RETENTION_DAYS after the uninstall, the day’s purge deletes every row of that workspace and nothing of the other; exactly once with two processes', async () => {
    await seedWorkspace(GONE, { activityCount: 12 });
    await seedWorkspace(KEPT, { activityCount: 12 });
    await markUninstalled(depsOn(getDb().database), { enterpriseId: null, teamId: GONE, isEnterpriseInstall: false }, 'app_uninstalled');
    const gone = await rowsPerTable(GONE);
    const kept = await rowsPerTable(KEPT);
    for (const step of PURGE_STEPS.filter((s) => s.table !== 'slack_installations')) expect(gone[step.table], step.table).toBeGreaterThan(0);

    const other = openAnotherConnection(getDb());
    connections.push(other);
    const clockA = fixedClock(day(30));
    const clockB = fixedClock(day(30));
    const a = new Scheduler(depsOn(getDb().database, clockA), [purgeJob('a')]);
    const b = new Scheduler(depsOn(other, clockB), [purgeJob('b', { batchRows: 5 })]);
    const tickBoth = async (at: Date) => {
      clockA.set(at);
      clockB.set(at);
      const [x, y] = await Promise.all([a.tick(at), b.tick(at)]);
      return [...x, ...y];
    };

    // Day 30, 03:05 UTC: 29 days and 17 hours since the uninstall, still within the retention period: nothing
    // done, nothing recorded.
    expect(await tickBoth(day(30))).toEqual([]);
    expect(await db().select().from(scheduledRuns).where(sql`${scheduledRuns.job} = 'retention-purge'`)).toEqual([]);
    expect(await rowsPerTable(GONE)).toEqual(gone);
    // Day 31 before 03:00: the day-31 slot has not come (as of day 30's, nothing was past the period).
    expect(await tickBoth(day(31, 2, 59))).toEqual([]);
    expect(await rowsPerTable(GONE)).toEqual(gone);

    // Day 31, 03:05: 30 days and 17 hours since the uninstall. One process runs it.
    const outcomes = await tickBoth(day(31));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ job: 'retention-purge', status: 'done', runKey: 'retention-purge:2026-12-03', teamId: null });
    expect(outcomes[0]!.detail).toMatch(new RegExp(`^purged 1 workspace \\(${GONE}\\): .*activities 12`));
    expect(Object.values(await rowsPerTable(GONE)).every((n) => n === 0)).toBe(true);
    expect(await rowsPerTable(KEPT)).toEqual(kept);
    expect(await getRun(db(), 'retention-purge:2026-12-03')).toMatchObject({ status: 'done' });

    // The rest of the day, both processes: nothing more.
    expect(await tickBoth(day(31, 3, 6))).toEqual([]);
    expect(await tickBoth(day(31, 23, 59))).toEqual([]);
    await a.stop();
    await b.stop();
  });

  it('a workspace reinstalled within the period is never purged, and finds everything; one reinstalled after the purge starts empty', async () => {
    await seedWorkspace(GONE);
    await seedWorkspace(KEPT);
    const deps = depsOn(getDb().database);
    const scope = { enterpriseId: null, teamId: GONE, isEnterpriseInstall: false };
    const box = new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'hex'));
    const installation = (teamId: string) =>
      ({ team: { id: teamId, name: 'ws' }, enterprise: undefined, isEnterpriseInstall: false, appId: 'A1', bot: { token: 'xoxb-new', userId: 'UBOT', id: 'B1', scopes: ['chat:write'] }, user: { id: 'U1', token: undefined, scopes: undefined }, tokenType: 'bot' }) as unknown as Installation;

    await markUninstalled(deps, scope, 'app_uninstalled');
    const kept = await rowsPerTable(GONE);
    // Reinstalled on day 20: the mark is cleared, so the day-31 purge leaves it alone.
    await saveInstallation(db(), box, installation(GONE), day(20));
    const job = purgeJob('a');
    deps.clock.set(day(31));
    expect(await job.runDue(deps, day(31))).toEqual([]);
    const after = await rowsPerTable(GONE);
    // Everything as it was (the reinstall adds its installation row and its audit entry).
    expect(after).toEqual({ ...kept, slack_installations: 1, audit_log: after.audit_log });
    expect(after.audit_log).toBeGreaterThanOrEqual(kept.audit_log!);
    const [ws] = await db().select().from(workspaces).where(sql`${workspaces.teamId} = ${GONE}`);
    expect(ws).toMatchObject({ uninstalledAt: null, name: `ws ${GONE}` });

    // Uninstalled again on day 31, purged on day 62; a reinstall then finds a new, empty workspace.
    deps.clock.set(day(31, 12));
    await markUninstalled(deps, scope, 'app_uninstalled');
    deps.clock.set(day(62));
    expect(await job.runDue(deps, day(62))).toMatchObject([{ status: 'done', detail: expect.stringMatching(/^purged 1 workspace/) }]);
    await saveInstallation(db(), box, installation(GONE), day(63));
    const fresh = await rowsPerTable(GONE);
    expect(fresh.workspaces).toBe(1);
    expect(fresh.slack_installations).toBe(1);
    for (const table of ['activities', 'deals', 'targets', 'leaderboard_schedules', 'sales_teams', 'users', 'digest_subscriptions']) expect(fresh[table], table).toBe(0);
    const [again] = await db().select().from(workspaces).where(sql`${workspaces.teamId} = ${GONE}`);
    expect(again).toMatchObject({ uninstalledAt: null, currency: 'USD' });
  });

  it('at most maxWorkspacesPerRun a day, longest gone first; the rest the next day', async () => {
    for (const [i, teamId] of ['T0OLD0001', 'T0OLD0002', 'T0OLD0003'].entries()) await seedWorkspace(teamId, { uninstalledAt: new Date(UNINSTALLED_AT.getTime() + i * 60_000) });
    const deps = depsOn(getDb().database, fixedClock(day(31)));
    const job = purgeJob('a', { maxWorkspacesPerRun: 2 });
    const first = await job.runDue(deps, day(31));
    expect(first).toMatchObject([{ status: 'done', detail: expect.stringMatching(/^purged 2 workspaces \(T0OLD0001, T0OLD0002\): .*; 1\+ left for the next run$/) }]);
    expect((await rowsPerTable('T0OLD0003')).workspaces).toBe(1);
    deps.clock.set(day(32));
    expect(await job.runDue(deps, day(32))).toMatchObject([{ status: 'done', detail: expect.stringMatching(/^purged 1 workspace \(T0OLD0003\)/) }]);
    expect(await db().select().from(workspaces)).toEqual([]);
  });

  it('batches: a workspace with more rows than a batch is drained a batch at a time, counted exactly', async () => {
    await seedWorkspace(GONE, { activityCount: 23, uninstalledAt: UNINSTALLED_AT });
    const before = await rowsPerTable(GONE);
    const result = await purgeWorkspace(db(), GONE, day(31), { batchRows: 4 });
    expect(result.purged).toBe(true);
    const expected = Object.fromEntries(Object.entries(before).filter(([, n]) => n > 0));
    expect(result.counts).toEqual(expected);
    expect(Object.values(await rowsPerTable(GONE)).every((n) => n === 0)).toBe(true);
  });

  it('a workspace reinstalled while its purge runs is left (its row and what is not yet deleted stay)', async () => {
    await seedWorkspace(GONE, { activityCount: 3, uninstalledAt: UNINSTALLED_AT });
    // A reinstall that lands before the purge looks: nothing at all is deleted.
    await db().update(workspaces).set({ uninstalledAt: null });
    const result = await purgeWorkspace(db(), GONE, day(31));
    expect(result).toEqual({ teamId: GONE, purged: false, counts: {} });
    expect((await rowsPerTable(GONE)).activities).toBe(3);
  });

  it('a failure gives the day’s run back for a later tick (twice here), and the purge then completes', async () => {
    await seedWorkspace(GONE, { uninstalledAt: UNINSTALLED_AT });
    const deps = depsOn(getDb().database, fixedClock(day(31)));
    const job = purgeJob('a');
    const runKey = purgeRunKey(purgeSlot(day(31)));
    // The database refuses to delete activities for a while.
    await db().execute(sql.raw(`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$`));
    await db().execute(sql.raw(`create trigger refuse_delete before delete on activities for each row execute function refuse_delete()`));
    try {
      const [first] = await job.runDue(deps, day(31));
      expect(first).toMatchObject({ status: 'retry', runKey, error: expect.stringContaining('disk on fire') });
      expect((await rowsPerTable(GONE)).workspaces).toBe(1);
      // Within the retry delay: nothing; after it, tried again.
      deps.clock.set(day(31, 3, 10));
      expect(await job.runDue(deps, day(31, 3, 10))).toEqual([]);
      deps.clock.set(day(31, 3, 25));
      expect(await job.runDue(deps, day(31, 3, 25))).toMatchObject([{ status: 'retry' }]);
    } finally {
      await db().execute(sql.raw(`drop trigger refuse_delete on activities`));
      await db().execute(sql.raw(`drop function refuse_delete()`));
    }
    deps.clock.set(day(31, 3, 45));
    expect(await job.runDue(deps, day(31, 3, 45))).toMatchObject([{ status: 'done', detail: expect.stringMatching(/^purged 1 workspace/) }]);
    expect(await getRun(db(), runKey)).toMatchObject({ status: 'done', attempts: 3 });
    expect((await rowsPerTable(GONE)).workspaces).toBe(0);
  });
});

describe('reading the events', () => {
  it('a workspace install: the authorization’s team; an org-wide install: the enterprise', () => {
    expect(scopeOfEnvelope({ team_id: 'T1', authorizations: [{ enterprise_id: null, team_id: 'T1', is_enterprise_install: false }] })).toEqual({ enterpriseId: null, teamId: 'T1', isEnterpriseInstall: false });
    expect(scopeOfEnvelope({ team_id: 'T1', authorizations: [{ enterprise_id: 'E1', team_id: 'T1', is_enterprise_install: false }] })).toEqual({ enterpriseId: 'E1', teamId: 'T1', isEnterpriseInstall: false });
    expect(scopeOfEnvelope({ team_id: 'E1', enterprise_id: 'E1', authorizations: [{ enterprise_id: 'E1', team_id: null, is_enterprise_install: true }] })).toEqual({ enterpriseId: 'E1', teamId: null, isEnterpriseInstall: true });
    expect(scopeOfEnvelope({ team_id: 'T1' })).toEqual({ enterpriseId: null, teamId: 'T1', isEnterpriseInstall: false });
    expect(scopeOfEnvelope({})).toBeUndefined();
  });

  it('tokens_revoked counts as an uninstall only when the bot token went', () => {
    expect(botTokenRevoked({ type: 'tokens_revoked', tokens: { oauth: ['U1'], bot: ['UBOT'] } })).toBe(true);
    expect(botTokenRevoked({ type: 'tokens_revoked', tokens: { bot: ['UBOT'] } })).toBe(true);
    expect(botTokenRevoked({ type: 'tokens_revoked', tokens: { oauth: ['U1'] } })).toBe(false);
    expect(botTokenRevoked({ type: 'tokens_revoked', tokens: { oauth: ['U1'], bot: [] } })).toBe(false);
  });
});
