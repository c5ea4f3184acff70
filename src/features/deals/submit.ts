import type { Deps } from '../../deps.js';
import { mayChangeEntry } from '../../entries/author-actions.js';
import { onBehalfRefusal, pickedUser, repProfileRefusal } from '../../entries/on-behalf.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { ackDeadline, notSavedSubmission } from '../../slack/command-ack.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import type { CelebrationQueue } from './celebrations.js';
import { buildDealConfirmation, effortLineBefore, loadDealContext, tellRepAboutDeal } from './context.js';
import { readDealSubmission } from './modal-input.js';
import { DEAL_BLOCK, DEAL_ON_BEHALF_FIELD, decodeDealMetadata } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findDeal, insertDeal, updateDeal, type Deal } from './queries.js';

/**
 * The log-deal modal was submitted: field errors under the fields, else store (once per view) or update, committed
 * before the ack, which closes the modal; then celebrate and confirm. What comes before the ack is bounded by the
 * ack deadline (slack/command-ack.ts): a deal that cannot be committed in time (the database slow or down) is rolled
 * back and the ack keeps the modal open with "Not saved" under the first field.
 *
 * "On behalf of" (a new deal only): whoever the submission names, whatever the form showed, is checked here
 * (onBehalfRefusal); a refusal is an error under the field and nothing is stored. The deal is then the rep's, read in
 * their time zone, remembering who logged it, and the rep is told by DM. An edit keeps the deal's owner: its owner
 * or the person who logged it may edit it, as the stored row says.
 */
export async function handleDealModalSubmit(args: ViewSubmitArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeDealMetadata(view.private_metadata);
  const deadline = ackDeadline(args.context);
  const picked = meta.dealId ? undefined : pickedUser(view.state.values, DEAL_ON_BEHALF_FIELD);
  const repId = picked !== undefined && picked !== userId ? picked : undefined;

  let dc: Awaited<ReturnType<typeof loadDealContext>>;
  let stored: { deal: Deal; verb?: 'Updated' } | undefined;
  try {
    let owner = repId ?? userId;
    if (repId) {
      const refusal = await beforeDeadline(deadline, onBehalfRefusal(deps, client, teamId, userId, repId));
      if (refusal) return void (await ack({ response_action: 'errors', errors: { [DEAL_ON_BEHALF_FIELD.blockId]: refusal.plain } }));
    }
    if (meta.dealId) {
      // Whose deal it is, from the database: its owner's context decides the day, and who may edit it.
      const existing = await beforeDeadline(deadline, findDeal(deps.db, teamId, meta.dealId));
      if (!existing || existing.deletedAt || !mayChangeEntry(existing, userId)) {
        return void (await ack({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: NOT_EDITABLE } }));
      }
      owner = existing.userId;
    }
    const ownerContext = await beforeDeadline(deadline, loadDealContext(deps, client, teamId, owner));
    dc = ownerContext;
    const notAPerson = repId ? repProfileRefusal(ownerContext.user) : undefined;
    if (notAPerson) return void (await ack({ response_action: 'errors', errors: { [DEAL_ON_BEHALF_FIELD.blockId]: notAPerson.plain } }));
    const result = readDealSubmission(view.state.values, ownerContext.parse);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const fields = { userId: owner, ...result.value };

    if (meta.dealId) {
      const dealId = meta.dealId;
      const updated = await commitBefore(deps.db, deadline, async (tx) => {
        // The form only knows the day: an unchanged day keeps the deal's original close time.
        const existing = await findDeal(tx, teamId, dealId);
        if (existing && localDay(existing.closedAt, ownerContext.user.timeZone) === localDay(fields.closedAt, ownerContext.user.timeZone)) {
          fields.closedAt = existing.closedAt;
        }
        return updateDeal(tx, teamId, owner, dealId, fields, deps.clock.now());
      });
      if (!updated) {
        await ack({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: NOT_EDITABLE } });
        return;
      }
      stored = { deal: updated, verb: 'Updated' };
    } else {
      const { deal, created } = await commitBefore(deps.db, deadline, (tx) => insertDeal(tx, teamId, { ...fields, loggedBy: repId ? userId : null }, `view:${view.id}`));
      if (created) stored = { deal };
    }
  } catch (e) {
    await ack(notSavedSubmission(e, DEAL_BLOCK.result, 'log deal', deps.logger));
    return;
  }

  await ack();
  if (!stored) return; // a repeat of a submission already confirmed
  // Queued before confirming: a failed confirmation (no DM possible) must not cost the deal its celebration.
  // A lost deal edited to won is celebrated too (once per deal).
  void celebrations.celebrate(stored.deal);
  deps.afterChange(teamId, stored.deal.userId);
  try {
    // After the ack (the modal is closed): the effort line still waits at most EFFORT_WAIT_MS, never failing the confirmation.
    const effort = await effortLineBefore(deps, stored.deal);
    await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, await buildDealConfirmation(deps, dc, stored.deal, stored.verb, userId, effort));
  } finally {
    if (!stored.verb) await tellRepAboutDeal(deps, dc, stored.deal);
  }
}

const NOT_EDITABLE = 'This deal was undone or is not yours, so it cannot be edited.';
