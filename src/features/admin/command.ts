import type { Deps } from '../../deps.js';
import { ADMIN_ONLY_TEXT, loadRole } from '../../org/index.js';
import { SCHEDULE_EXAMPLE } from '../leaderboard/index.js';
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { showAudit } from './audit.js';
import type { AdminContext } from './context.js';
import { currencyCommand, listRatesCommand, rateCommand } from './currency.js';
import { exportData } from './export/export.js';
import { askToForget } from './forget.js';
import { setCelebrations, setDigestDefault } from './notifications.js';
import { listLeaderboardSchedules, setLeaderboardSchedule } from './schedules.js';
import { openSettings } from './settings/index.js';
import { listWorkspaceTargets, setTarget } from './targets.js';
import { listAdmins, listTeams, runAdminRoleCommand, runTeamCommand } from './teams.js';

/** The answer to a rep: nothing was done. */
export const REP_REFUSAL_TEXT = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';

/** Every text sub-command, one line each, for Sales Pulse admins (`/sales-admin help`). */
export const ADMIN_USAGE_LINES = [
  '• `/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [time zone]`: post the leaderboard there on a schedule, covering the last complete week, day or month. Defaults: weekly, Monday, 09:00, your time zone. For example `' +
    SCHEDULE_EXAMPLE +
    '`',
  '• `/sales-admin leaderboard #channel off`: stop that channel’s scheduled leaderboard',
  '• `/sales-admin leaderboard "East AEs" [#channel] [weekly|daily|monthly] …`: schedule a team’s board (its members ranked within the team), in the team’s home channel unless you name one; `/sales-admin leaderboard "East AEs" off` stops it',
  '• `/sales-admin leaderboards`: list scheduled leaderboards and when each runs next',
  '• `/sales-admin celebrations #channel`: post a short celebration there for every won deal',
  '• `/sales-admin celebrations off`: stop celebrations',
  '• `/sales-admin target @rep|everyone <activity type|revenue> <amount>/<week|month|quarter>`: set a target, for example `/sales-admin target @ana calls 50/week`, `/sales-admin target @ana revenue $40k/month` (revenue per month or quarter) or `/sales-admin target everyone demos 5/week`. A rep’s own target replaces the everyone target',
  '• `/sales-admin target @rep|everyone <activity type|revenue> off`: remove that target',
  '• `/sales-admin target team "East AEs" calls 50/week` (or `… off`): a target for every member of a team; a rep’s own target replaces it, and it replaces the everyone target',
  '• `/sales-admin targets`: list every target, who it applies to and its period',
  '• `/sales-admin digests weekly`: everyone Sales Pulse knows gets the weekly DM digest (Fridays at 16:00 in their own time zone) unless they opt out with `/my-stats unsubscribe`',
  '• `/sales-admin digests off`: digests are opt-in again (`/my-stats subscribe`); people who subscribed keep theirs',
  '• `/sales-admin digests weekly|off "East AEs"`: the digest default of one sales team (its members get the weekly digest unless they opted out; `off`: the team’s members get none by default, whatever the workspace default)',
  '• `/sales-admin`: open the settings (calendar, activity types, notifications, …)',
  '• `/sales-admin export [period] [activities|deals|summary|audit] [team]`: a CSV file by DM (default: this week’s activities, whole workspace)',
  '• `/sales-admin audit [n]`: the latest n changes (default 20, at most 100)',
  '• `/sales-admin forget @user`: erase a person’s data, after a confirmation',
  '• `/sales-admin team create "East AEs" #sales-east`, `team "East AEs" add|remove @ana`, `… manager [remove] @mia`, `… channel #x`, `… rename "New"`, `… delete`: sales teams; `/sales-admin teams` lists them',
  '• `/sales-admin currency EUR`: the reporting currency boards and summaries convert into (changing it clears the exchange rates); `/sales-admin rate GBP 1.27 [from 2026-11-01]`: 1 GBP = 1.27 in it from that day (default today); `/sales-admin rate GBP off [2026-11-01]`: remove it; `/sales-admin rates`: list them',
  '• `/sales-admin admin [remove] @name`: the Sales Pulse admin role; `/sales-admin admins` lists admins',
  '• `/sales-admin help`: this list',
];

/** When Slack refused to open the settings modal (its trigger expired, or Slack was slow): nothing changed. */
export const SETTINGS_NOT_OPENED_TEXT = ':warning: Slack did not let me open the settings just now. Please send `/sales-admin` again; `/sales-admin help` lists the text commands.';

/** What a team manager can do with `/sales-admin` (their answer to `/sales-admin` alone and to `help`). */
export const MANAGER_USAGE_LINES = [
  '• `/sales-admin digests weekly|off "East AEs"`: the weekly DM digest for the members of a team you manage (they can still opt out with `/my-stats unsubscribe`)',
  '• `/sales-admin leaderboard "East AEs" [#channel] [weekly|daily|monthly] [mon..sun] [HH:MM] [time zone]`: post your team’s board on a schedule (in its home channel unless you name one); `… "East AEs" off` stops it; `/sales-admin leaderboards` lists your teams’ schedules',
  '• `/sales-admin target team "East AEs" calls 50/week`, `/sales-admin target @rep calls 50/week` (a member of your team), `… calls off`: targets for your team and its members; `/sales-admin targets` lists them',
  '• `/sales-admin export [period] [activities|deals|summary] [team]`: a CSV file by DM of a team you manage, for example `/sales-admin export last month deals "East AEs"`',
  '• `/sales-admin teams`: every team with its managers, members and home channel',
  '• `/sales-admin help`: this list',
];

/**
 * The sub-commands this person may use, as a message within Slack's limits (the admins' list is longer than one
 * section's 3,000 characters: listMessage packs it into several), after an optional first line.
 */
export function usageMessage(kind: 'admin' | 'manager', lead?: string): Message {
  const title = kind === 'admin' ? '*Sales Pulse admin* (Sales Pulse admins: workspace admins and owners, and people they made admins)' : '*Sales Pulse for team managers*';
  const footer =
    kind === 'admin'
      ? '`/sales-admin` alone opens the settings: teams, roles, calendar, activity types, currency and notifications.'
      : 'Workspace settings (`/sales-admin` alone opens them) are for Sales Pulse admins.';
  return listMessage(lead ? `${lead}\n${title}` : title, kind === 'admin' ? ADMIN_USAGE_LINES : MANAGER_USAGE_LINES, footer);
}

/**
 * A subcommand and the least role that may run it: 'admin' (Sales Pulse admins), or 'manager' (admins and team
 * managers; the subcommand itself limits a manager to the teams and people they manage).
 */
interface Subcommand {
  who: 'admin' | 'manager';
  run: (ctx: AdminContext) => Promise<Message>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  help: { who: 'manager', run: ({ role }) => Promise.resolve(usageMessage(role.kind === 'admin' ? 'admin' : 'manager')) },
  celebrations: { who: 'admin', run: setCelebrations },
  leaderboard: { who: 'manager', run: setLeaderboardSchedule },
  leaderboards: { who: 'manager', run: listLeaderboardSchedules },
  target: { who: 'manager', run: setTarget },
  targets: { who: 'manager', run: listWorkspaceTargets },
  digests: { who: 'manager', run: setDigestDefault },
  export: { who: 'manager', run: exportData },
  audit: { who: 'admin', run: showAudit },
  forget: { who: 'admin', run: askToForget },
  team: { who: 'admin', run: runTeamCommand },
  teams: { who: 'manager', run: listTeams },
  admin: { who: 'admin', run: runAdminRoleCommand },
  admins: { who: 'admin', run: listAdmins },
  currency: { who: 'admin', run: currencyCommand },
  rate: { who: 'admin', run: rateCommand },
  rates: { who: 'admin', run: listRatesCommand },
};

/**
 * `/sales-admin …`: workspace settings, for workspace admins and owners only. Answered in the ack when ready in time
 * (see answerCommand): a setting is stored before its answer says so.
 */
export async function handleSalesAdmin(args: CommandArgs, deps: Deps): Promise<void> {
  const { command } = args;
  const later: (() => Promise<void>)[] = [];
  await answerCommand(args, { command: command.command, text: command.text ?? '', logger: deps.logger, deadline: ackDeadline(args.context) }, () =>
    salesAdminAnswer(args, deps, (work) => later.push(work)),
  );
  for (const work of later) await work();
}

async function salesAdminAnswer(args: CommandArgs, deps: Deps, afterAck: AdminContext['afterAck']): Promise<Message | undefined> {
  const { command, client } = args;
  const [sub, ...rest] = (command.text ?? '').trim().split(/\s+/).filter(Boolean);

  const role = await loadRole(deps, client, command.team_id, command.user_id);
  if (!role) return noticeMessage(PERMISSION_CHECK_UNAVAILABLE_TEXT);
  if (role.kind === 'rep') {
    return noticeMessage(REP_REFUSAL_TEXT);
  }
  if (sub === undefined) {
    // `/sales-admin` alone: the settings modal for an admin (opened before anything slow: its trigger_id expires in
    // about 3 seconds; the ack then says nothing), what they can do for a manager.
    if (role.kind !== 'admin') return usageMessage('manager');
    try {
      await openSettings(deps, client, { teamId: command.team_id, triggerId: command.trigger_id });
      return undefined;
    } catch (error) {
      deps.logger.warn({ err: error }, 'settings: the modal could not be opened');
      return noticeMessage(SETTINGS_NOT_OPENED_TEXT);
    }
  }
  const handler = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, sub.toLowerCase()) ? SUBCOMMANDS[sub.toLowerCase()] : undefined;
  if (!handler) return usageMessage(role.kind === 'admin' ? 'admin' : 'manager', `:warning: I don't know \`${sub.replace(/`/g, "'")}\`.`);
  if (handler.who === 'admin' && role.kind !== 'admin') return noticeMessage(ADMIN_ONLY_TEXT);
  await ensureWorkspace(deps.db, command.team_id, command.team_domain);
  return handler.run({ deps, args, admin: role.profile, role, rest, afterAck });
}
