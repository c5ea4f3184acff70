import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { weekContaining, type WeekStart } from '../../periods/week.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { confirmationMessage } from './confirmation.blocks.js';
import type { ParseContext } from './parse.js';
import { countActivities, loadActivityTypes, type Activity } from './queries.js';

/** Everything a logging handler needs to know about who is asking, read once per request. */
export interface LoggingContext {
  workspace: WorkspaceSettings;
  user: SlackUser;
  types: ActivityTypeDef[];
  parse: ParseContext;
}

export async function loadLoggingContext(
  deps: Deps,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
  teamName?: string,
): Promise<LoggingContext> {
  const workspace = await ensureWorkspace(deps.db, teamId, teamName);
  const [user, types] = await Promise.all([getSlackUser(deps, client, teamId, userId), loadActivityTypes(deps.db, teamId)]);
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
