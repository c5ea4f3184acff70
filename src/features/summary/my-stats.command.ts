/**
 * `/my-stats [period]`: the requester's own numbers, sent by DM, with a short private note in the channel.
 * `/my-stats <@U…|name> [period]`: someone else's numbers, for Sales Pulse admins (Slack's is_admin / is_owner,
 * checked fresh, or granted) and for the managers of a team the person is a member of; anyone else gets a polite
 * refusal that reveals nothing about the person.
 * `/my-stats help`. Further first words (`subscribe`, `unsubscribe`) are handled by registered subcommands.
 *
 * The period is read in the requester's time zone, like `/leaderboard`. When the DM cannot be sent, the
 * ephemeral reply says so and carries the summary itself.
 */
import type { Deps } from '../../deps.js';
import { parsePeriod, PERIOD_FORMS_HELP } from '../../periods/parse-period.js';
import { noticeMessage, parseUserMention, type Message } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import { sendDirectMessage } from '../../slack/deliver.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { getSlackUser, PERMISSION_CHECK_UNAVAILABLE_TEXT, type SlackUser } from '../../slack/user-directory.js';
import { loadRole, managesPerson } from '../../org/index.js';
import { platformCode } from '../../slack/web-api-errors.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { periodSettings } from '../leaderboard/index.js';
import type { BoardPeriod } from '../../periods/types.js';
import { displayName, personalStatsMessage, type TargetProgressLine } from './stats.blocks.js';
import { loadPersonalStats } from './stats.js';

/**
 * A `/my-stats <word> …` subcommand (e.g. `subscribe`, registered by the digest feature): returns its answer, which
 * /my-stats sends (in the ack when ready in time; do not call ack or respond); `rest` holds the words after the
 * subcommand, as typed.
 */
export type MyStatsSubcommand = (args: CommandArgs, deps: Deps, rest: string[]) => Promise<Message>;

/** Loads a person's target progress lines (the targets feature's loadTargetProgress fits). */
export type TargetProgressLoader = (
  deps: Deps,
  input: { teamId: string; userId: string; now: Date; timeZone: string },
) => Promise<ReadonlyArray<TargetProgressLine>>;

export interface MyStatsExtra {
  /** First word (lower case) -> handler. */
  subcommands?: Record<string, MyStatsSubcommand>;
  /** Target progress for the summary; without it the summary has no Targets section. */
  loadProgress?: TargetProgressLoader;
}

export const MY_STATS_HELP = [
  '*My stats*: your activity beside your results, sent to you by DM.',
  '`/my-stats` (this week) or `/my-stats <period>`, for example `/my-stats last month`.',
  PERIOD_FORMS_HELP,
  'You see your own numbers and your own place in the team by revenue and by activity; nobody else’s figures.',
  'Sales Pulse admins can see a rep’s numbers, and team managers their team members’: `/my-stats @someone [period]`.',
  '*Digest by DM*: `/my-stats subscribe` (weekly: Fridays at 16:00, the week so far) or `/my-stats subscribe daily` (every day at 08:00, the day before), in your own time zone. `/my-stats unsubscribe` stops it.',
].join('\n');

export const NOT_ALLOWED_TEXT =
  ':lock: Sorry, only workspace admins and owners can see someone else’s numbers (and team managers, their own team members’). Your own are one command away: `/my-stats`.';

/** Slack error codes when a DM cannot be sent, in words. */
function dmFailureWords(error: unknown): string {
  const code = platformCode(error);
  return code ? ` (Slack said \`${escapeMrkdwn(code)}\`)` : '';
}

/**
 * `/my-stats …`: answered in the ack when ready in time (see answerCommand): the "sent to your DMs" note, the
 * summary itself when no DM could be sent, help, a refusal or a subcommand's answer.
 */
export async function handleMyStats(args: CommandArgs, deps: Deps, extra: MyStatsExtra = {}): Promise<void> {
  const { command } = args;
  await answerCommand(args, { command: command.command, text: command.text ?? '', logger: deps.logger, deadline: ackDeadline(args.context) }, () => myStatsAnswer(args, deps, extra));
}

async function myStatsAnswer(args: CommandArgs, deps: Deps, extra: MyStatsExtra): Promise<Message> {
  const { command, client } = args;
  const words = (command.text ?? '').trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.toLowerCase();

  if (first === 'help') return noticeMessage(MY_STATS_HELP);
  const subcommand = first !== undefined && Object.prototype.hasOwnProperty.call(extra.subcommands ?? {}, first) ? extra.subcommands![first] : undefined;
  if (subcommand) return subcommand(args, deps, words.slice(1));

  const teamId = command.team_id;
  const requesterId = command.user_id;
  let subjectId = requesterId;
  let periodWords = words;
  const mention = words[0] ? parseUserMention(words[0]) : undefined;
  if (mention) {
    subjectId = mention.id;
    periodWords = words.slice(1);
  } else if (words[0]?.startsWith('@')) {
    // Typed as plain text: Slack sends a picked mention as <@U…>, which is the only way to know who is meant.
    return noticeMessage(':bust_in_silhouette: To name someone, pick them from the @ list as you type, so Slack sends who you mean: `/my-stats @someone last week`.');
  }
  const viewerIsSubject = subjectId === requesterId;

  const workspace = await ensureWorkspace(deps.db, teamId, command.team_domain);
  // Permission first, fresh (a demoted admin loses this within minutes); nothing about the other person is read before it.
  let requester: SlackUser;
  if (viewerIsSubject) {
    requester = await getSlackUser(deps, client, teamId, requesterId);
  } else {
    // Admins see anyone's numbers; a manager, the members of the teams they manage; nobody else, anyone's.
    const role = await loadRole(deps, client, teamId, requesterId);
    if (!role) return noticeMessage(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    if (!(await managesPerson(deps.db, teamId, role, subjectId))) return noticeMessage(NOT_ALLOWED_TEXT);
    requester = role.profile;
  }

  // On demand, the period is read in the requester's time zone.
  const now = deps.clock.now();
  const parsed = parsePeriod(periodWords.join(' '), now, periodSettings(workspace, requester.timeZone));
  if (!parsed.ok) return noticeMessage(parsed.error);
  const period = parsed.period;

  const stats = await loadPersonalStats(deps, client, { teamId, userId: subjectId, period });
  // Target pace ("2 of 5 days left") is counted in the subject's own time zone (a cache hit: loadPersonalStats read it).
  const timeZone = viewerIsSubject ? requester.timeZone : (await getSlackUser(deps, client, teamId, subjectId)).timeZone;
  const progress = await loadProgressFor(deps, extra, { teamId, userId: subjectId, now, period, timeZone });
  const summary = personalStatsMessage(stats, progress, { viewerIsSubject });

  const whose = viewerIsSubject ? 'your numbers' : `${escapeMrkdwn(displayName(stats))}’s numbers`;
  const label = escapeMrkdwn(period.current.label);
  try {
    await sendDirectMessage(client, requesterId, summary);
  } catch (error) {
    deps.logger.warn({ err: error, teamId, userId: requesterId }, 'could not DM the /my-stats summary; showing it here instead');
    return {
      text: summary.text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:warning: I couldn’t send ${whose} for ${label} to your DMs${dmFailureWords(error)}, so here they are, only for you:` } },
        ...summary.blocks,
      ],
    };
  }
  return noticeMessage(`:mailbox_with_mail: Sent ${whose} for ${label} to your DMs.`);
}

/**
 * Target progress is about the running target period (this week, this month), so it is shown only when the
 * summary's period includes now; a failure there is logged and the summary goes without it.
 */
async function loadProgressFor(
  deps: Deps,
  extra: MyStatsExtra,
  input: { teamId: string; userId: string; now: Date; period: BoardPeriod; timeZone: string },
): Promise<ReadonlyArray<TargetProgressLine>> {
  const { period, now } = input;
  if (!extra.loadProgress) return [];
  if (now.getTime() < period.current.start.getTime() || now.getTime() >= period.current.end.getTime()) return [];
  try {
    return await extra.loadProgress(deps, { teamId: input.teamId, userId: input.userId, now, timeZone: input.timeZone });
  } catch (error) {
    deps.logger.warn({ err: error, teamId: input.teamId, userId: input.userId }, 'could not load target progress for /my-stats');
    return [];
  }
}
