import type { Deps } from '../../deps.js';
import { editOwnEntry, entryNotices, undoOwnEntry } from '../../entries/author-actions.js';
import { localDay, weekContaining, type WeekStart } from '../../periods/week.js';
import type { ButtonArgs, SelectArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { undoneMessage } from './confirmation.blocks.js';
import { loadLoggingContext } from './context.js';
import { BLOCK, ACTION, decodeMetadata, logActivityModal, ON_BEHALF_FIELD } from './modal.view.js';
import { countActivities, findActivity, softDeleteActivity } from './queries.js';

const NOTICES = entryNotices('an entry', 'That entry');

/** Undo: mark the entry deleted (kept, never counted) and replace the confirmation. Author only. */
export async function handleUndo(args: ButtonArgs, deps: Deps): Promise<void> {
  await undoOwnEntry(args, deps, {
    notices: NOTICES,
    find: findActivity,
    softDelete: softDeleteActivity,
    undoneMessage: async (activity, { teamId, userId, now }) => {
      // The owner's week, in their zone: the presser may have logged it on their behalf.
      const lc = await loadLoggingContext(deps, args.client, teamId, activity.userId);
      const week = weekContaining(now, lc.user.timeZone, lc.workspace.weekStartsOn as WeekStart);
      const weekCount = await countActivities(deps.db, teamId, activity.userId, activity.typeKey, week);
      const type = lc.types.find((t) => t.key === activity.typeKey);
      return undoneMessage({ activity, type, weekCount, now, timeZone: lc.user.timeZone, viewerId: userId });
    },
  });
}

/** Edit: open the modal prefilled with the entry. Author only; an undone entry cannot be edited. */
export async function handleEdit(args: ButtonArgs, deps: Deps): Promise<void> {
  await editOwnEntry(args, deps, {
    notices: NOTICES,
    find: findActivity,
    editView: async (activity, { teamId }) => {
      const lc = await loadLoggingContext(deps, args.client, teamId, activity.userId);
      return logActivityModal({
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
        metadata: { activityId: activity.id, channelId: args.body.channel?.id },
      });
    },
  });
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
    // The form keeps its "On behalf of" field (only its look: a submission is checked on its own).
    ...(view.blocks?.some((b) => b.block_id === ON_BEHALF_FIELD.blockId) ? { onBehalf: {} } : {}),
  });
  await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
}
