import { and, asc, eq, ne } from 'drizzle-orm';
import { leaderboardSchedules, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import {
  cadenceLabel,
  describeCoverage,
  describeWhen,
  formatSlot,
  nextSlot,
  parseScheduleArgs,
  SCHEDULE_EXAMPLE,
} from '../leaderboard/index.js';
import { listMessage, noticeMessage, parseChannelMention, type Message } from '../../slack/blocks.js';
import { ackDeadline, answerCommand } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { cannotPostCode, type CannotPostCode } from '../../slack/web-api-errors.js';
import { loadActivityTypes } from '../logging/index.js';
import { describeTargetAmount, EVERYONE, listTargets, metricLabel, parseTargetCommand, removeTarget, targetForms, upsertTarget, userKeyOf } from '../targets/index.js';
import { getProfileForPermission, isWorkspaceAdmin, PERMISSION_CHECK_UNAVAILABLE_TEXT, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';

/** What every subcommand gets: the words after its name and the admin. It returns its private answer. */
interface AdminContext {
  deps: Deps;
  args: CommandArgs;
  admin: SlackUser;
  rest: string[];
}

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

const SUBCOMMANDS: Record<string, (ctx: AdminContext) => Promise<Message>> = {
  help: () => Promise.resolve(noticeMessage(ADMIN_USAGE)),
  celebrations: setCelebrations,
  leaderboard: setLeaderboardSchedule,
  leaderboards: listLeaderboardSchedules,
  target: setTarget,
  targets: listWorkspaceTargets,
  digests: setDigestDefault,
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

  const admin = await getProfileForPermission(deps, client, command.team_id, command.user_id);
  if (!admin) return noticeMessage(PERMISSION_CHECK_UNAVAILABLE_TEXT);
  if (!isWorkspaceAdmin(admin)) {
    return noticeMessage(':lock: Only workspace admins and owners can change Sales Pulse settings. Ask one of them to run this command.');
  }
  await ensureWorkspace(deps.db, command.team_id, command.team_domain);

  const handler = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, sub.toLowerCase()) ? SUBCOMMANDS[sub.toLowerCase()] : undefined;
  if (!handler) return noticeMessage(`:warning: I don't know \`${sub.replace(/`/g, "'")}\`.\n${ADMIN_USAGE}`);
  return handler({ deps, args, admin, rest });
}

/** The reply for a channel the bot cannot post in. */
function cannotPostThere(code: CannotPostCode, channelId: string): string {
  return code === 'is_archived'
    ? `:warning: <#${channelId}> is archived. Pick an active channel.`
    : `:wave: I'm not in <#${channelId}> yet. Type \`/invite @Sales Pulse\` in that channel, then run this command again.`;
}

// ---------------------------------------------------------------------------------------------
// celebrations

async function setCelebrations({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command, client } = args;
  const target = rest.join(' ').trim();
  if (target.toLowerCase() === 'off') {
    await deps.db.update(workspaces).set({ celebrationsChannel: null, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
    return noticeMessage(':white_check_mark: Win celebrations are off.');
  }
  const channel = parseChannelMention(target);
  if (!channel || rest.length !== 1) {
    return noticeMessage(':warning: Name one channel, picked with `#` so Slack links it, or `off`.\nTry: `/sales-admin celebrations #sales-wins`');
  }
  // Prove the bot can post there before saving, and announce the change in the channel.
  try {
    await client.chat.postMessage({
      channel: channel.id,
      text: `:tada: Won deals will be celebrated in this channel (set by <@${command.user_id}>).`,
    });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) {
      return noticeMessage(cannotPostThere(code, channel.id));
    }
    throw error;
  }
  await deps.db.update(workspaces).set({ celebrationsChannel: channel.id, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
  return noticeMessage(`:white_check_mark: Won deals will be celebrated in <#${channel.id}>. Turn it off with \`/sales-admin celebrations off\`.`);
}

// ---------------------------------------------------------------------------------------------
// scheduled leaderboards

/** `#name` when Slack sent the channel's name, else a placeholder the admin replaces. */
function channelWord(name: string | undefined): string {
  return name ? `#${name}` : '#channel';
}

/** `/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [zone]` and `… #channel off`. */
async function setLeaderboardSchedule({ deps, args, admin, rest }: AdminContext): Promise<Message> {
  const { command, client } = args;
  const parsed = parseScheduleArgs(rest, { timeZone: admin.timeZone });
  if ('error' in parsed) {
    return noticeMessage(parsed.error);
  }
  if ('off' in parsed) {
    const removed = await deps.db
      .delete(leaderboardSchedules)
      .where(and(eq(leaderboardSchedules.teamId, command.team_id), eq(leaderboardSchedules.channelId, parsed.channelId)))
      .returning({ id: leaderboardSchedules.id });
    return noticeMessage(
      removed.length
        ? `:white_check_mark: The scheduled leaderboard in <#${parsed.channelId}> is off.`
        : `:information_source: No leaderboard is scheduled in <#${parsed.channelId}>, so there was nothing to turn off. See them all with \`/sales-admin leaderboards\`.`,
    );
  }

  const schedule = { cadence: parsed.cadence, weekday: parsed.weekday, timeOfDay: parsed.timeOfDay, timeZone: parsed.timeZone };
  const label = cadenceLabel(schedule.cadence);
  const when = `${describeWhen(schedule)} (${schedule.timeZone})`;
  // Prove the bot can post there before saving, and tell the channel what to expect.
  try {
    await client.chat.postMessage({
      channel: parsed.channelId,
      text: `:trophy: ${label} leaderboard will be posted here ${when}, covering ${describeCoverage(schedule.cadence)}. Set by <@${command.user_id}>.`,
    });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) {
      return noticeMessage(cannotPostThere(code, parsed.channelId));
    }
    throw error;
  }

  const now = deps.clock.now();
  const [replaced] = await deps.db
    .select({ id: leaderboardSchedules.id })
    .from(leaderboardSchedules)
    .where(and(eq(leaderboardSchedules.teamId, command.team_id), eq(leaderboardSchedules.channelId, parsed.channelId)));
  await deps.db
    .insert(leaderboardSchedules)
    .values({ teamId: command.team_id, channelId: parsed.channelId, ...schedule, createdBy: command.user_id, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [leaderboardSchedules.teamId, leaderboardSchedules.channelId],
      // The admin who changed it last is the one told about failures. Runs of the old timing never repeat:
      // slots before updatedAt are not due (see job.ts).
      set: { ...schedule, createdBy: command.user_id, updatedAt: now },
    });
  return noticeMessage(
    `:white_check_mark: ${label} leaderboard scheduled in <#${parsed.channelId}>: ${when}, covering ${describeCoverage(schedule.cadence)}.` +
      (replaced ? ' It replaces the schedule that channel had.' : '') +
      `\nNext: ${formatSlot(nextSlot(schedule, now), schedule.timeZone)}. Stop it with \`/sales-admin leaderboard ${channelWord(parsed.channelName)} off\`.`,
  );
}

/** `/sales-admin leaderboards`: every schedule of the workspace with its next run, in its own zone. */
async function listLeaderboardSchedules({ deps, args }: AdminContext): Promise<Message> {
  const { command } = args;
  const schedules = await deps.db
    .select()
    .from(leaderboardSchedules)
    .where(eq(leaderboardSchedules.teamId, command.team_id))
    .orderBy(asc(leaderboardSchedules.createdAt), asc(leaderboardSchedules.channelId));
  if (schedules.length === 0) {
    return noticeMessage(`No leaderboards are scheduled. Schedule one with \`${SCHEDULE_EXAMPLE}\`.`);
  }
  const now = deps.clock.now();
  const lines = schedules.map(
    (s) =>
      `• <#${s.channelId}>: ${s.cadence}, ${describeWhen(s)} (${s.timeZone}). Next: ${formatSlot(nextSlot(s, now), s.timeZone)}`,
  );
  const title = `*Scheduled leaderboards* (${schedules.length})`;
  const footer = 'Change one by scheduling its channel again; stop one with `/sales-admin leaderboard #channel off`.';
  return listMessage(title, lines, footer);
}

// ---------------------------------------------------------------------------------------------
// digests

/**
 * `/sales-admin digests weekly|off`: the digest for people who never chose one. weekly = everyone Sales Pulse
 * knows (people who used it or were looked up) gets the weekly digest unless they opted out; off = opt-in.
 */
async function setDigestDefault({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command } = args;
  const [workspace] = await deps.db.select({ digestDefault: workspaces.digestDefault }).from(workspaces).where(eq(workspaces.teamId, command.team_id));
  const current = workspace?.digestDefault ?? 'off';
  const word = rest.join(' ').trim().toLowerCase();
  if (word !== 'weekly' && word !== 'off') {
    const now = current === 'weekly' ? 'everyone gets the weekly digest unless they opted out' : 'digests are opt-in (`/my-stats subscribe`)';
    return noticeMessage(`:information_source: Now: ${now}.
Change it with \`/sales-admin digests weekly\` (everyone, opt-out) or \`/sales-admin digests off\` (opt-in).`);
  }
  // Only a real change moves digest_default_since, when the default started (no default digest for a slot at or
  // before it): choosing the same again leaves waiting digests alone. The condition makes it one atomic change.
  if (word !== current) {
    const now = deps.clock.now();
    await deps.db
      .update(workspaces)
      .set({ digestDefault: word, digestDefaultSince: now, updatedAt: now })
      .where(and(eq(workspaces.teamId, command.team_id), ne(workspaces.digestDefault, word)));
  }
  return noticeMessage(
    word === 'weekly'
      ? ':white_check_mark: Everyone Sales Pulse knows now gets the weekly digest by DM, Fridays at 16:00 in their own time zone: their own numbers for the week so far. ' +
          'Anyone can stop it with `/my-stats unsubscribe`; people who chose daily or unsubscribed keep their choice.'
      : ':white_check_mark: Digests are opt-in again: only people who subscribed with `/my-stats subscribe` get one.',
  );
}

// ---------------------------------------------------------------------------------------------
// targets

/** `/sales-admin target <@rep|everyone> <metric> <amount>/<week|month|quarter>` and `… <metric> off`. */
async function setTarget({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command } = args;
  const [workspace, types] = await Promise.all([ensureWorkspace(deps.db, command.team_id), loadActivityTypes(deps.db, command.team_id)]);
  const parsed = parseTargetCommand(rest.join(' '), { types, currency: workspace.currency });
  if (parsed.kind === 'error') {
    return noticeMessage(parsed.message);
  }
  const userKey = userKeyOf(parsed.who);
  const whom = parsed.who.kind === 'everyone' ? 'everyone' : `<@${parsed.who.userId}>`;
  const metric = escapeMrkdwn(metricLabel(parsed.metric, types).toLowerCase());
  if (parsed.kind === 'remove') {
    const removed = await removeTarget(deps.db, command.team_id, userKey, parsed.metric);
    return noticeMessage(
      removed
        ? `:white_check_mark: Removed the ${metric} target for ${whom}.` +
            (parsed.who.kind === 'user' ? ' The everyone target for it applies to them again, if there is one.' : '')
        : `:information_source: There is no ${metric} target for ${whom}, so there was nothing to remove. See them all with \`/sales-admin targets\`.`,
    );
  }
  const { replaced } = await upsertTarget(
    deps.db,
    { teamId: command.team_id, userKey, metric: parsed.metric, amount: parsed.amount, currency: parsed.currency, period: parsed.period, createdBy: command.user_id },
    deps.clock.now(),
  );
  const described = escapeMrkdwn(describeTargetAmount(parsed, types));
  return noticeMessage(
    `:white_check_mark: Target set for ${whom}: ${described}.` +
      (replaced ? ` It replaces ${escapeMrkdwn(describeTargetAmount(replaced, types))}.` : '') +
      (parsed.who.kind === 'everyone' ? ` It applies to every rep without their own ${metric} target.` : '') +
      '\nSee them all with `/sales-admin targets`.',
  );
}

/** `/sales-admin targets`: every target, who it applies to and its period; the everyone targets first. */
async function listWorkspaceTargets({ deps, args }: AdminContext): Promise<Message> {
  const { command } = args;
  const [rows, types, workspace] = await Promise.all([
    listTargets(deps.db, command.team_id),
    loadActivityTypes(deps.db, command.team_id),
    ensureWorkspace(deps.db, command.team_id),
  ]);
  if (rows.length === 0) {
    return noticeMessage(`No targets are set yet.\n${targetForms(workspace.currency)}`);
  }
  const lines = rows.map((t) => `• ${t.userKey === EVERYONE ? 'Everyone' : `<@${t.userKey}>`}: ${escapeMrkdwn(describeTargetAmount(t, types))}`);
  const title = `*Targets* (${rows.length})`;
  const footer =
    'A rep’s own target replaces the everyone target for that metric. Change one by setting it again; remove one with `/sales-admin target @name calls off`.';
  return listMessage(title, lines, footer);
}
