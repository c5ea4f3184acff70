/**
 * The retention purge: once a day, every workspace uninstalled more than RETENTION_DAYS ago (and not reinstalled
 * since) loses every row it has, in every table that has a `team_id`, the workspace row last.
 *
 * Exactly once a day: the day's run purges what was past the retention period at its slot (03:00 UTC), and it
 * claims `retention-purge:<YYYY-MM-DD>` in scheduled_runs (runs.ts) before any work, so of any number of processes
 * ticking, one runs it, and it is caught up by the first tick after a downtime (until the next day's slot). A day
 * with nothing to purge costs each tick one small read and records nothing (no run row, no outcome): that answer
 * cannot change during the day, since a workspace only ever gets a newer uninstall time (or none, reinstalled). It uses the claims directly rather than the delivery protocol
 * (deliveries.ts): that protocol is built around one send that may or may not have reached Slack, with rate-limit
 * waits and "a miss beats a double"; a purge sends nothing and is idempotent (running it twice deletes nothing
 * more), so a failure simply gives the claim back for a later tick (PURGE_RETRY_MS), and the outcome carries the
 * row counts, which the protocol's outcome has no room for.
 *
 * Bounded work: at most `maxWorkspacesPerRun` workspaces a run (the rest the next day), and each workspace's big
 * tables are drained in batches of `batchRows` rows, one short statement each (index range scans on team_id),
 * between which other queries run (PGlite runs them all on one thread; a million-row DELETE would hold it, and on
 * PostgreSQL hold a snapshot, for minutes). Then one transaction locks the workspace row, checks again that it is
 * still uninstalled past the retention period, and deletes what is left, child tables first, the workspace row
 * last: a workspace is gone entirely or still there. A reinstall that lands while its batches run stops them; the
 * rows already deleted stay deleted (the retention period was over).
 *
 * Every table with a team_id must be in PURGE_STEPS: a test compares them with the schema and the database.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { resultRows } from '../../db/client.js';
import { claimRun, completeRun, failRun, findRuns, isClaimable, keepClaimAlive, releaseRun } from '../../scheduler/runs.js';
import type { RunOutcome, ScheduledJob } from '../../scheduler/scheduler.js';

export const RETENTION_PURGE_JOB = 'retention-purge';
/** The daily slot, in UTC: a quiet hour for most of the world's working days. */
export const PURGE_HOUR_UTC = 3;
export const DEFAULT_MAX_WORKSPACES_PER_RUN = 100;
export const DEFAULT_BATCH_ROWS = 5_000;
/** A failed run is given back for this long, then a later tick of the same day tries again. */
export const PURGE_RETRY_MS = 15 * 60_000;
/** Claims of one day's run before a failure is final for that day (tomorrow's run starts afresh). */
export const PURGE_MAX_ATTEMPTS = 3;
/** How long the claim is trusted without renewal (renewed every third of it while the purge runs). */
export const PURGE_LEASE_MS = 10 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * One table's rows of a workspace. `keys`: a subquery of at most `limit` of its rows' ctids (for the batches);
 * `rest`: every row left (in the final transaction). Both start from an index on team_id (or the deal's).
 */
interface PurgeStep {
  table: string;
  keys(teamId: string, limit: number): SQL;
  rest(teamId: string): SQL;
}

function byTeam(table: string): PurgeStep {
  const t = sql.identifier(table);
  return {
    table,
    keys: (teamId, limit) => sql`select ctid from ${t} where team_id = ${teamId} limit ${limit}`,
    rest: (teamId) => sql`delete from ${t} where team_id = ${teamId}`,
  };
}

/**
 * Every table with a team_id, in an order that respects the foreign keys (children before parents, the workspace
 * row last). deal_celebrations has no index on team_id: its rows are found through their deals'.
 */
export const PURGE_STEPS: readonly PurgeStep[] = [
  {
    table: 'deal_celebrations',
    keys: (teamId, limit) => sql`select c.ctid from deal_celebrations c join deals d on d.id = c.deal_id where d.team_id = ${teamId} limit ${limit}`,
    rest: (teamId) => sql`delete from deal_celebrations c using deals d where d.id = c.deal_id and d.team_id = ${teamId}`,
  },
  byTeam('webhook_receipts'),
  byTeam('activities'),
  byTeam('deals'),
  byTeam('audit_log'),
  byTeam('scheduled_runs'),
  byTeam('digest_subscriptions'),
  byTeam('users'),
  byTeam('targets'),
  byTeam('leaderboard_schedules'),
  byTeam('sales_team_members'),
  byTeam('sales_teams'),
  byTeam('admin_grants'),
  byTeam('exchange_rates'),
  byTeam('activity_type_settings'),
  byTeam('activity_types'),
  byTeam('webhook_secrets'),
  byTeam('slack_installations'),
  byTeam('workspaces'),
];

/** Rows deleted, per table. */
export type PurgeCounts = Record<string, number>;

export interface PurgedWorkspace {
  teamId: string;
  /** False when it was reinstalled meanwhile (its batches stopped; the workspace stays). */
  purged: boolean;
  counts: PurgeCounts;
}

export interface PurgeReport {
  workspaces: PurgedWorkspace[];
  /** Workspaces past their retention period left for the next run (the per-run bound). */
  left: number;
  /** The run stopped early (shutdown); the rest is for a later run. */
  interrupted: boolean;
}

export interface PurgeOptions {
  maxWorkspacesPerRun?: number;
  batchRows?: number;
  signal?: AbortSignal;
}

type PurgeDeps = Pick<Deps, 'db' | 'logger' | 'config'>;

/** Uninstalled before this instant: past the retention period at `now`. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** The day's purge slot the tick at `now` belongs to: today's PURGE_HOUR_UTC once it has passed, else yesterday's. */
export function purgeSlot(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), PURGE_HOUR_UTC);
  return new Date(now.getTime() >= today ? today : today - DAY_MS);
}

export function purgeRunKey(slot: Date): string {
  return `${RETENTION_PURGE_JOB}:${slot.toISOString().slice(0, 10)}`;
}

/** Workspaces uninstalled before `cutoff` and still uninstalled, longest gone first. */
async function expiredWorkspaces(db: Deps['db'], cutoff: Date, limit: number): Promise<string[]> {
  const rows = resultRows<{ team_id: string }>(
    await db.execute(sql`select team_id from workspaces where uninstalled_at < ${cutoff.toISOString()} order by uninstalled_at, team_id limit ${limit}`),
  );
  return rows.map((r) => r.team_id);
}

async function stillExpired(db: Deps['db'], teamId: string, cutoff: Date): Promise<boolean> {
  const rows = resultRows(await db.execute(sql`select 1 from workspaces where team_id = ${teamId} and uninstalled_at < ${cutoff.toISOString()}`));
  return rows.length > 0;
}

function count(rows: unknown): number {
  const [row] = resultRows<{ n: number | string }>(rows);
  return Number(row?.n ?? 0);
}

/** The innermost cause's message: drizzle wraps the database's error in "Failed query: <the SQL>". */
function rootMessage(error: unknown): string {
  let cur = error as { message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; cur?.cause && depth < 5; depth++) cur = cur.cause as typeof cur;
  return typeof cur?.message === 'string' ? cur.message : String(error);
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Purge one workspace if it is still uninstalled since before `cutoff`: its big tables in batches, then the rest
 * and the workspace row in one transaction. Safe to run again (and in two processes at once: the loser deletes
 * nothing more).
 */
export async function purgeWorkspace(db: Deps['db'], teamId: string, cutoff: Date, opts: { batchRows?: number; signal?: AbortSignal } = {}): Promise<PurgedWorkspace> {
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  const counts: PurgeCounts = {};
  const add = (table: string, n: number) => {
    if (n > 0) counts[table] = (counts[table] ?? 0) + n;
  };
  // 1. Batches: each a short statement of its own; the workspace row (the last step) is left for the transaction.
  for (const step of PURGE_STEPS.slice(0, -1)) {
    for (;;) {
      if (opts.signal?.aborted || !(await stillExpired(db, teamId, cutoff))) return { teamId, purged: false, counts };
      const table = sql.identifier(step.table);
      const n = count(
        await db.execute(sql`with gone as (delete from ${table} where ctid = any(array(${step.keys(teamId, batchRows)})) returning 1) select count(*)::int as n from gone`),
      );
      add(step.table, n);
      if (n < batchRows) break;
      await yieldToOthers();
    }
  }
  // 2. One transaction: still expired (the row locked, so a reinstall waits for us or we see it), what is left, then the row.
  const purged = await db.transaction(async (tx) => {
    const locked = resultRows(await tx.execute(sql`select 1 from workspaces where team_id = ${teamId} and uninstalled_at < ${cutoff.toISOString()} for update`));
    if (locked.length === 0) return false;
    for (const step of PURGE_STEPS) {
      add(step.table, count(await tx.execute(sql`with gone as (${step.rest(teamId)} returning 1) select count(*)::int as n from gone`)));
    }
    return true;
  });
  return { teamId, purged, counts };
}

/** Purge every workspace past its retention period at `asOf`, at most `maxWorkspacesPerRun` of them. */
export async function purgeExpiredWorkspaces(deps: PurgeDeps, asOf: Date, opts: PurgeOptions = {}): Promise<PurgeReport> {
  const max = opts.maxWorkspacesPerRun ?? DEFAULT_MAX_WORKSPACES_PER_RUN;
  const cutoff = retentionCutoff(asOf, deps.config.RETENTION_DAYS);
  const expired = await expiredWorkspaces(deps.db, cutoff, max + 1);
  const report: PurgeReport = { workspaces: [], left: Math.max(0, expired.length - max), interrupted: false };
  for (const teamId of expired.slice(0, max)) {
    if (opts.signal?.aborted) {
      report.interrupted = true;
      break;
    }
    const result = await purgeWorkspace(deps.db, teamId, cutoff, { batchRows: opts.batchRows, signal: opts.signal });
    if (!result.purged && opts.signal?.aborted) report.interrupted = true;
    report.workspaces.push(result);
    deps.logger.info({ job: RETENTION_PURGE_JOB, teamId, purged: result.purged, counts: result.counts }, result.purged ? 'uninstalled workspace purged after the retention period' : 'workspace purge stopped (reinstalled, or shutting down)');
  }
  return report;
}

/** The report in a line: `purged 2 workspaces (T1, T2): activities 1200, deals 14, …`. */
export function describePurge(report: PurgeReport): string {
  const purged = report.workspaces.filter((w) => w.purged);
  const totals: PurgeCounts = {};
  for (const w of report.workspaces) for (const [table, n] of Object.entries(w.counts)) totals[table] = (totals[table] ?? 0) + n;
  const rows = Object.entries(totals)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
  let text = purged.length === 0 ? 'no workspace past its retention period' : `purged ${purged.length} workspace${purged.length === 1 ? '' : 's'} (${purged.map((w) => w.teamId).join(', ')})`;
  if (rows) text += `: ${rows}`;
  const stopped = report.workspaces.filter((w) => !w.purged).length;
  if (stopped > 0) text += `; ${stopped} stopped (reinstalled or shutting down)`;
  if (report.left > 0) text += `; ${report.left}+ left for the next run`;
  return text;
}

export interface RetentionPurgeJobOptions {
  /** Recorded as claimed_by (host:pid:instance). */
  claimedBy: string;
  maxWorkspacesPerRun?: number;
  batchRows?: number;
}

export interface RetentionPurgeJob extends ScheduledJob {
  runDue(deps: Deps, now: Date, signal?: AbortSignal): Promise<RunOutcome[]>;
}

/** The daily purge as a ScheduledJob: claimed per day in scheduled_runs, so one process runs each day's. */
export function createRetentionPurgeJob(options: RetentionPurgeJobOptions): RetentionPurgeJob {
  return {
    name: RETENTION_PURGE_JOB,
    async runDue(deps: Deps, now: Date, signal?: AbortSignal): Promise<RunOutcome[]> {
      const slotAt = purgeSlot(now);
      const runKey = purgeRunKey(slotAt);
      if ((await expiredWorkspaces(deps.db, retentionCutoff(slotAt, deps.config.RETENTION_DAYS), 1)).length === 0) return [];
      // Read first: most ticks find the day's run done, and a read takes no lock (a claim attempt would).
      const wall = deps.clock.now();
      const row = (await findRuns(deps.db, [runKey])).get(runKey);
      if (!isClaimable(row, wall)) return [];
      const attempt = (row?.attempts ?? 0) + 1;
      const claimedBy = options.claimedBy;
      if (!(await claimRun(deps.db, { runKey, job: RETENTION_PURGE_JOB, teamId: null, slotAt, claimedBy, leaseMs: PURGE_LEASE_MS, now: wall }))) return [];
      const log = deps.logger.child({ job: RETENTION_PURGE_JOB, runKey });
      const stopRenewing = keepClaimAlive(deps.db, runKey, {
        claimedBy,
        leaseMs: PURGE_LEASE_MS,
        now: () => deps.clock.now(),
        onLost: () => log.warn('the purge claim was taken over (this process stalled past its lease); the purge is idempotent'),
        onError: (error) => log.warn({ err: error }, 'could not renew the purge claim'),
      });
      const base = { job: RETENTION_PURGE_JOB, runKey, teamId: null, slotAt };
      try {
        const report = await purgeExpiredWorkspaces(deps, slotAt, { maxWorkspacesPerRun: options.maxWorkspacesPerRun, batchRows: options.batchRows, signal });
        const detail = describePurge(report) + (report.interrupted ? '; interrupted by shutdown, the rest tomorrow' : '');
        await completeRun(deps.db, runKey, { claimedBy, now: deps.clock.now() });
        log.info({ workspaces: report.workspaces.length, left: report.left }, `retention purge: ${detail}`);
        return [{ ...base, status: 'done', detail }];
      } catch (error) {
        const reason = rootMessage(error);
        if (attempt >= PURGE_MAX_ATTEMPTS) {
          log.error({ err: error, attempt }, 'retention purge failed again; giving up until tomorrow (it is idempotent)');
          await failRun(deps.db, runKey, { claimedBy, error: reason, now: deps.clock.now() }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed purge'));
          return [{ ...base, status: 'failed', detail: `retention purge failed: ${reason}; tomorrow's run tries again`, error: reason }];
        }
        const retryAt = new Date(deps.clock.now().getTime() + PURGE_RETRY_MS);
        log.error({ err: error, attempt, retryAt }, 'retention purge failed; a later tick tries again (it is idempotent)');
        await releaseRun(deps.db, runKey, { claimedBy, error: reason, retryAt }).catch((e: unknown) => log.error({ err: e }, 'could not give the purge run back'));
        return [{ ...base, status: 'retry', detail: `retention purge failed: ${reason}; retrying after ${retryAt.toISOString()}`, error: reason }];
      } finally {
        stopRenewing();
      }
    },
  };
}
