import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { handleSalesAdmin } from './command.js';
import { FORGET_ACTION } from './forget.blocks.js';
import { handleForgetClick } from './forget.js';
import { registerSettings } from './settings/index.js';
import type { SettingsServices } from './settings/section.js';

/** /sales-admin: workspace settings for admins and owners (text sub-commands and the settings modal). */
export function register(app: App, deps: Deps, services: SettingsServices): void {
  app.command('/sales-admin', (args) => handleSalesAdmin(args, deps));
  registerSettings(app, deps, services);
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: FORGET_ACTION }, (args) => handleForgetClick(args, deps));
}
