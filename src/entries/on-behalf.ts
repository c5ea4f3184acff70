/**
 * Logging on someone's behalf: a manager logs an activity or a deal for one of their reps (an admin, for anyone).
 * The entry is the rep's (`user_id`) and remembers who logged it (`logged_by`). Shared by the activity and the deal
 * commands and forms: the leading mention, the permission check (on the server, every time, never from a payload),
 * the "On behalf of" field's value, and the DM that tells the rep.
 */
import type { webApi } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { adminGrants, salesTeamMembers } from '../db/schema/index.js';
import type { Deps } from '../deps.js';
import { loadRole, managesPerson } from '../org/index.js';
import type { Message } from '../slack/blocks.js';
import { sendDirectMessage } from '../slack/deliver.js';
import { sendThroughRateLimits } from '../slack/posting-client.js';
import { escapeMrkdwn } from '../slack/text.js';
import { isWorkspaceAdmin, PERMISSION_CHECK_UNAVAILABLE_TEXT, type SlackUser } from '../slack/user-directory.js';

/** Where a form's "On behalf of" field is, in whichever form carries it. */
export interface OnBehalfField {
  blockId: string;
  actionId: string;
}

const LEADING_MENTION = /^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>(?:\s+|$)/;

/**
 * A command's text split at a leading user mention, as Slack sends it with should_escape (`<@U123|ana>`) or without
 * a name (`<@U123>`): `{ userId, rest }`, or `{ rest: text }` when the text does not start with one. A mention
 * elsewhere stays part of the text (an account word). Pure; a text without `<@` at its start costs one regex test.
 */
export function splitLeadingMention(text: string): { userId?: string; rest: string } {
  const m = LEADING_MENTION.exec(text);
  if (!m) return { rest: text };
  return { userId: m[1]!, rest: text.slice(m[0].length) };
}

/** `<@U123>` for a Slack user id (Slack shows the person's name); anything else escaped, never a control sequence. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** Why someone may not log for another person, as a command's answer (mrkdwn) and under a form's field (plain). */
export interface Refusal {
  mrkdwn: string;
  plain: string;
}

/** Thrown inside a command's handling when its author may not log for the person named: answered, nothing stored. */
export class OnBehalfRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super('refused: may not log on that person’s behalf');
    this.name = 'OnBehalfRefused';
  }
}

const NOTHING_STORED = 'Nothing was stored.';

export const REP_REFUSAL: Refusal = {
  mrkdwn: `:lock: You can log only your own activities and deals: logging for someone else is for their team’s manager or a Sales Pulse admin. ${NOTHING_STORED}`,
  plain: 'You can log only for yourself: logging for someone else is for their team’s manager or a Sales Pulse admin.',
};

export function notYourRepRefusal(repId: string): Refusal {
  return {
    mrkdwn: `:lock: ${mention(repId)} isn’t in a team you manage, so you can’t log for them. ${NOTHING_STORED}`,
    plain: 'This person isn’t in a team you manage, so you can’t log for them.',
  };
}

export const PERMISSION_UNAVAILABLE_REFUSAL: Refusal = {
  mrkdwn: PERMISSION_CHECK_UNAVAILABLE_TEXT,
  plain: 'Sales Pulse couldn’t check your permissions with Slack just now, so nothing was saved. Please try again in a minute.',
};

function notAPersonRefusal(repId: string): Refusal {
  return {
    mrkdwn: `:warning: ${mention(repId)} is a bot or a deactivated account: entries are logged for people. ${NOTHING_STORED}`,
    plain: 'That is a bot or a deactivated account: entries are logged for people.',
  };
}

/**
 * May `actorId` log for `repId`? Undefined when they may; else why not. Admins may log for anyone, managers for the
 * members of the teams they manage, nobody else for anyone but themselves. Their role is read now (loadRole): a
 * Slack that cannot confirm it refuses (fails closed).
 */
export async function onBehalfRefusal(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'users'>,
  client: webApi.WebClient,
  teamId: string,
  actorId: string,
  repId: string,
): Promise<Refusal | undefined> {
  if (actorId === repId) return undefined;
  const role = await loadRole(deps, client, teamId, actorId);
  if (!role) return PERMISSION_UNAVAILABLE_REFUSAL;
  if (role.kind === 'rep') return REP_REFUSAL;
  if (!(await managesPerson(deps.db, teamId, role, repId))) return notYourRepRefusal(repId);
  return undefined;
}

/** Entries are logged for people: a bot or a deactivated account (as far as their profile says) is refused. */
export function repProfileRefusal(rep: SlackUser): Refusal | undefined {
  return rep.isBot || rep.deleted ? notAPersonRefusal(rep.userId) : undefined;
}

/**
 * Whether the forms show someone the "On behalf of" field: a Slack admin or owner (their profile as stored), a
 * granted admin, or a manager of a team. Only what the form looks like: a submission is checked with
 * onBehalfRefusal whatever it carries.
 */
export async function mayLogForOthers(db: Db, teamId: string, user: SlackUser): Promise<boolean> {
  if (isWorkspaceAdmin(user)) return true;
  const [grant] = await db
    .select({ userId: adminGrants.userId })
    .from(adminGrants)
    .where(and(eq(adminGrants.teamId, teamId), eq(adminGrants.userId, user.userId)))
    .limit(1);
  if (grant) return true;
  const [managed] = await db
    .select({ userId: salesTeamMembers.userId })
    .from(salesTeamMembers)
    .where(and(eq(salesTeamMembers.teamId, teamId), eq(salesTeamMembers.userId, user.userId), eq(salesTeamMembers.role, 'manager')))
    .limit(1);
  return Boolean(managed);
}

/**
 * The person picked in a submitted form's "On behalf of" field (a users_select: `selected_user`), read from the raw
 * state whether or not the form showed the field (a forged submission may carry it). Undefined when none.
 */
export function pickedUser(values: unknown, field: OnBehalfField): string | undefined {
  const state = (values as Record<string, Record<string, { selected_user?: unknown }> | undefined> | null | undefined)?.[field.blockId]?.[field.actionId];
  const user = state?.selected_user;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

/** The "On behalf of" field of a form (optional users_select), preselecting `initialUser` when given. */
export function onBehalfBlock(field: OnBehalfField, initialUser?: string) {
  return {
    type: 'input' as const,
    block_id: field.blockId,
    optional: true,
    label: { type: 'plain_text' as const, text: 'On behalf of' },
    hint: { type: 'plain_text' as const, text: 'Leave empty to log for yourself. You can log for the members of the teams you manage.' },
    element: {
      type: 'users_select' as const,
      action_id: field.actionId,
      placeholder: { type: 'plain_text' as const, text: 'Pick a rep' },
      ...(initialUser ? { initial_user: initialUser } : {}),
    },
  };
}

/**
 * Tell the rep by DM that someone logged for them. After the answer to the person who logged it, one DM (and
 * Slack's Retry-After at most a few times) through the posting client, so a retry never posts it twice; a failure
 * is logged, never thrown: the entry is stored and its logger was told.
 */
export async function tellRep(deps: Pick<Deps, 'logger' | 'slack'>, teamId: string, repId: string, message: Message): Promise<void> {
  try {
    const postingClient = await deps.slack.posting(teamId);
    await sendThroughRateLimits(() => sendDirectMessage(postingClient, repId, message), { maxWaitMs: 5_000 });
  } catch (err) {
    deps.logger.warn({ err, userId: repId }, 'could not tell a rep by DM about an entry logged for them');
  }
}
