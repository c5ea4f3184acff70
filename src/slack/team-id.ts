/**
 * The workspace an interaction (block action, view submission, shortcut) came from. `team` is null for an app
 * installed org-wide on Enterprise Grid; the user's `team_id` names the workspace then.
 */
interface InteractionBody {
  type: string;
  team?: { id: string } | null;
  user: { team_id?: string };
}

/** The interaction's team id, or undefined when the payload names none. */
export function teamIdOf(body: InteractionBody): string | undefined {
  return body.team?.id ?? body.user.team_id;
}

/** The interaction's team id; throws (to the app's error handler) when the payload names none. */
export function requireTeamId(body: InteractionBody): string {
  const teamId = teamIdOf(body);
  if (!teamId) throw new Error(`${body.type} without a team id`);
  return teamId;
}
