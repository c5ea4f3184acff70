import type { Deps } from '../../deps.js';
import { localDay, weekContaining, type WeekStart } from '../../periods/week.js';
import { noticeMessage } from '../../slack/blocks.js';
import type { ButtonArgs, SelectArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { undoneMessage } from './confirmation.blocks.js';
import { loadLoggingContext } from './context.js';
import { BLOCK, ACTION, decodeMetadata, logActivityModal } from './modal.view.js';
import { countActivities, findActivity, softDeleteActivity } from './queries.js';

const NOT_YOURS = ':no_entry: Only the person who logged an entry can undo or edit it.';

/** Undo: mark the entry deleted (kept, never counted) and replace the confirmation. Author only. */
export async function handleUndo(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const activity = await findActivity(deps.db, teamId, action.value ?? '');
  if (!activity) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(':grey_question: That entry no longer exists.') });
    return;
  }
  if (activity.userId !== userId) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(NOT_YOURS) });
    return;
  }
  const now = deps.clock.now();
  const removed = await softDeleteActivity(deps.db, teamId, userId, activity.id, now);
  if (!removed) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(':information_source: That entry was already undone.') });
    return;
  }
  deps.afterChange(teamId, userId);
  const lc = await loadLoggingContext(deps, client, teamId, userId);
  const week = weekContaining(now, lc.user.timeZone, lc.workspace.weekStartsOn as WeekStart);
  const weekCount = await countActivities(deps.db, teamId, userId, activity.typeKey, week);
  await respond({
    response_type: 'ephemeral',
    replace_original: true,
    ...undoneMessage({ activity, type: lc.types.find((t) => t.key === activity.typeKey), weekCount, now, timeZone: lc.user.timeZone }),
  });
}

/** Edit: open the modal prefilled with the entry. Author only; an undone entry cannot be edited. */
export async function handleEdit(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const activity = await findActivity(deps.db, teamId, action.value ?? '');
  if (!activity || activity.deletedAt) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(':grey_question: That entry was undone, so there is nothing to edit.') });
    return;
  }
  if (activity.userId !== userId) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(NOT_YOURS) });
    return;
  }
  const lc = await loadLoggingContext(deps, client, teamId, userId);
  const view = logActivityModal({
    types: lc.types,
    prefill: {
      typeKey: activity.typeKey,
      account: activity.account,
      contact: activity.contact,
      outcome: activity.outcome,
      date: localDay(activity.occurredAt, lc.user.timeZone),
      durationMinutes: activity.durationMinutes,
      count: activity.quantity,
      notes: activity.notes,
    },
    metadata: { activityId: activity.id, channelId: body.channel?.id },
  });
  await client.views.open({ trigger_id: body.trigger_id, view });
}

/** The type select changed inside the modal: rebuild it so the outcome list matches the new type. */
export async function handleTypeChange(args: SelectArgs, deps: Deps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const view = body.view;
  if (!view) return;
  const teamId = requireTeamId(body);
  const lc = await loadLoggingContext(deps, client, teamId, body.user.id);
  const values = view.state?.values ?? {};
  const date = values[BLOCK.date]?.[ACTION.date]?.selected_date ?? localDay(deps.clock.now(), lc.user.timeZone);
  const updated = logActivityModal({
    types: lc.types,
    // Other inputs keep what the user typed: Slack preserves input state for unchanged block_ids.
    prefill: { typeKey: action.selected_option?.value, date: date ?? undefined },
    metadata: decodeMetadata(view.private_metadata),
  });
  await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
}
