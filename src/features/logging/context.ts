import { and, eq } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { weekContaining, type WeekStart } from '../../periods/week.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, isFreshProfile, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { confirmationMessage } from './confirmation.blocks.js';
import type { ParseContext } from './parse.js';
import { activityTypes, users, workspaces } from '../../db/schema/index.js';
import { countActivities, CUSTOM_TYPE_COLUMNS, withCustomTypes, type Activity, type CustomTypeRow } from './queries.js';

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
    .select({ workspace: workspaces, user: users, type: CUSTOM_TYPE_COLUMNS })
    .from(workspaces)
    .leftJoin(users, and(eq(users.teamId, workspaces.teamId), eq(users.userId, userId)))
    .leftJoin(activityTypes, eq(activityTypes.teamId, workspaces.teamId))
    .where(eq(workspaces.teamId, teamId))
    .orderBy(activityTypes.id);
  const first = rows[0];
  const workspace = first && (first.workspace.name !== null || !teamName) ? first.workspace : await ensureWorkspace(deps.db, teamId, teamName);
  const stored = first?.user;
  const user = stored && isFreshProfile(stored, deps.clock.now()) ? stored : await getSlackUser(deps, client, teamId, userId);
  const types = withCustomTypes(rows.flatMap((r) => (r.type?.key ? [r.type as CustomTypeRow] : [])));
  return {
    workspace,
    user,
    types,
    parse: { types, now: deps.clock.now(), timeZone: user.timeZone, backdateDays: workspace.backdateDays },
  };
}

/** The confirmation for a stored (or edited) entry, with the user's running count for this week. */
export async function buildConfirmation(deps: Deps, lc: LoggingContext, activity: Activity, verb: 'Logged' | 'Updated' = 'Logged'): Promise<Message> {
  const now = deps.clock.now();
  const week = weekContaining(now, lc.user.timeZone, lc.workspace.weekStartsOn as WeekStart);
  const weekCount = await countActivities(deps.db, activity.teamId, activity.userId, activity.typeKey, week);
  return confirmationMessage({
    activity,
    type: lc.types.find((t) => t.key === activity.typeKey),
    weekCount,
    now,
    timeZone: lc.user.timeZone,
    verb,
  });
}
