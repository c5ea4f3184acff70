import type { Deps } from '../../deps.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { buildConfirmation, loadLoggingContext } from './context.js';
import { readModalSubmission } from './modal-input.js';
import { BLOCK, decodeMetadata } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findActivity, insertActivity, updateActivity } from './queries.js';

/**
 * The log-activity modal was submitted. Validate (field errors under the fields), store or update,
 * close the modal, then confirm privately where the user started (or by DM).
 * The same submission twice (Slack retry, double click) stores one entry: the key is the view id.
 */
export async function handleLogModalSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeMetadata(view.private_metadata);

  const lc = await loadLoggingContext(deps, client, teamId, userId);
  const result = readModalSubmission(view.state.values, lc.parse);
  if (!result.ok) {
    await ack({ response_action: 'errors', errors: result.errors });
    return;
  }

  if (meta.activityId) {
    // The form only knows the day: an unchanged day keeps the entry's original time.
    const existing = await findActivity(deps.db, teamId, meta.activityId);
    const changes = { ...result.value };
    if (existing && localDay(existing.occurredAt, lc.user.timeZone) === localDay(changes.occurredAt, lc.user.timeZone)) {
      changes.occurredAt = existing.occurredAt;
    }
    const updated = await updateActivity(deps.db, teamId, userId, meta.activityId, changes, deps.clock.now());
    if (!updated) {
      await ack({ response_action: 'errors', errors: { [BLOCK.type]: 'This entry was undone or is not yours, so it cannot be edited.' } });
      return;
    }
    await ack();
    deps.afterChange(teamId, userId);
    const message = await buildConfirmation(deps, lc, updated, 'Updated');
    await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, message);
    return;
  }

  const { activity, created } = await insertActivity(deps.db, {
    teamId,
    userId,
    ...result.value,
    source: 'modal',
    idempotencyKey: `view:${view.id}`,
  });
  await ack();
  if (!created) return; // a repeat of a submission already confirmed
  deps.afterChange(teamId, userId);
  const message = await buildConfirmation(deps, lc, activity);
  await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, message);
}
