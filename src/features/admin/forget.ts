/**
 * `/sales-admin forget @user` (admins): erase a person's data after a confirmation. The command only asks (a button
 * with Slack's confirmation dialog); the click erases, after checking on the server that whoever clicked is an admin
 * now (a forged click from a rep or a manager erases nothing, whatever its value). Everything goes in one
 * transaction with its audit entry, which records the erasure and the counts, never the data.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, adminGrants, dealCelebrations, deals, digestSubscriptions, salesTeamMembers, targets, users, webhookReceipts } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { ADMIN_ONLY_TEXT, loadRole, recordAudit } from '../../org/index.js';
import { noticeMessage, parseUserMention, type Message } from '../../slack/blocks.js';
import type { ButtonArgs } from '../../slack/listener-args.js';
import { teamIdOf } from '../../slack/team-id.js';
import { getSlackUser, PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../slack/user-directory.js';
import type { AdminContext } from './context.js';
import { FORGET_USAGE, forgetQuestion, forgottenMessage, type ErasedCounts } from './forget.blocks.js';

export const FORGET_NO_PERSON_TEXT = ':warning: I could not tell whose data to erase, so nothing was erased. Run `/sales-admin forget @name` again.';

/** `/sales-admin forget @user`: the question and its button. Nothing is erased here. */
export async function askToForget({ deps, args, rest }: AdminContext): Promise<Message> {
  const mention = rest.length === 1 ? parseUserMention(rest[0]!) : undefined;
  if (!mention) return noticeMessage(FORGET_USAGE);
  const name = mention.name ?? (await getSlackUser(deps, args.client, args.command.team_id, mention.id)).displayName;
  return forgetQuestion(mention.id, name);
}

/** The confirmed click: re-check the role, then erase and replace the question with the outcome. */
export async function handleForgetClick(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) });
  const teamId = teamIdOf(body);
  if (!teamId) return void (await reply(FORGET_NO_PERSON_TEXT));
  const role = await loadRole(deps, client, teamId, body.user.id);
  if (!role) return void (await reply(PERMISSION_CHECK_UNAVAILABLE_TEXT));
  if (role.kind !== 'admin') return void (await reply(ADMIN_ONLY_TEXT));
  // Only now, for an admin, is the value read.
  const userId = action.value ?? '';
  if (!/^[UW][A-Z0-9]{2,}$/.test(userId)) return void (await reply(FORGET_NO_PERSON_TEXT));
  const counts = await erasePerson(deps.db, { teamId, userId, actorId: body.user.id, at: deps.clock.now() });
  deps.logger.info({ teamId, actorId: body.user.id, counts }, 'erased a person’s data');
  await respond({ response_type: 'ephemeral', replace_original: true, ...forgottenMessage(userId, counts) });
}

/**
 * Delete everything Sales Pulse keeps about a person in a workspace, deleted entries included, and record the
 * erasure (`person.erase`, subject `<@U…>`, the counts) in the same transaction.
 */
export async function erasePerson(db: Db, input: { teamId: string; userId: string; actorId: string; at: Date }): Promise<ErasedCounts> {
  const { teamId, userId } = input;
  return db.transaction(async (tx) => {
    const theirDeals = tx
      .select({ id: deals.id })
      .from(deals)
      .where(and(eq(deals.teamId, teamId), eq(deals.userId, userId)));
    const celebrations = await tx.delete(dealCelebrations).where(inArray(dealCelebrations.dealId, theirDeals)).returning({ id: dealCelebrations.dealId });
    // The webhook's replay receipts name their deals and go with them. A CRM that sends a deal again stores it again.
    await tx.delete(webhookReceipts).where(and(eq(webhookReceipts.teamId, teamId), inArray(webhookReceipts.dealId, theirDeals)));
    const dealRows = await tx
      .delete(deals)
      .where(and(eq(deals.teamId, teamId), eq(deals.userId, userId)))
      .returning({ id: deals.id });
    const activityRows = await tx
      .delete(activities)
      .where(and(eq(activities.teamId, teamId), eq(activities.userId, userId)))
      .returning({ id: activities.id });
    const targetRows = await tx
      .delete(targets)
      .where(and(eq(targets.teamId, teamId), eq(targets.userKey, userId)))
      .returning({ id: targets.id });
    const subscriptionRows = await tx
      .delete(digestSubscriptions)
      .where(and(eq(digestSubscriptions.teamId, teamId), eq(digestSubscriptions.userId, userId)))
      .returning({ id: digestSubscriptions.userId });
    const profileRows = await tx
      .delete(users)
      .where(and(eq(users.teamId, teamId), eq(users.userId, userId)))
      .returning({ id: users.userId });
    const membershipRows = await tx
      .delete(salesTeamMembers)
      .where(and(eq(salesTeamMembers.teamId, teamId), eq(salesTeamMembers.userId, userId)))
      .returning({ id: salesTeamMembers.userId });
    const grantRows = await tx
      .delete(adminGrants)
      .where(and(eq(adminGrants.teamId, teamId), eq(adminGrants.userId, userId)))
      .returning({ id: adminGrants.userId });
    const counts: ErasedCounts = {
      activities: activityRows.length,
      deals: dealRows.length,
      celebrations: celebrations.length,
      targets: targetRows.length,
      digestSubscriptions: subscriptionRows.length,
      profiles: profileRows.length,
      teamMemberships: membershipRows.length,
      adminGrants: grantRows.length,
    };
    await recordAudit(tx, { teamId, actorId: input.actorId, action: 'person.erase', subject: `<@${userId}>`, before: null, after: counts, at: input.at });
    return counts;
  });
}
