import { and, asc, eq } from 'drizzle-orm';
import { leaderboardSchedules } from '../../db/schema/index.js';
import {
  cadenceLabel,
  describeCoverage,
  describeWhen,
  formatSlot,
  nextSlot,
  parseScheduleArgs,
  SCHEDULE_EXAMPLE,
} from '../leaderboard/index.js';
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { cannotPostCode } from '../../slack/web-api-errors.js';
import { cannotPostThere, type AdminContext } from './context.js';

/** `#name` when Slack sent the channel's name, else a placeholder the admin replaces. */
function channelWord(name: string | undefined): string {
  return name ? `#${name}` : '#channel';
}

/** `/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [zone]` and `… #channel off`. */
export async function setLeaderboardSchedule({ deps, args, admin, rest }: AdminContext): Promise<Message> {
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
export async function listLeaderboardSchedules({ deps, args }: AdminContext): Promise<Message> {
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
