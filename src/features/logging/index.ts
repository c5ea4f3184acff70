import type { App, BlockAction, ButtonAction, StaticSelectAction, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { requireTeamId } from '../../slack/team-id.js';
import { handleEdit, handleTypeChange, handleUndo } from './actions.js';
import { handleLogCommand, LOG_COMMANDS, openLogModal } from './commands.js';
import { ACTION_EDIT, ACTION_UNDO } from './confirmation.blocks.js';
import { LOGGING_CONTEXT_KEEP_MS, type LoggingContext } from './context.js';
import { InFlight } from '../../lib/in-flight.js';
import { ACCOUNT_FIELD, LOG_MODAL_CALLBACK, TYPE_SELECT_ACTION } from './modal.view.js';
import { handleAccountOptions } from '../../entries/account-field.js';
import { handleLogModalSubmit } from './submit.js';

export { openLogModal } from './commands.js';
export { findActivity, loadActivityTypes, softDeleteActivity } from './queries.js';
export { MAX_COUNT, MAX_DURATION_MINUTES } from './parse.js';

export const LOG_SHORTCUT_CALLBACK = 'log_activity_shortcut';

/**
 * Activity logging: the /log commands, the modal, its shortcut, Undo and Edit. `postingClient` (retries off,
 * slack/posting-client.ts) posts the DM that tells a rep someone logged for them, so a client retry never sends it twice.
 */
export function register(app: App, deps: Deps): void {
  // One person's logging context, shared by their commands arriving while it is read and for a moment after.
  const contexts = new InFlight<LoggingContext>({ keepMs: LOGGING_CONTEXT_KEEP_MS, joinMs: LOGGING_CONTEXT_KEEP_MS });
  for (const name of Object.keys(LOG_COMMANDS)) {
    app.command(name, (args) => handleLogCommand(args, deps, contexts));
  }
  app.shortcut(LOG_SHORTCUT_CALLBACK, async ({ ack, shortcut, client, body }) => {
    await ack();
    await openLogModal(deps, client, { teamId: requireTeamId(body), userId: body.user.id, triggerId: shortcut.trigger_id, metadata: {} });
  });
  app.view<ViewSubmitAction>(LOG_MODAL_CALLBACK, (args) => handleLogModalSubmit(args, deps));
  // The account field's suggestions as the person types (entries/account-field.ts).
  app.options<'block_suggestion'>({ type: 'block_suggestion', action_id: ACCOUNT_FIELD.pick.actionId }, (args) => handleAccountOptions(args, deps));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ACTION_UNDO }, (args) => handleUndo(args, deps));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ACTION_EDIT }, (args) => handleEdit(args, deps));
  app.action<BlockAction<StaticSelectAction>>({ type: 'block_actions', action_id: TYPE_SELECT_ACTION }, (args) => handleTypeChange(args, deps));
}
