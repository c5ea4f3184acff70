import type { App, BlockAction, ButtonAction, CustomRoute, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { requireTeamId } from '../../slack/team-id.js';
import { handleDealEdit, handleDealUndo } from './actions.js';
import { CelebrationQueue } from './celebrations.js';
import { handleLogDealCommand, openDealModal } from './commands.js';
import { DEAL_EDIT, DEAL_UNDO } from './confirmation.blocks.js';
import { DEAL_ACCOUNT_FIELD, DEAL_MODAL_CALLBACK } from './modal.view.js';
import { handleAccountOptions } from '../../entries/account-field.js';
import { handleDealModalSubmit } from './submit.js';
import { SlackRepDirectory } from './rep-directory.js';
import { dealWebhookRoute } from './webhook.js';

export { openDealModal } from './commands.js';
export { findDeal, softDeleteDeal } from './queries.js';
export { loadEffortLines } from './context.js';
export { effortSentence } from './confirmation.blocks.js';
export { createOrRotateSecret, sealWebhookSecrets, type SealReport } from './webhook-secrets.js';
export const LOG_DEAL_SHORTCUT_CALLBACK = 'log_deal_shortcut';

export interface DealsFeature {
  /** HTTP routes served beside /slack/events (both modes). */
  routes: CustomRoute[];
  /** Slack commands, actions and views. */
  register(app: App): void;
  /** Let queued celebrations finish (shutdown). */
  drain(): Promise<void>;
  /** Scheduled work for the app's scheduler: the sweep that retries celebrations left unposted (celebrations.ts). */
  jobs: ScheduledJob[];
}

/**
 * Closed deals: /log-deal, the CRM webhook, win celebrations.
 * Built before the Bolt app because the webhook route must be handed to the receiver. `box` opens the stored
 * webhook secrets (and seals a plaintext one left by an earlier version). Celebrations post through each
 * workspace's posting client (deps.slack: retries off, slack/posting-client.ts), so a client retry never celebrates a win twice.
 */
export function createDealsFeature(deps: Deps, box: SecretBox): DealsFeature {
  const celebrations = new CelebrationQueue(deps, deps.slack);
  return {
    // The rep cache (users.lookupByEmail / users.info answers) lives as long as this app: nothing module-level.
    routes: [dealWebhookRoute(deps, celebrations, box, new SlackRepDirectory(deps.slack, deps.clock))],
    register(app: App) {
      app.command('/log-deal', (args) => handleLogDealCommand(args, deps, celebrations));
      app.shortcut(LOG_DEAL_SHORTCUT_CALLBACK, async ({ ack, shortcut, client: c, body }) => {
        await ack();
        await openDealModal(deps, c, { teamId: requireTeamId(body), userId: body.user.id, triggerId: shortcut.trigger_id, metadata: {} });
      });
      app.view<ViewSubmitAction>(DEAL_MODAL_CALLBACK, (args) => handleDealModalSubmit(args, deps, celebrations));
      // The account field's suggestions as the person types (entries/account-field.ts).
      app.options<'block_suggestion'>({ type: 'block_suggestion', action_id: DEAL_ACCOUNT_FIELD.pick.actionId }, (args) => handleAccountOptions(args, deps));
      app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: DEAL_UNDO }, (args) => handleDealUndo(args, deps));
      app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: DEAL_EDIT }, (args) => handleDealEdit(args, deps));
    },
    drain: () => celebrations.drain(),
    jobs: [celebrations.sweepJob()],
  };
}
