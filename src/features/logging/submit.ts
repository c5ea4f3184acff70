import type { Deps } from '../../deps.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { ackDeadline, notSavedSubmission } from '../../slack/command-ack.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { buildConfirmation, loadLoggingContext, storeActivity } from './context.js';
import type { Message } from '../../slack/blocks.js';
import { readModalSubmission } from './modal-input.js';
import { BLOCK, decodeMetadata } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findActivity, updateActivity, type Activity } from './queries.js';

/**
 * The log-activity modal was submitted. Validate (field errors under the fields), store or update (committed),
 * then ack, which closes the modal, and confirm privately where the user started (or by DM).
 * Everything before the ack is bounded by the ack deadline (slack/command-ack.ts): when the entry cannot be
 * committed in time (the database slow or down) it is rolled back and the ack keeps the modal open with
 * "Not saved" under the first field, instead of Slack's generic error after 3 seconds.
 * The same submission twice (Slack retry, double click) stores one entry: the key is the view id.
 */
export async function handleLogModalSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeMetadata(view.private_metadata);
  const deadline = ackDeadline(args.context);

  let lc: Awaited<ReturnType<typeof loadLoggingContext>>;
  let stored: { activity: Activity; verb: 'Logged' | 'Updated'; message?: Message } | undefined;
  try {
    lc = await beforeDeadline(deadline, loadLoggingContext(deps, client, teamId, userId));
    const result = readModalSubmission(view.state.values, lc.parse);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }

    if (meta.activityId) {
      const activityId = meta.activityId;
      const updated = await commitBefore(deps.db, deadline, async (tx) => {
        // The form only knows the day: an unchanged day keeps the entry's original time.
        const existing = await findActivity(tx, teamId, activityId);
        const changes = { ...result.value };
        if (existing && localDay(existing.occurredAt, lc.user.timeZone) === localDay(changes.occurredAt, lc.user.timeZone)) {
          changes.occurredAt = existing.occurredAt;
        }
        return updateActivity(tx, teamId, userId, activityId, changes, deps.clock.now());
      });
      if (!updated) {
        await ack({ response_action: 'errors', errors: { [BLOCK.type]: 'This entry was undone or is not yours, so it cannot be edited.' } });
        return;
      }
      stored = { activity: updated, verb: 'Updated' };
    } else {
      const { activity, created, answer } = await storeActivity(deps, lc, { teamId, userId, ...result.value, source: 'modal', idempotencyKey: `view:${view.id}` }, deadline);
      if (created) stored = { activity, verb: 'Logged', message: answer };
      // else: a repeat of a submission already confirmed
    }
  } catch (e) {
    await ack(notSavedSubmission(e, BLOCK.type, 'log activity', deps.logger));
    return;
  }

  await ack();
  if (!stored) return;
  deps.afterChange(teamId, userId);
  const message = stored.message ?? (await buildConfirmation(deps, lc, stored.activity, stored.verb));
  await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, message);
}
