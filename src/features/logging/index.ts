import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { handleEdit, handleTypeChange, handleUndo } from './actions.js';
import { handleLogCommand, LOG_COMMANDS, openLogModal } from './commands.js';
import { ACTION_EDIT, ACTION_UNDO } from './confirmation.blocks.js';
import { LOG_MODAL_CALLBACK, TYPE_SELECT_ACTION } from './modal.view.js';
import { handleLogModalSubmit } from './submit.js';

export { openLogModal } from './commands.js';
export { loadActivityTypes } from './queries.js';

export const LOG_SHORTCUT_CALLBACK = 'log_activity_shortcut';

/** Activity logging: the /log commands, the modal, its shortcut, Undo and Edit. */
export function register(app: App, deps: Deps): void {
  for (const name of Object.keys(LOG_COMMANDS)) {
    app.command(name, (args) => handleLogCommand(args, deps));
  }
  app.shortcut(LOG_SHORTCUT_CALLBACK, async ({ ack, shortcut, client, body }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id;
    if (!teamId) throw new Error('shortcut without a team id');
    await openLogModal(deps, client, { teamId, userId: body.user.id, triggerId: shortcut.trigger_id, metadata: {} });
  });
  app.view(LOG_MODAL_CALLBACK, (args) => handleLogModalSubmit(args as never, deps));
  app.action({ type: 'block_actions', action_id: ACTION_UNDO }, (args) => handleUndo(args as never, deps));
  app.action({ type: 'block_actions', action_id: ACTION_EDIT }, (args) => handleEdit(args as never, deps));
  app.action({ type: 'block_actions', action_id: TYPE_SELECT_ACTION }, (args) => handleTypeChange(args as never, deps));
}
