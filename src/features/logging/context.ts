import { and, eq } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { inRange, weekContaining, type Range, type WeekStart } from '../../periods/week.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, isFreshProfile, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { confirmationMessage, loggedForYouMessage } from './confirmation.blocks.js';
import type { ParseContext } from './parse.js';
import { activityTypes, users, workspaces } from '../../db/schema/index.js';
import { countActivities, CUSTOM_TYPE_COLUMNS, TYPE_SETTINGS_JSON, typeSettingsFromJson, findActivityByKey, insertActivityReturningSum, withCustomTypes, type Activity, type CustomTypeRow, type NewActivity } from './queries.js';
import { beforeDeadline, statementBefore } from '../../db/commit-before.js';
import { toNumber } from '../../metrics/index.js';
import type { InFlight } from '../../lib/in-flight.js';
import { tellRep } from '../../entries/on-behalf.js';

/** Everything a logging handler needs to know about who is asking, read once per request. */
export interface LoggingContext {
  workspace: WorkspaceSettings;
  user: SlackUser;
  types: ActivityTypeDef[];
  parse: ParseContext;
}

/**
 * The workspace, the person and the activity types, read in one round trip on every command (the hot path): the
 * workspace row joined with the person's stored profile and the workspace's own types. Only what that cannot answer
 * goes the long way: a workspace seen for the first time (or whose name is new), a person not stored or stored too
 * long ago (users.info, see getSlackUser).
 */
export async function loadLoggingContext(
  deps: Deps,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
  teamName?: string,
): Promise<LoggingContext> {
  const rows = await deps.db
    .select({ workspace: workspaces, user: users, type: CUSTOM_TYPE_COLUMNS, typeSettings: TYPE_SETTINGS_JSON })
    .from(workspaces)
    .leftJoin(users, and(eq(users.teamId, workspaces.teamId), eq(users.userId, userId)))
    .leftJoin(activityTypes, eq(activityTypes.teamId, workspaces.teamId))
    .where(eq(workspaces.teamId, teamId))
    .orderBy(activityTypes.id);
  const first = rows[0];
  const workspace = first && (first.workspace.name !== null || !teamName) ? first.workspace : await ensureWorkspace(deps.db, teamId, teamName);
  const stored = first?.user;
  const user = stored && isFreshProfile(stored, deps.clock.now()) ? stored : await getSlackUser(deps, client, teamId, userId);
  const types = withCustomTypes(
    rows.flatMap((r) => (r.type?.key ? [r.type as CustomTypeRow] : [])),
    typeSettingsFromJson(first?.typeSettings),
  );
  return {
    workspace,
    user,
    types,
    parse: { types, now: deps.clock.now(), timeZone: user.timeZone, backdateDays: workspace.backdateDays },
  };
}

/**
 * How long a slash command may reuse the logging context another command of the same person read (workspace
 * settings, their profile, the activity types): a second. A burst (a rep pasting commands, a busy team under load)
 * reads it once instead of once per command, and a change shows within a second. The modal and the buttons always
 * read afresh.
 */
export const LOGGING_CONTEXT_KEEP_MS = 1000;

/**
 * loadLoggingContext, shared by one person's slash commands: those arriving while it is read get that read, and
 * those within LOGGING_CONTEXT_KEEP_MS after it the same result (see InFlight); a read still running after that long
 * is no longer joined (one stuck on a silent connection must not hold the person's later commands). `parse.now` is
 * each caller's own.
 */
export async function loadSharedLoggingContext(
  contexts: InFlight<LoggingContext>,
  deps: Deps,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
  teamName?: string,
): Promise<LoggingContext> {
  const lc = await contexts.run(`${teamId}\n${userId}\n${teamName ?? ''}`, () => loadLoggingContext(deps, client, teamId, userId, teamName));
  return { ...lc, parse: { ...lc.parse, now: deps.clock.now() } };
}

/** The person's current week, where the confirmation's running count is taken. */
function confirmationWeek(deps: Deps, lc: LoggingContext): Range {
  return weekContaining(deps.clock.now(), lc.user.timeZone, lc.workspace.weekStartsOn as WeekStart);
}

function confirmationFor(deps: Deps, lc: LoggingContext, activity: Activity, weekCount: number, verb: 'Logged' | 'Updated', viewerId?: string): Message {
  return confirmationMessage({
    activity,
    type: lc.types.find((t) => t.key === activity.typeKey),
    weekCount,
    now: deps.clock.now(),
    timeZone: lc.user.timeZone,
    verb,
    viewerId,
  });
}

/**
 * The confirmation for a stored (or edited) entry, with its owner's running count for this week (`lc` is the
 * owner's context). `viewerId`: who reads it, when that may be someone who logged it on the owner's behalf.
 */
export async function buildConfirmation(deps: Deps, lc: LoggingContext, activity: Activity, verb: 'Logged' | 'Updated' = 'Logged', viewerId?: string): Promise<Message> {
  const weekCount = await countActivities(deps.db, activity.teamId, activity.userId, activity.typeKey, confirmationWeek(deps, lc));
  return confirmationFor(deps, lc, activity, weekCount, verb, viewerId);
}

/** The DM telling the owner (`lc` is theirs) that someone else logged `activity` for them, with their week's count. */
export async function buildLoggedForYou(deps: Deps, lc: LoggingContext, activity: Activity, loggedBy: string): Promise<Message> {
  const weekCount = await countActivities(deps.db, activity.teamId, activity.userId, activity.typeKey, confirmationWeek(deps, lc));
  return loggedForYouMessage({
    activity,
    type: lc.types.find((t) => t.key === activity.typeKey),
    weekCount,
    now: deps.clock.now(),
    timeZone: lc.user.timeZone,
    loggedBy,
  });
}

/**
 * Store a new entry, committed before `deadline` or not at all (DeadlineExceeded), and build its confirmation. The
 * hot path: one statement stores the entry and reads the week's count as it was before it (see
 * insertActivityReturningSum), so a command costs one round trip. An entry whose idempotency key is already stored
 * (Slack redelivering a command) is answered with the stored one.
 */
export async function storeActivity(deps: Deps, lc: LoggingContext, row: NewActivity, deadline: number): Promise<{ activity: Activity; created: boolean; answer: Message }> {
  const week = confirmationWeek(deps, lc);
  // Logged on someone's behalf (`lc` is then the owner's): the confirmation, read by who logged it, says whose.
  const viewer = row.loggedBy ?? row.userId;
  const [inserted] = await statementBefore(deps.db, deadline, insertActivityReturningSum(row, week));
  if (inserted) {
    const { before, ...activity } = inserted;
    const weekCount = toNumber(before) + (inRange(activity.occurredAt, week) ? activity.quantity : 0);
    return { activity, created: true, answer: confirmationFor(deps, lc, activity, weekCount, 'Logged', viewer) };
  }
  const existing = await beforeDeadline(deadline, findActivityByKey(deps.db, row.teamId, row.idempotencyKey));
  if (!existing) throw new Error(`activity with idempotency key ${row.idempotencyKey} neither inserted nor found`);
  return { activity: existing, created: false, answer: await beforeDeadline(deadline, buildConfirmation(deps, lc, existing, 'Logged', viewer)) };
}

/**
 * Tell the owner of an activity someone logged on their behalf (`lc` is the owner's context), by DM through the
 * posting client. Never throws: the entry is stored and confirmed to who logged it; a failure is logged.
 */
export async function tellRepAboutActivity(deps: Deps, lc: LoggingContext, activity: Activity): Promise<void> {
  if (!activity.loggedBy || activity.loggedBy === activity.userId) return;
  let message: Message;
  try {
    message = await buildLoggedForYou(deps, lc, activity, activity.loggedBy);
  } catch (err) {
    deps.logger.warn({ err, userId: activity.userId }, 'could not build the DM telling a rep about an activity logged for them');
    return;
  }
  await tellRep(deps, activity.teamId, activity.userId, message);
}
