import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { loadActivityTypes, openLogModal } from '../logging/index.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { HOME_LOG_ACTIVITY_ACTION, homeView } from './home.view.js';

/** The App Home tab. */
export function register(app: App, deps: Deps): void {
  app.event('app_home_opened', async ({ event, client, body }) => {
    if (event.tab !== 'home') return;
    const teamId = body.team_id;
    const [user, types] = await Promise.all([getSlackUser(deps, client, teamId, event.user), loadActivityTypes(deps.db, teamId)]);
    await client.views.publish({ user_id: event.user, view: homeView({ types, displayName: user.displayName }) });
  });

  app.action({ type: 'block_actions', action_id: HOME_LOG_ACTIVITY_ACTION }, async ({ ack, body, client }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id;
    if (!teamId) throw new Error('block_actions without a team id');
    await openLogModal(deps, client, { teamId, userId: body.user.id, triggerId: (body as { trigger_id: string }).trigger_id, metadata: {} });
  });
}
