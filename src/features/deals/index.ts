import type { App, CustomRoute, webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { CelebrationQueue } from './celebrations.js';

export interface DealsFeature {
  /** HTTP routes served beside /slack/events (both modes). */
  routes: CustomRoute[];
  /** Slack commands, actions and views. */
  register(app: App): void;
  /** Let queued celebrations finish (shutdown). */
  drain(): Promise<void>;
}

/**
 * Closed deals: /log-deal, the CRM webhook, win celebrations.
 * Built before the Bolt app because the webhook route must be handed to the receiver.
 */
export function createDealsFeature(deps: Deps, client: webApi.WebClient): DealsFeature {
  const celebrations = new CelebrationQueue(deps, client);
  return {
    routes: [],
    register(_app: App) {},
    drain: () => celebrations.drain(),
  };
}
