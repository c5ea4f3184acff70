import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { handleLeaderboardCommand, handlePostToChannel } from './command.js';
import { POST_TO_CHANNEL_ACTION } from './render.blocks.js';

export { loadBoard, publishBoard } from './board.js';
export { periodSettings } from './command.js';
export { createLeaderboardJob } from './job.js';
export { parseTeamPrefix, teamNamesList, type NamedTeam, type TeamPrefix } from './team-parse.js';
export { formatChange, formatRevenue } from './render.blocks.js';
export { activitiesWithScore, convertedLabel, headlineText, perCurrencyText, unconvertedLines } from './revenue.text.js';
export {
  cadenceLabel,
  describeCoverage,
  describeWhen,
  formatSlot,
  latestSlot,
  nextSlot,
  parseScheduleArgs,
  SCHEDULE_EXAMPLE,
  type ScheduleTiming,
} from './schedule.js';

/** /leaderboard on demand and its Post to channel button. (Schedules: job.ts, driven by the scheduler.) */
export function register(app: App, deps: Deps): void {
  app.command('/leaderboard', (args) => handleLeaderboardCommand(args, deps));
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: POST_TO_CHANNEL_ACTION }, (args) => handlePostToChannel(args, deps));
}
