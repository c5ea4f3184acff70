import type { Deps } from '../../deps.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import type { CelebrationQueue } from './celebrations.js';
import { buildDealConfirmation, loadDealContext } from './context.js';
import { readDealSubmission } from './modal-input.js';
import { DEAL_BLOCK, decodeDealMetadata } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findDeal, insertDeal, updateDeal } from './queries.js';

/** The log-deal modal was submitted: field errors under the fields, else store (once per view) or update, then confirm. */
export async function handleDealModalSubmit(args: ViewSubmitArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeDealMetadata(view.private_metadata);
  const dc = await loadDealContext(deps, client, teamId, userId);
  const result = readDealSubmission(view.state.values, dc.parse);
  if (!result.ok) {
    await ack({ response_action: 'errors', errors: result.errors });
    return;
  }
  const fields = { userId, ...result.value };

  if (meta.dealId) {
    // The form only knows the day: an unchanged day keeps the deal's original close time.
    const existing = await findDeal(deps.db, teamId, meta.dealId);
    if (existing && localDay(existing.closedAt, dc.user.timeZone) === localDay(fields.closedAt, dc.user.timeZone)) {
      fields.closedAt = existing.closedAt;
    }
    const updated = await updateDeal(deps.db, teamId, userId, meta.dealId, fields, deps.clock.now());
    if (!updated) {
      await ack({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: 'This deal was undone or is not yours, so it cannot be edited.' } });
      return;
    }
    await ack();
    void celebrations.celebrate(updated); // a lost deal edited to won is celebrated (once per deal)
    deps.afterChange(teamId, userId);
    await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, await buildDealConfirmation(deps, dc, updated, 'Updated'));
    return;
  }

  const { deal, created } = await insertDeal(deps.db, teamId, fields, `view:${view.id}`);
  await ack();
  if (!created) return;
  // Queued before confirming: a failed confirmation (no DM possible) must not cost the deal its celebration.
  void celebrations.celebrate(deal);
  deps.afterChange(teamId, userId);
  await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, await buildDealConfirmation(deps, dc, deal));
}
