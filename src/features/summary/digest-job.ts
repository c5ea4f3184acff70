/**
 * DM digests: each person's own numbers, by DM, at 16:00 on Friday (weekly, this week so far) or at 08:00
 * every day (daily, covering yesterday), in the person's OWN Slack time zone, exactly once per person and slot
 * across replicas and restarts (the delivery protocol of src/scheduler/deliveries.ts, as for scheduled leaderboards).
 *
 * Recipients, on every tick, all workspaces:
 * - people with an explicit 'weekly' or 'daily' row in digest_subscriptions;
 * - when the workspace's digest_default is 'weekly': every person Sales Pulse knows in that workspace (a row in
 *   `users`: anyone who used the bot or was looked up) who is not a bot, not deactivated and has no row of their
 *   own ('off' is an opt-out). "Everyone" means the people Sales Pulse knows: it does not page users.list.
 *
 * For each recipient (the lifecycle: grace window, claim, lease, retries, the "certainly not sent" rule and
 * completion, is the delivery protocol's, see src/scheduler/deliveries.ts):
 * 1. Due: the latest slot at `now` in their zone (users.time_zone, else the workspace default), DST-safe (the
 *    slot logic of scheduled leaderboards). Only the latest slot counts: after a long outage older ones are
 *    superseded. Not due when the slot is at or before the moment they subscribed (their row's updated_at, which
 *    only a change of their cadence moves; for the workspace default, the later of when the default last changed,
 *    workspaces.digest_default_since, which no other setting touches, and when Sales Pulse first saw the person):
 *    a new subscriber gets their first digest at the next slot, not an immediate catch-up for a past one.
 *    The run key is `digest:<team>:<user>:<cadence>:<slot ISO>`.
 * 2. Ready: the person is refreshed through users.info (a short cache age): deactivated people and bots are
 *    recorded `skipped` with the reason. If their time zone changed, the next tick works with the new one.
 * 3. Build: the stats for the slot's period, and the DM conversation (conversations.open posts nothing, so its
 *    failures are retried like any failure before sending).
 * 4. Send: the DM, through the posting client (retries off, 429s surfacing: slack/posting-client.ts), so a
 *    digest Slack took but answered late or with a 5xx is not sent twice by a client retry; the run fails instead.
 * Errors meaning no DM can ever reach the person (user_not_found, user_disabled, account_inactive,
 * cannot_dm_bot, missing_scope, token problems…) fail the run at once; nobody else to tell.
 *
 * Pacing: conversations.open is Tier 3 (about 50 a minute per workspace). Each process starts at most
 * `maxPerTick` digests (default 40) per tick, oldest slots first; the rest are due at the next tick, a minute
 * later, still within the grace window. So one process sends at most ~40 a minute (2,400 an hour) without
 * sleeping inside a tick (which would hold up the scheduled leaderboards of the same tick). Several replicas
 * may together exceed the Tier 3 rate for a moment: the reading client then waits Retry-After, the delivery
 * protocol waits out a 429 on the DM itself and gives the claim back past that, so a digest is delayed, never
 * dropped or doubled, by rate limits.
 */
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { digestSubscriptions, salesTeamMembers, salesTeams, users, workspaces } from '../../db/schema/index.js';
import type { Db } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { lastCompletePeriod, parsePeriod, type PeriodSettings } from '../../periods/parse-period.js';
import { defineDeliveryJob, type DueRun } from '../../scheduler/deliveries.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import { getSlackUser } from '../../slack/user-directory.js';
import type { BoardPeriod } from '../../periods/types.js';
import { latestSlot, nextSlot, type ScheduleTiming } from '../leaderboard/index.js';
import { loadTargetProgress } from '../targets/index.js';
import { defaultDigestSince } from './digest-subscriptions.js';
import { personalStatsMessage, type TargetProgressLine } from './stats.blocks.js';
import { loadPersonalStats } from './stats.js';

export const DIGEST_JOB = 'digest';
/** Digests one process starts per tick (see Pacing above). */
export const DEFAULT_MAX_PER_TICK = 40;
/** How fresh the person's profile must be before their digest (deactivation, time zone). */
export const RECIPIENT_MAX_AGE_MS = 15 * 60 * 1000;
/** Slackbot is not a bot by users.info, but gets no digest. */
const SLACKBOT = 'USLACKBOT';

export type DigestKind = 'weekly' | 'daily';

/** Slack errors meaning no DM can ever reach the person: the run fails at once (no retries, no one to tell). */
const UNDELIVERABLE = new Set([
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'account_inactive',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'missing_scope',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'team_not_found',
  'no_permission',
  'not_allowed_token_type',
  'ekm_access_denied',
]);

// ---------------------------------------------------------------------------------------------
// When digests are due (pure)

/**
 * `name` when it is an IANA zone this runtime knows, as given (Slack's name, e.g. Asia/Kolkata, which ICU's
 * canonical form would turn into Asia/Calcutta in what people read); else undefined.
 */
export function knownTimeZone(name: string | null | undefined): string | undefined {
  if (!name || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** The digest's local timing: Friday 16:00 (weekly) or every day at 08:00 (daily), in `timeZone`. */
export function digestTiming(cadence: DigestKind, timeZone: string): ScheduleTiming {
  return cadence === 'weekly' ? { cadence: 'weekly', weekday: 5, timeOfDay: '16:00', timeZone } : { cadence: 'daily', weekday: 0, timeOfDay: '08:00', timeZone };
}

/** The most recent digest slot at or before `now`, in the person's zone. */
export function latestDigestSlot(cadence: DigestKind, timeZone: string, now: Date): Date {
  return latestSlot(digestTiming(cadence, timeZone), now);
}

/** The first digest slot strictly after `now`, in the person's zone. */
export function nextDigestSlot(cadence: DigestKind, timeZone: string, now: Date): Date {
  return nextSlot(digestTiming(cadence, timeZone), now);
}

/** "Fridays at 16:00" / "every day at 08:00". */
export function describeDigestWhen(cadence: DigestKind): string {
  return cadence === 'weekly' ? 'Fridays at 16:00' : 'every day at 08:00';
}

export function digestRunKey(teamId: string, userId: string, cadence: DigestKind, slot: Date): string {
  return `${DIGEST_JOB}:${teamId}:${userId}:${cadence}:${slot.toISOString()}`;
}

/** What a digest at `slot` covers: weekly, this week so far (Monday to the Friday slot); daily, yesterday. */
export function digestPeriod(cadence: DigestKind, slot: Date, settings: PeriodSettings): BoardPeriod {
  if (cadence === 'daily') return lastCompletePeriod('daily', slot, settings);
  const parsed = parsePeriod('this week', slot, settings);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.period;
}

export function digestFooter(cadence: DigestKind): string {
  return `${cadence === 'weekly' ? 'Weekly' : 'Daily'} digest · \`/my-stats unsubscribe\` to stop`;
}

// ---------------------------------------------------------------------------------------------
// Who gets one

export interface DigestRecipient {
  teamId: string;
  userId: string;
  cadence: DigestKind;
  /** Valid IANA zone: the person's, else the workspace default, else UTC. */
  timeZone: string;
  /** No digest for a slot at or before this instant (subscribed, or the default turned on, or first seen). */
  since: Date | null;
  /** True for an explicit subscription, false for the workspace default. */
  explicit: boolean;
  weekStartsOn: number;
  fiscalYearStartMonth: number;
}

/**
 * The earliest time a member of a sales team whose digest default is 'weekly' has had it: the later of when the team's
 * default last changed and when they joined the team (null: never recorded). Null when no such team (SQL).
 */
const teamWeeklySince = sql`(select min(greatest(${salesTeams.digestDefaultSince}, ${salesTeamMembers.createdAt}))
  from ${salesTeamMembers} join ${salesTeams} on ${salesTeams.id} = ${salesTeamMembers.salesTeamId}
  where ${salesTeamMembers.teamId} = ${users.teamId} and ${salesTeamMembers.userId} = ${users.userId}
    and ${salesTeamMembers.role} = 'member' and ${salesTeams.digestDefault} = 'weekly')`;
/** The person is a member of a sales team with a digest default of its own (which then replaces the workspace's). */
const teamDefaultSet = sql`exists (select 1 from ${salesTeamMembers} join ${salesTeams} on ${salesTeams.id} = ${salesTeamMembers.salesTeamId}
  where ${salesTeamMembers.teamId} = ${users.teamId} and ${salesTeamMembers.userId} = ${users.userId}
    and ${salesTeamMembers.role} = 'member' and ${salesTeams.digestDefault} is not null)`;

/**
 * Whether a person with no choice of their own gets the weekly digest by default, and since when (undefined: they
 * do not). A sales team's own default replaces the workspace's for its members: weekly when any of their teams says
 * weekly (since the later of that team's change and their joining it), none when their teams all say off; the
 * workspace's default only for people in no team with a default of its own. Never before Sales Pulse first saw them.
 */
export function defaultWeeklySince(p: {
  workspaceDefault: 'off' | 'weekly';
  workspaceSince: Date | null;
  teamWeeklySince: Date | null;
  teamDefaultSet: boolean;
  joinedAt: Date | null;
}): Date | null | undefined {
  if (p.teamWeeklySince !== null) return defaultDigestSince(p.teamWeeklySince, p.joinedAt);
  if (p.teamDefaultSet || p.workspaceDefault !== 'weekly') return undefined;
  return defaultDigestSince(p.workspaceSince, p.joinedAt);
}

/**
 * Every recipient in every workspace: two queries (explicit subscriptions; the default: the workspace's, or a sales
 * team's for its members, see defaultWeeklySince).
 */
export async function loadDigestRecipients(db: Db): Promise<DigestRecipient[]> {
  const settings = {
    defaultTimeZone: workspaces.defaultTimeZone,
    weekStartsOn: workspaces.weekStartsOn,
    fiscalYearStartMonth: workspaces.fiscalYearStartMonth,
  };
  const [explicitRows, defaultRows] = await Promise.all([
    db
      .select({
        teamId: digestSubscriptions.teamId,
        userId: digestSubscriptions.userId,
        cadence: digestSubscriptions.cadence,
        subscribedAt: digestSubscriptions.updatedAt,
        timeZone: users.timeZone,
        ...settings,
      })
      .from(digestSubscriptions)
      // Nobody in an uninstalled workspace gets a digest (features/install/lifecycle.ts); they resume on reinstall.
      .innerJoin(workspaces, and(eq(workspaces.teamId, digestSubscriptions.teamId), isNull(workspaces.uninstalledAt)))
      .leftJoin(users, and(eq(users.teamId, digestSubscriptions.teamId), eq(users.userId, digestSubscriptions.userId)))
      .where(inArray(digestSubscriptions.cadence, ['weekly', 'daily'])),
    db
      .select({
        teamId: users.teamId,
        userId: users.userId,
        timeZone: users.timeZone,
        joinedAt: users.joinedAt,
        workspaceDefault: workspaces.digestDefault,
        defaultSince: workspaces.digestDefaultSince,
        teamWeeklySince: teamWeeklySince.mapWith(salesTeams.digestDefaultSince),
        teamDefaultSet: teamDefaultSet.mapWith(Boolean),
        ...settings,
      })
      .from(users)
      .innerJoin(workspaces, and(eq(workspaces.teamId, users.teamId), isNull(workspaces.uninstalledAt)))
      .leftJoin(digestSubscriptions, and(eq(digestSubscriptions.teamId, users.teamId), eq(digestSubscriptions.userId, users.userId)))
      .where(
        and(
          isNull(digestSubscriptions.userId),
          eq(users.deleted, false),
          eq(users.isBot, false),
          ne(users.userId, SLACKBOT),
          or(eq(workspaces.digestDefault, 'weekly'), sql`${teamWeeklySince} is not null`),
        ),
      ),
  ]);
  const zone = (own: string | null, fallback: string) => knownTimeZone(own) ?? knownTimeZone(fallback) ?? 'UTC';
  return [
    ...explicitRows.map((r) => ({
      teamId: r.teamId,
      userId: r.userId,
      cadence: r.cadence as DigestKind,
      timeZone: zone(r.timeZone, r.defaultTimeZone),
      since: r.subscribedAt,
      explicit: true,
      weekStartsOn: r.weekStartsOn,
      fiscalYearStartMonth: r.fiscalYearStartMonth,
    })),
    ...defaultRows.flatMap((r) => {
      const since = defaultWeeklySince({ workspaceDefault: r.workspaceDefault, workspaceSince: r.defaultSince, teamWeeklySince: r.teamWeeklySince, teamDefaultSet: r.teamDefaultSet, joinedAt: r.joinedAt });
      if (since === undefined) return [];
      return [
        {
          teamId: r.teamId,
          userId: r.userId,
          cadence: 'weekly' as const,
          timeZone: zone(r.timeZone, r.defaultTimeZone),
          since,
          explicit: false,
          weekStartsOn: r.weekStartsOn,
          fiscalYearStartMonth: r.fiscalYearStartMonth,
        },
      ];
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The job

export interface DigestJobOptions {
  /** The Web API client for a workspace's reads (users.info, conversations.open). */
  clientFor: (teamId: string) => Promise<webApi.WebClient>;
  /** The client for a workspace's posts (the DM): retries off (slack/posting-client.ts). */
  postingClientFor: (teamId: string) => Promise<webApi.WebClient>;
  /** Recorded as claimed_by. */
  claimedBy: string;
  graceMs?: number;
  leaseMs?: number;
  maxPerTick?: number;
}

interface DueDigest extends DueRun {
  recipient: DigestRecipient;
}

interface BuiltDigest {
  /** The posting client. */
  client: webApi.WebClient;
  /** The DM conversation. */
  channel: string;
  message: ReturnType<typeof personalStatsMessage>;
}

export function createDigestJob(options: DigestJobOptions): ScheduledJob {
  return defineDeliveryJob<DueDigest, BuiltDigest, Deps>({
    name: DIGEST_JOB,
    noun: 'digest',
    verb: 'sent',
    claimedBy: options.claimedBy,
    graceMs: options.graceMs,
    leaseMs: options.leaseMs,
    maxPerTick: options.maxPerTick ?? DEFAULT_MAX_PER_TICK,
    permanentErrors: UNDELIVERABLE,

    async listDue(deps, now) {
      const due: DueDigest[] = [];
      for (const recipient of await loadDigestRecipients(deps.db)) {
        let slot: Date;
        try {
          slot = latestDigestSlot(recipient.cadence, recipient.timeZone, now);
        } catch (error) {
          deps.logger.error({ err: error, teamId: recipient.teamId, userId: recipient.userId, timeZone: recipient.timeZone }, 'cannot compute a digest slot; ignoring this recipient');
          continue;
        }
        // Subscribed (or first seen, or the default turned on) at or after this slot: the first digest is a later one.
        if (recipient.since && slot.getTime() <= recipient.since.getTime()) continue;
        due.push({ runKey: digestRunKey(recipient.teamId, recipient.userId, recipient.cadence, slot), teamId: recipient.teamId, slotAt: slot, recipient });
      }
      return due;
    },
    describe: ({ recipient: r }) => `<@${r.userId}> (${r.teamId}, ${r.cadence})`,
    logFields: ({ recipient: r }) => ({ userId: r.userId, cadence: r.cadence }),

    /** The person, refreshed: deactivated people and bots get none; a new time zone means a new slot. */
    async ready({ recipient: r, slotAt }, { deps, now, log }) {
      const person = await getSlackUser(deps, await options.clientFor(r.teamId), r.teamId, r.userId, { maxAgeMs: RECIPIENT_MAX_AGE_MS });
      if (person.deleted) return { skip: 'skipped: the person is deactivated' };
      if (person.isBot || r.userId === SLACKBOT) return { skip: 'skipped: a bot gets no digest' };
      const zone = knownTimeZone(person.timeZone);
      if (zone && zone !== r.timeZone && latestDigestSlot(r.cadence, zone, now).getTime() !== slotAt.getTime()) {
        // They moved time zones: the next tick computes their slot in the new zone (now cached).
        log.info({ from: r.timeZone, to: zone }, 'recipient changed time zone; rescheduling their digest');
        return 'later';
      }
      return 'go';
    },

    async build({ recipient: r, slotAt: slot }, { deps, log }) {
      const client = await options.clientFor(r.teamId);
      const settings: PeriodSettings = {
        timeZone: r.timeZone,
        weekStartsOn: r.weekStartsOn as PeriodSettings['weekStartsOn'],
        fiscalYearStartMonth: r.fiscalYearStartMonth,
      };
      const period = digestPeriod(r.cadence, slot, settings);
      const stats = await loadPersonalStats(deps, client, { teamId: r.teamId, userId: r.userId, period });
      // Target pace is about the running target period: shown when the digest's period is still running at the slot.
      const running = slot.getTime() >= period.current.start.getTime() && slot.getTime() < period.current.end.getTime();
      let progress: ReadonlyArray<TargetProgressLine> = [];
      if (running) {
        try {
          progress = await loadTargetProgress(deps, { teamId: r.teamId, userId: r.userId, now: slot, timeZone: r.timeZone });
        } catch (error) {
          log.warn({ err: error }, 'could not load target progress for the digest; sending it without');
        }
      }
      const summary = personalStatsMessage(stats, progress, { footer: digestFooter(r.cadence) });
      // The DM conversation: opening it posts nothing, so it belongs before the send.
      const opened = await client.conversations.open({ users: r.userId });
      if (!opened.channel?.id) throw new Error('conversations.open returned no channel');
      return { client: await options.postingClientFor(r.teamId), channel: opened.channel.id, message: { ...summary, text: `Your ${r.cadence} Sales Pulse digest. ${summary.text}` } };
    },
    async send(_due, { client, channel, message }) {
      const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
      return { messageTs: posted.ts };
    },
  });
}
