import type { Deps } from '../../deps.js';
import { ADMIN_ONLY_TEXT, loadRole } from '../../org/index.js';
import { SCHEDULE_EXAMPLE } from '../leaderboard/index.js';
import { noticeMessage, type Message } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import type { AdminContext } from './context.js';
import { setCelebrations, setDigestDefault } from './notifications.js';
import { listLeaderboardSchedules, setLeaderboardSchedule } from './schedules.js';
import { listWorkspaceTargets, setTarget } from './targets.js';

/** The answer to a rep: nothing was done. */
export const REP_REFUSAL_TEXT = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';

export const ADMIN_USAGE = [
  '*Sales Pulse admin* (workspace admins and owners)',
  '• `/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [time zone]`: post the leaderboard there on a schedule, covering the last complete week, day or month. Defaults: weekly, Monday, 09:00, your time zone. For example `' +
    SCHEDULE_EXAMPLE +
    '`',
  '• `/sales-admin leaderboard #channel off`: stop that channel’s scheduled leaderboard',
  '• `/sales-admin leaderboards`: list scheduled leaderboards and when each runs next',
  '• `/sales-admin celebrations #channel`: post a short celebration there for every won deal',
  '• `/sales-admin celebrations off`: stop celebrations',
  '• `/sales-admin target @rep|everyone <activity type|revenue> <amount>/<week|month|quarter>`: set a target, for example `/sales-admin target @ana calls 50/week`, `/sales-admin target @ana revenue $40k/month` (revenue per month or quarter) or `/sales-admin target everyone demos 5/week`. A rep’s own target replaces the everyone target',
  '• `/sales-admin target @rep|everyone <activity type|revenue> off`: remove that target',
  '• `/sales-admin targets`: list every target, who it applies to and its period',
  '• `/sales-admin digests weekly`: everyone Sales Pulse knows gets the weekly DM digest (Fridays at 16:00 in their own time zone) unless they opt out with `/my-stats unsubscribe`',
  '• `/sales-admin digests off`: digests are opt-in again (`/my-stats subscribe`); people who subscribed keep theirs',
  '• `/sales-admin help`: this list',
].join('\n');

/**
 * A subcommand and the least role that may run it: 'admin' (Sales Pulse admins), or 'manager' (admins and team
 * managers; the subcommand itself limits a manager to the teams and people they manage).
 */
interface Subcommand {
  who: 'admin' | 'manager';
  run: (ctx: AdminContext) => Promise<Message>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  help: { who: 'manager', run: () => Promise.resolve(noticeMessage(ADMIN_USAGE)) },
  celebrations: { who: 'admin', run: setCelebrations },
  leaderboard: { who: 'admin', run: setLeaderboardSchedule },
  leaderboards: { who: 'admin', run: listLeaderboardSchedules },
  target: { who: 'admin', run: setTarget },
  targets: { who: 'admin', run: listWorkspaceTargets },
  digests: { who: 'admin', run: setDigestDefault },
};

/**
 * `/sales-admin …`: workspace settings, for workspace admins and owners only. Answered in the ack when ready in time
 * (see answerCommand): a setting is stored before its answer says so.
 */
export async function handleSalesAdmin(args: CommandArgs, deps: Deps): Promise<void> {
  const { command } = args;
  await answerCommand(args, { command: command.command, text: command.text ?? '', logger: deps.logger, deadline: ackDeadline(args.context) }, () => salesAdminAnswer(args, deps));
}

async function salesAdminAnswer(args: CommandArgs, deps: Deps): Promise<Message> {
  const { command, client } = args;
  const [sub = 'help', ...rest] = (command.text ?? '').trim().split(/\s+/).filter(Boolean);

  const role = await loadRole(deps, client, command.team_id, command.user_id);
  if (!role) return noticeMessage(PERMISSION_CHECK_UNAVAILABLE_TEXT);
  if (role.kind === 'rep') {
    return noticeMessage(REP_REFUSAL_TEXT);
  }
  const handler = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, sub.toLowerCase()) ? SUBCOMMANDS[sub.toLowerCase()] : undefined;
  if (!handler) return noticeMessage(`:warning: I don't know \`${sub.replace(/`/g, "'")}\`.\n${ADMIN_USAGE}`);
  if (handler.who === 'admin' && role.kind !== 'admin') return noticeMessage(ADMIN_ONLY_TEXT);
  await ensureWorkspace(deps.db, command.team_id, command.team_domain);
  return handler.run({ deps, args, admin: role.profile, role, rest });
}
