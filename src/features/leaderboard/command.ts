import type { Deps } from '../../deps.js';
import { parsePeriod, PERIOD_FORMS_HELP, type PeriodSettings } from '../../periods/parse-period.js';
import { noticeMessage } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import type { ButtonArgs, CommandArgs } from '../../slack/listener-args.js';
import { teamIdOf } from '../../slack/team-id.js';
import { getSlackUser, PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../slack/user-directory.js';
import { findSalesTeamById, isAdmin, listSalesTeams, loadRole, managesTeam } from '../../org/index.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { cannotPostCode, certainlyNotSent, describeFailure } from '../../slack/web-api-errors.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import { loadBoard, publishBoard } from './board.js';
import { boardInsights } from './insights.js';
import { renderBoard } from './render.blocks.js';
import { parseTeamPrefix, teamNamesList } from './team-parse.js';

export const LEADERBOARD_HELP = [
  '*Leaderboard*: activity beside revenue, rep by rep, shown only to you.',
  '`/leaderboard` (this week) or `/leaderboard <period>`, for example `/leaderboard last month`.',
  'A team’s board: name the team first, `/leaderboard "East AEs" last month` (quotes optional): its members ranked within the team.',
  PERIOD_FORMS_HELP,
  'Admins can post it to the channel with the button under it, or schedule it: `/sales-admin leaderboard #sales weekly mon 09:00`. A team’s managers can do the same with their team’s board.',
].join('\n');

export function periodSettings(workspace: WorkspaceSettings, timeZone: string): PeriodSettings {
  return { timeZone, weekStartsOn: workspace.weekStartsOn as PeriodSettings['weekStartsOn'], fiscalYearStartMonth: workspace.fiscalYearStartMonth };
}

/** What `/leaderboard …` asked for: a period's text and, when a team was named first, that team. */
type BoardRequest = { periodText: string; salesTeam?: { id: string; name: string }; hint?: string } | { error: string };

const TEAM_EXAMPLE = (name: string) => `/leaderboard "${name.replace(/[`"“”]/g, '')}" last week`;

/**
 * Reads `[team] [period]`: a quoted team name must be a team; an unquoted one is the longest team name the text
 * starts with, unless the rest is no period while the whole text is one (a team called "Last" and `last week`).
 */
async function readBoardRequest(deps: Deps, teamId: string, text: string, check: (periodText: string) => boolean): Promise<BoardRequest> {
  if (text === '') return { periodText: '' };
  const teams = await listSalesTeams(deps.db, teamId);
  if (teams.length === 0) return { periodText: text };
  const prefix = parseTeamPrefix(text, teams);
  const example = TEAM_EXAMPLE(teams[0]!.name);
  switch (prefix.kind) {
    case 'unclosed':
      return { error: `:warning: A team name in quotes needs its closing quote.\nTry: \`${example}\`` };
    case 'unknown':
      return { error: `:warning: There is no team called “${escapeMrkdwn(prefix.name)}”. The teams are ${teamNamesList(teams)}.\nTry: \`${example}\`` };
    case 'team':
      if (!prefix.quoted && !check(prefix.rest) && check(text)) return { periodText: text };
      return { periodText: prefix.rest, salesTeam: { id: prefix.team.id, name: prefix.team.name } };
    case 'none':
      // Not a team: if it is no period either, the answer names the teams too (it may be a misspelt team).
      return { periodText: text, hint: `If you meant a team, its name goes first; the teams are ${teamNamesList(teams)}. For example \`${example}\`` };
  }
}

/**
 * `/leaderboard [team] [period]`: the board for the requester only (no chart), with a Post to channel button; a team
 * named first gives that team's board (anyone may view it, as the workspace board). Answered in the ack when it is
 * ready in time (see answerCommand), else through response_url.
 */
export async function handleLeaderboardCommand(args: CommandArgs, deps: Deps): Promise<void> {
  const { command, client } = args;
  const text = (command.text ?? '').trim();
  await answerCommand(args, { command: command.command, text, logger: deps.logger, deadline: ackDeadline(args.context) }, async () => {
    if (text.toLowerCase() === 'help') return noticeMessage(LEADERBOARD_HELP);
    const workspace = await ensureWorkspace(deps.db, command.team_id, command.team_domain);
    const user = await getSlackUser(deps, client, command.team_id, command.user_id);
    // An on-demand board is read in the requester's time zone.
    const now = deps.clock.now();
    const settings = periodSettings(workspace, user.timeZone);
    const request = await readBoardRequest(deps, command.team_id, text, (t) => parsePeriod(t, now, settings).ok);
    if ('error' in request) return noticeMessage(request.error);
    const parsed = parsePeriod(request.periodText, now, settings);
    if (!parsed.ok) return noticeMessage(request.hint ? `${parsed.error}\n${request.hint}` : parsed.error);
    const board = await loadBoard(deps, client, { teamId: command.team_id, period: parsed.period, salesTeam: request.salesTeam });
    return renderBoard(board, {
      insights: boardInsights(board),
      postButtonValue: JSON.stringify(request.salesTeam ? { period: request.periodText, salesTeamId: request.salesTeam.id } : { period: request.periodText }),
      footer: 'Only you can see this.',
    });
  });
}

/**
 * Post to channel: the same period's board, publicly, with the chart in its thread. The workspace board: admins
 * only. A team's board (`salesTeamId` in the value): admins and that team's managers. Both checked here, on the
 * server, from the person's role now: a value naming another team, or forged by a rep, posts nothing.
 */
export async function handlePostToChannel(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const reply = (mrkdwn: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(mrkdwn) });
  const teamId = teamIdOf(body);
  const channel = body.channel?.id;
  if (!teamId || !channel) {
    await reply(':warning: I could not tell which channel to post to. Run `/leaderboard` in the channel first.');
    return;
  }
  const role = await loadRole(deps, client, teamId, body.user.id);
  if (!role) {
    await reply(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    return;
  }
  let periodText = '';
  let salesTeamId: unknown;
  try {
    const value = JSON.parse(action.value ?? '{}') as { period?: unknown; salesTeamId?: unknown };
    periodText = String(value.period ?? '');
    salesTeamId = value.salesTeamId;
  } catch {
    /* an old or foreign button: this week */
  }
  let salesTeam: { id: string; name: string } | undefined;
  if (salesTeamId !== undefined) {
    const team = typeof salesTeamId === 'string' ? await findSalesTeamById(deps.db, teamId, salesTeamId) : undefined;
    if (!team || !managesTeam(role, team.id)) {
      await reply(":lock: Only Sales Pulse admins and the team's managers can post a team's leaderboard to a channel.");
      return;
    }
    salesTeam = { id: team.id, name: team.name };
  } else if (!isAdmin(role)) {
    await reply(':lock: Only workspace admins and owners can post the leaderboard to a channel.');
    return;
  }
  const workspace = await ensureWorkspace(deps.db, teamId);
  const parsed = parsePeriod(periodText, deps.clock.now(), periodSettings(workspace, role.profile.timeZone));
  if (!parsed.ok) {
    await reply(parsed.error);
    return;
  }
  const board = await loadBoard(deps, client, { teamId, period: parsed.period, salesTeam });
  try {
    // Through the posting client (no retries of its own): a board Slack took but answered late or with a 5xx is
    // never posted a second time by the client; the admin is told it may have been posted instead.
    await publishBoard(deps, await deps.slack.posting(teamId), { channel, board, threadExtras: true });
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
  const which = salesTeam ? `the ${escapeMrkdwn(salesTeam.name)} leaderboard` : 'the leaderboard';
  await reply(`:white_check_mark: Posted ${which} (${parsed.period.current.label}) to <#${channel}>.`);
}
