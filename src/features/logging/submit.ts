import type { Deps } from '../../deps.js';
import { mayChangeEntry } from '../../entries/author-actions.js';
import { onBehalfRefusal, pickedUser, repProfileRefusal } from '../../entries/on-behalf.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { ackDeadline, notSavedSubmission } from '../../slack/command-ack.js';
import { sendPrivately } from '../../slack/deliver.js';
import type { ViewSubmitArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { buildConfirmation, loadLoggingContext, storeActivity, tellRepAboutActivity } from './context.js';
import type { Message } from '../../slack/blocks.js';
import { readModalSubmission } from './modal-input.js';
import { BLOCK, decodeMetadata, ON_BEHALF_FIELD } from './modal.view.js';
import { localDay } from '../../periods/week.js';
import { findActivity, updateActivity, type Activity } from './queries.js';

/**
 * The log-activity modal was submitted. Validate (field errors under the fields), store or update (committed),
 * then ack, which closes the modal, and confirm privately where the user started (or by DM).
 * Everything before the ack is bounded by the ack deadline (slack/command-ack.ts): when the entry cannot be
 * committed in time (the database slow or down) it is rolled back and the ack keeps the modal open with
 * "Not saved" under the first field, instead of Slack's generic error after 3 seconds.
 * The same submission twice (Slack retry, double click) stores one entry: the key is the view id.
 *
 * "On behalf of" (a new entry only): whoever the submission names, whatever the form showed, is checked here
 * (onBehalfRefusal); a refusal is an error under the field and nothing is stored. The entry is then the rep's, read
 * in their time zone, remembering who logged it, and the rep is told by DM. An edit keeps the entry's owner: its
 * owner or the person who logged it may edit it, as the stored row says.
 */
export async function handleLogModalSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const meta = decodeMetadata(view.private_metadata);
  const deadline = ackDeadline(args.context);
  const picked = meta.activityId ? undefined : pickedUser(view.state.values, ON_BEHALF_FIELD);
  const repId = picked !== undefined && picked !== userId ? picked : undefined;

  let lc: Awaited<ReturnType<typeof loadLoggingContext>>;
  let stored: { activity: Activity; verb: 'Logged' | 'Updated'; message?: Message } | undefined;
  try {
    let owner = repId ?? userId;
    let editedTypeKey: string | undefined;
    if (repId) {
      const refusal = await beforeDeadline(deadline, onBehalfRefusal(deps, client, teamId, userId, repId));
      if (refusal) return void (await ack({ response_action: 'errors', errors: { [ON_BEHALF_FIELD.blockId]: refusal.plain } }));
    }
    if (meta.activityId) {
      // Whose entry it is, from the database: its owner's context decides the day, and who may edit it.
      const existing = await beforeDeadline(deadline, findActivity(deps.db, teamId, meta.activityId));
      if (!existing || existing.deletedAt || !mayChangeEntry(existing, userId)) {
        return void (await ack({ response_action: 'errors', errors: { [BLOCK.type]: NOT_EDITABLE } }));
      }
      owner = existing.userId;
      editedTypeKey = existing.typeKey;
    }
    const ownerContext = await beforeDeadline(deadline, loadLoggingContext(deps, client, teamId, owner));
    lc = ownerContext;
    const notAPerson = repId ? repProfileRefusal(ownerContext.user) : undefined;
    if (notAPerson) return void (await ack({ response_action: 'errors', errors: { [ON_BEHALF_FIELD.blockId]: notAPerson.plain } }));
    const result = readModalSubmission(view.state.values, ownerContext.parse, { editedTypeKey });
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
        if (existing && localDay(existing.occurredAt, ownerContext.user.timeZone) === localDay(changes.occurredAt, ownerContext.user.timeZone)) {
          changes.occurredAt = existing.occurredAt;
        }
        return updateActivity(tx, teamId, owner, activityId, changes, deps.clock.now());
      });
      if (!updated) {
        await ack({ response_action: 'errors', errors: { [BLOCK.type]: NOT_EDITABLE } });
        return;
      }
      stored = { activity: updated, verb: 'Updated' };
    } else {
      const row = { teamId, userId: owner, ...(repId ? { loggedBy: userId } : {}), ...result.value, source: 'modal' as const, idempotencyKey: `view:${view.id}` };
      const { activity, created, answer } = await storeActivity(deps, ownerContext, row, deadline);
      if (created) stored = { activity, verb: 'Logged', message: answer };
      // else: a repeat of a submission already confirmed
    }
  } catch (e) {
    await ack(notSavedSubmission(e, BLOCK.type, 'log activity', deps.logger));
    return;
  }

  await ack();
  if (!stored) return;
  deps.afterChange(teamId, stored.activity.userId);
  const message = stored.message ?? (await buildConfirmation(deps, lc, stored.activity, stored.verb, userId));
  try {
    await sendPrivately(client, deps.logger, { userId, channelId: meta.channelId }, message);
  } finally {
    if (stored.verb === 'Logged') await tellRepAboutActivity(deps, lc, stored.activity);
  }
}

const NOT_EDITABLE = 'This entry was undone or is not yours, so it cannot be edited.';
