import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { parsePeriod, PERIOD_FORMS_HELP, type PeriodSettings } from '../../periods/parse-period.js';
import { noticeMessage } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import type { ButtonArgs, CommandArgs } from '../../slack/listener-args.js';
import { teamIdOf } from '../../slack/team-id.js';
import { getProfileForPermission, getSlackUser, isWorkspaceAdmin, PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../slack/user-directory.js';
import { cannotPostCode, certainlyNotSent, describeFailure } from '../../slack/web-api-errors.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import { loadBoard, publishBoard } from './board.js';
import { boardInsights } from './insights.js';
import { renderBoard } from './render.blocks.js';

export const LEADERBOARD_HELP = [
  '*Leaderboard*: activity beside revenue, rep by rep, shown only to you.',
  '`/leaderboard` (this week) or `/leaderboard <period>`, for example `/leaderboard last month`.',
  PERIOD_FORMS_HELP,
  'Workspace admins can post it to the channel with the button under it, or schedule it: `/sales-admin leaderboard #sales weekly mon 09:00`.',
].join('\n');

export function periodSettings(workspace: WorkspaceSettings, timeZone: string): PeriodSettings {
  return { timeZone, weekStartsOn: workspace.weekStartsOn as PeriodSettings['weekStartsOn'], fiscalYearStartMonth: workspace.fiscalYearStartMonth };
}

/**
 * `/leaderboard [period]`: the board for the requester only (no chart), with a Post to channel button. Answered in the
 * ack when it is ready in time (see answerCommand), else through response_url.
 */
export async function handleLeaderboardCommand(args: CommandArgs, deps: Deps): Promise<void> {
  const { command, client } = args;
  const text = (command.text ?? '').trim();
  await answerCommand(args, { command: command.command, text, logger: deps.logger, deadline: ackDeadline(args.context) }, async () => {
    if (text.toLowerCase() === 'help') return noticeMessage(LEADERBOARD_HELP);
    const workspace = await ensureWorkspace(deps.db, command.team_id, command.team_domain);
    const user = await getSlackUser(deps, client, command.team_id, command.user_id);
    // An on-demand board is read in the requester's time zone.
    const parsed = parsePeriod(text, deps.clock.now(), periodSettings(workspace, user.timeZone));
    if (!parsed.ok) return noticeMessage(parsed.error);
    const board = await loadBoard(deps, client, { teamId: command.team_id, period: parsed.period });
    return renderBoard(board, {
      insights: boardInsights(board),
      postButtonValue: JSON.stringify({ period: text }),
      footer: 'Only you can see this.',
    });
  });
}

/** Post to channel: workspace admins and owners post the same period's board publicly, with the chart in its thread. */
export async function handlePostToChannel(args: ButtonArgs, deps: Deps, postingClient: webApi.WebClient): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const reply = (mrkdwn: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(mrkdwn) });
  const teamId = teamIdOf(body);
  const channel = body.channel?.id;
  if (!teamId || !channel) {
    await reply(':warning: I could not tell which channel to post to. Run `/leaderboard` in the channel first.');
    return;
  }
  const user = await getProfileForPermission(deps, client, teamId, body.user.id);
  if (!user) {
    await reply(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    return;
  }
  if (!isWorkspaceAdmin(user)) {
    await reply(':lock: Only workspace admins and owners can post the leaderboard to a channel.');
    return;
  }
  let periodText = '';
  try {
    periodText = String((JSON.parse(action.value ?? '{}') as { period?: unknown }).period ?? '');
  } catch {
    /* an old or foreign button: this week */
  }
  const workspace = await ensureWorkspace(deps.db, teamId);
  const parsed = parsePeriod(periodText, deps.clock.now(), periodSettings(workspace, user.timeZone));
  if (!parsed.ok) {
    await reply(parsed.error);
    return;
  }
  const board = await loadBoard(deps, client, { teamId, period: parsed.period });
  try {
    // Through the posting client (no retries of its own): a board Slack took but answered late or with a 5xx is
    // never posted a second time by the client; the admin is told it may have been posted instead.
    await publishBoard(deps, postingClient, { channel, board, threadExtras: true });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) {
      await reply(
        code === 'is_archived'
          ? ':warning: This channel is archived, so I cannot post here.'
          : ":wave: I'm not in this channel yet. Type `/invite @Sales Pulse` here, then press the button again.",
      );
      return;
    }
    if (certainlyNotSent(error)) {
      await reply(':hourglass_flowing_sand: Slack is busy and the leaderboard was not posted. Press the button again in a moment.');
      return;
    }
    deps.logger.error({ err: error, channel }, 'posting the leaderboard to a channel failed: it may have been posted');
    await reply(`:warning: Slack did not confirm the post (${describeFailure(error)}), so it may or may not be in <#${channel}>. Check the channel before pressing the button again.`);
    return;
  }
  await reply(`:white_check_mark: Posted the leaderboard (${parsed.period.current.label}) to <#${channel}>.`);
}
