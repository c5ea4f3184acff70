import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { handleSalesAdmin } from './command.js';

/** /sales-admin: workspace settings for admins and owners. */
export function register(app: App, deps: Deps): void {
  app.command('/sales-admin', (args) => handleSalesAdmin(args, deps));
}
