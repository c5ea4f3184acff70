import type { Deps } from '../../deps.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { ackDeadline, notSavedSubmission } from '../../slack/command-ack.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import type { CelebrationQueue } from './celebrations.js';
import { buildDealConfirmation, loadDealContext } from './context.js';
import { readDealSubmission } from './modal-input.js';
import { DEAL_BLOCK, decodeDealMetadata } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findDeal, insertDeal, updateDeal, type Deal } from './queries.js';

/**
 * The log-deal modal was submitted: field errors under the fields, else store (once per view) or update, committed
 * before the ack, which closes the modal; then celebrate and confirm. What comes before the ack is bounded by the
 * ack deadline (slack/command-ack.ts): a deal that cannot be committed in time (the database slow or down) is rolled
 * back and the ack keeps the modal open with "Not saved" under the first field.
 */
export async function handleDealModalSubmit(args: ViewSubmitArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeDealMetadata(view.private_metadata);
  const deadline = ackDeadline(args.context);

  let dc: Awaited<ReturnType<typeof loadDealContext>>;
  let stored: { deal: Deal; verb?: 'Updated' } | undefined;
  try {
    dc = await beforeDeadline(deadline, loadDealContext(deps, client, teamId, userId));
    const result = readDealSubmission(view.state.values, dc.parse);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const fields = { userId, ...result.value };

    if (meta.dealId) {
      const dealId = meta.dealId;
      const updated = await commitBefore(deps.db, deadline, async (tx) => {
        // The form only knows the day: an unchanged day keeps the deal's original close time.
        const existing = await findDeal(tx, teamId, dealId);
        if (existing && localDay(existing.closedAt, dc.user.timeZone) === localDay(fields.closedAt, dc.user.timeZone)) {
          fields.closedAt = existing.closedAt;
        }
        return updateDeal(tx, teamId, userId, dealId, fields, deps.clock.now());
      });
      if (!updated) {
        await ack({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: 'This deal was undone or is not yours, so it cannot be edited.' } });
        return;
      }
      stored = { deal: updated, verb: 'Updated' };
    } else {
      const { deal, created } = await commitBefore(deps.db, deadline, (tx) => insertDeal(tx, teamId, fields, `view:${view.id}`));
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
  deps.afterChange(teamId, userId);
  await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, await buildDealConfirmation(deps, dc, stored.deal, stored.verb));
}
