import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { loadTargetProgress } from '../targets/index.js';
import { handleHomeDigestChoice, handleHomeLogActivity, handleHomeLogDeal, handleHomeOpened, handleHomeUndo } from './home.js';
import { handleMyStats, type MyStatsSubcommand } from './my-stats.command.js';
import { digestSubcommands } from './digest-commands.js';
import { HOME_DIGEST_ACTION, HOME_LOG_ACTIVITY_ACTION, HOME_LOG_DEAL_ACTION, HOME_UNDO_ACTION_PATTERN } from './home.view.js';

export { createDigestJob } from './digest-job.js';
export { createHomeRefresher, HOME_REFRESH_CONCURRENCY, HOME_REFRESH_MAX_PENDING, publishHome, refreshHomeSoon, type HomeRefresher } from './home.js';
export { loadPersonalStats, type PersonalStats } from './stats.js';
export { personalStatsMessage, type TargetProgressLine } from './stats.blocks.js';
export { getDigestChoice, setDigestChoice, type DigestChoice } from './digest-subscriptions.js';

/** `/my-stats <word> …` subcommands beyond help and periods: the digest adds `subscribe` / `unsubscribe` here. */
const myStatsSubcommands: Record<string, MyStatsSubcommand> = { ...digestSubcommands };

/** The App Home tab and /my-stats. */
export function register(app: App, deps: Deps): void {
  app.command('/my-stats', (args) => handleMyStats(args, deps, { subcommands: myStatsSubcommands, loadProgress: loadTargetProgress }));
  app.event('app_home_opened', (args) => handleHomeOpened(args, deps));

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: HOME_LOG_ACTIVITY_ACTION }, (args) => handleHomeLogActivity(args, deps));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: HOME_LOG_DEAL_ACTION }, (args) => handleHomeLogDeal(args, deps));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: HOME_UNDO_ACTION_PATTERN }, (args) => handleHomeUndo(args, deps));
  app.action<BlockAction<StaticSelectAction>>({ type: 'block_actions', action_id: HOME_DIGEST_ACTION }, (args) => handleHomeDigestChoice(args, deps));
}
