import { and, asc, eq, inArray } from 'drizzle-orm';
import { leaderboardSchedules } from '../../db/schema/index.js';
import { isAdmin, listSalesTeams, managesTeam, NOT_YOUR_TEAM_TEXT, recordAudit, type SalesTeam } from '../../org/index.js';
import {
  cadenceLabel,
  describeCoverage,
  describeWhen,
  formatSlot,
  nextSlot,
  parseScheduleArgs,
  parseTeamPrefix,
  SCHEDULE_EXAMPLE,
  teamNamesList,
} from '../leaderboard/index.js';
import { listMessage, noticeMessage, parseChannelMention, type Message } from '../../slack/blocks.js';
import { tokenize } from '../../slack/command-text.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { cannotPostCode } from '../../slack/web-api-errors.js';
import { cannotPostThere, type AdminContext } from './context.js';

type ScheduleRow = typeof leaderboardSchedules.$inferSelect;

/** `#name` when Slack sent the channel's name, else a placeholder the admin replaces. */
function channelWord(name: string | undefined): string {
  return name ? `#${name}` : '#channel';
}

/** `"East AEs"` as typed in a command (quotes that would end it dropped). */
function quotedName(name: string): string {
  return `"${name.replace(/[`"“”]/g, '')}"`;
}

const WORKSPACE_ONLY_ADMINS =
  ':lock: Only Sales Pulse admins can schedule the whole workspace’s leaderboard. To schedule your team’s, name the team first: `/sales-admin leaderboard "Your team" weekly mon 09:00`.';

/** What the audit log keeps of a schedule. */
function auditShape(row: Pick<ScheduleRow, 'channelId' | 'salesTeamId' | 'cadence' | 'weekday' | 'timeOfDay' | 'timeZone'>, teamName: string | undefined) {
  return {
    channel: row.channelId,
    salesTeamId: row.salesTeamId,
    ...(teamName ? { salesTeam: teamName } : {}),
    cadence: row.cadence,
    weekday: row.weekday,
    timeOfDay: row.timeOfDay,
    timeZone: row.timeZone,
  };
}

/** May `role` change (replace or stop) this existing schedule? A workspace board: admins. A team's: its managers too. */
function mayChange(ctx: AdminContext, row: ScheduleRow): boolean {
  return row.salesTeamId === null ? isAdmin(ctx.role) : managesTeam(ctx.role, row.salesTeamId);
}

/** The words after `leaderboard`: a team named first (quoted or not) makes it that team's board. */
type Target = { team?: SalesTeam; tokens: string[]; teams: SalesTeam[] } | { error: string };

async function readTarget(ctx: AdminContext): Promise<Target> {
  const { deps, args, rest } = ctx;
  const first = rest[0];
  // A channel link first: the workspace board (or, with `off`, whatever is scheduled there).
  if (first === undefined || parseChannelMention(first)) return { tokens: rest, teams: [] };
  const teams = await listSalesTeams(deps.db, args.command.team_id);
  if (teams.length === 0) return { tokens: rest, teams };
  const prefix = parseTeamPrefix(rest.join(' '), teams);
  const example = `/sales-admin leaderboard ${quotedName(teams[0]!.name)} weekly mon 09:00`;
  switch (prefix.kind) {
    case 'unclosed':
      return { error: `:warning: A team name in quotes needs its closing quote.\nTry: \`${example}\`` };
    case 'unknown':
      return { error: `:warning: There is no team called “${escapeMrkdwn(prefix.name)}”. The teams are ${teamNamesList(teams)}.\nTry: \`${example}\`` };
    case 'none':
      return { tokens: rest, teams };
    case 'team':
      return { team: prefix.team, tokens: tokenize(prefix.rest), teams };
  }
}

/**
 * `/sales-admin leaderboard [team] #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [zone]`, `… #channel off` and
 * `… "East AEs" off`. A team named first schedules that team's board (ranked within the team), in its home channel
 * unless a channel is given. Admins schedule any board; managers only their teams' boards, and may not replace or
 * stop the workspace's or another team's. Checked before anything is posted or stored; stored with its audit entry.
 */
export async function setLeaderboardSchedule(ctx: AdminContext): Promise<Message> {
  const { deps, args, admin } = ctx;
  const { command, client } = args;
  const target = await readTarget(ctx);
  if ('error' in target) return noticeMessage(target.error);
  const { team } = target;
  let tokens = target.tokens;

  if (team) {
    if (!managesTeam(ctx.role, team.id)) return noticeMessage(NOT_YOUR_TEAM_TEXT);
    if (tokens.length === 1 && tokens[0]!.toLowerCase() === 'off') return stopTeamSchedules(ctx, team);
    if (!tokens[0] || !parseChannelMention(tokens[0])) {
      if (!team.channelId) {
        return noticeMessage(
          `:warning: ${escapeMrkdwn(team.name)} has no home channel, so say where to post its board.\nTry: \`/sales-admin leaderboard ${quotedName(team.name)} #channel weekly mon 09:00\``,
        );
      }
      tokens = [`<#${team.channelId}>`, ...tokens];
    }
  }

  const parsed = parseScheduleArgs(tokens, { timeZone: admin.timeZone });
  if ('error' in parsed) {
    // Named no team and no channel: the teams may be what was meant.
    const hint = !team && target.teams.length > 0 && !parseChannelMention(tokens[0] ?? '') ? `\nFor a team’s board, name the team first; the teams are ${teamNamesList(target.teams)}.` : '';
    return noticeMessage(parsed.error + hint);
  }
  const [existing] = await deps.db
    .select()
    .from(leaderboardSchedules)
    .where(and(eq(leaderboardSchedules.teamId, command.team_id), eq(leaderboardSchedules.channelId, parsed.channelId)));

  if ('off' in parsed) {
    if (!existing) {
      return noticeMessage(
        `:information_source: No leaderboard is scheduled in <#${parsed.channelId}>, so there was nothing to turn off. See them all with \`/sales-admin leaderboards\`.`,
      );
    }
    if ((team && existing.salesTeamId !== team.id) || !mayChange(ctx, existing)) {
      return noticeMessage(
        team && existing.salesTeamId !== team.id
          ? `:information_source: The leaderboard scheduled in <#${parsed.channelId}> is not ${escapeMrkdwn(team.name)}’s, so I left it. See them with \`/sales-admin leaderboards\`.`
          : NOT_YOUR_TEAM_TEXT,
      );
    }
    await deps.db.transaction(async (tx) => {
      await tx.delete(leaderboardSchedules).where(eq(leaderboardSchedules.id, existing.id));
      await recordAudit(tx, {
        teamId: command.team_id,
        actorId: command.user_id,
        action: 'schedule.remove',
        subject: `<#${existing.channelId}>`,
        before: auditShape(existing, target.teams.find((t) => t.id === existing.salesTeamId)?.name),
        after: null,
        at: deps.clock.now(),
      });
    });
    return noticeMessage(`:white_check_mark: The scheduled leaderboard in <#${parsed.channelId}> is off.`);
  }

  if (!team && !isAdmin(ctx.role)) return noticeMessage(WORKSPACE_ONLY_ADMINS);
  // A manager never replaces the workspace's board, nor another team's, by scheduling in its channel.
  if (existing && existing.salesTeamId !== (team?.id ?? null) && !mayChange(ctx, existing)) {
    return noticeMessage(
      `:lock: <#${parsed.channelId}> already has ${existing.salesTeamId === null ? 'the whole workspace’s' : 'another team’s'} scheduled leaderboard, and only an admin can replace it. Pick another channel.`,
    );
  }

  const schedule = { cadence: parsed.cadence, weekday: parsed.weekday, timeOfDay: parsed.timeOfDay, timeZone: parsed.timeZone };
  const label = cadenceLabel(schedule.cadence);
  const when = `${describeWhen(schedule)} (${schedule.timeZone})`;
  const boardName = team ? `${escapeMrkdwn(team.name)} leaderboard` : 'leaderboard';
  // Prove the bot can post there before saving, and tell the channel what to expect.
  try {
    await client.chat.postMessage({
      channel: parsed.channelId,
      text: `:trophy: ${label} ${boardName} will be posted here ${when}, covering ${describeCoverage(schedule.cadence)}. Set by <@${command.user_id}>.`,
    });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) {
      return noticeMessage(cannotPostThere(code, parsed.channelId));
    }
    throw error;
  }

  const now = deps.clock.now();
  const salesTeamId = team?.id ?? null;
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(leaderboardSchedules)
      .values({ teamId: command.team_id, channelId: parsed.channelId, salesTeamId, ...schedule, createdBy: command.user_id, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [leaderboardSchedules.teamId, leaderboardSchedules.channelId],
        // The person who changed it last is the one told about failures. Runs of the old timing never repeat:
        // slots before updatedAt are not due (see job.ts).
        set: { ...schedule, salesTeamId, createdBy: command.user_id, updatedAt: now },
      });
    await recordAudit(tx, {
      teamId: command.team_id,
      actorId: command.user_id,
      action: 'schedule.set',
      subject: `<#${parsed.channelId}>`,
      before: existing ? auditShape(existing, target.teams.find((t) => t.id === existing.salesTeamId)?.name) : null,
      after: auditShape({ channelId: parsed.channelId, salesTeamId, ...schedule }, team?.name),
      at: now,
    });
  });
  const stop = team ? `/sales-admin leaderboard ${quotedName(team.name)} off` : `/sales-admin leaderboard ${channelWord(parsed.channelName)} off`;
  return noticeMessage(
    `:white_check_mark: ${label} ${boardName} scheduled in <#${parsed.channelId}>: ${when}, covering ${describeCoverage(schedule.cadence)}.` +
      (existing ? ' It replaces the schedule that channel had.' : '') +
      `\nNext: ${formatSlot(nextSlot(schedule, now), schedule.timeZone)}. Stop it with \`${escapeMrkdwn(stop)}\`.`,
  );
}

/** `/sales-admin leaderboard "East AEs" off`: every scheduled board of that team, wherever it is posted. */
async function stopTeamSchedules(ctx: AdminContext, team: SalesTeam): Promise<Message> {
  const { deps, args } = ctx;
  const teamId = args.command.team_id;
  const now = deps.clock.now();
  const removed = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .delete(leaderboardSchedules)
      .where(and(eq(leaderboardSchedules.teamId, teamId), eq(leaderboardSchedules.salesTeamId, team.id)))
      .returning();
    for (const row of rows) {
      await recordAudit(tx, { teamId, actorId: args.command.user_id, action: 'schedule.remove', subject: `<#${row.channelId}>`, before: auditShape(row, team.name), after: null, at: now });
    }
    return rows;
  });
  const name = escapeMrkdwn(team.name);
  if (removed.length === 0) {
    return noticeMessage(`:information_source: No leaderboard of ${name} is scheduled, so there was nothing to turn off. See them with \`/sales-admin leaderboards\`.`);
  }
  const where = removed.map((r) => `<#${r.channelId}>`).join(', ');
  return noticeMessage(`:white_check_mark: The scheduled ${name} leaderboard in ${where} is off.`);
}

/**
 * `/sales-admin leaderboards`: the schedules with their next run, in their own zones, and whose board each is. Admins
 * see every schedule; managers the schedules of the teams they manage.
 */
export async function listLeaderboardSchedules({ deps, args, role }: AdminContext): Promise<Message> {
  const { command } = args;
  const managerOnly = !isAdmin(role);
  if (managerOnly && role.managedTeamIds.length === 0) return noticeMessage(NOT_YOUR_TEAM_TEXT);
  const [schedules, teams] = await Promise.all([
    deps.db
      .select()
      .from(leaderboardSchedules)
      .where(
        and(eq(leaderboardSchedules.teamId, command.team_id), managerOnly ? inArray(leaderboardSchedules.salesTeamId, role.managedTeamIds) : undefined),
      )
      .orderBy(asc(leaderboardSchedules.createdAt), asc(leaderboardSchedules.channelId)),
    listSalesTeams(deps.db, command.team_id),
  ]);
  if (schedules.length === 0) {
    return noticeMessage(
      managerOnly
        ? `No leaderboards of your teams are scheduled. Schedule one with \`/sales-admin leaderboard ${quotedName(teams.find((t) => managesTeam(role, t.id))?.name ?? 'Your team')} weekly mon 09:00\`.`
        : `No leaderboards are scheduled. Schedule one with \`${SCHEDULE_EXAMPLE}\`.`,
    );
  }
  const now = deps.clock.now();
  // Whose board each is: named when any schedule in the list is a team's.
  const labelled = schedules.some((s) => s.salesTeamId !== null);
  const whose = (s: ScheduleRow) => {
    if (!labelled) return '';
    if (s.salesTeamId === null) return ' (whole workspace)';
    const name = teams.find((t) => t.id === s.salesTeamId)?.name;
    return name ? ` (${escapeMrkdwn(name)})` : ' (a deleted team: not posted)';
  };
  const lines = schedules.map(
    (s) => `• <#${s.channelId}>${whose(s)}: ${s.cadence}, ${describeWhen(s)} (${s.timeZone}). Next: ${formatSlot(nextSlot(s, now), s.timeZone)}`,
  );
  const title = managerOnly ? `*Scheduled leaderboards of your teams* (${schedules.length})` : `*Scheduled leaderboards* (${schedules.length})`;
  const footer = 'Change one by scheduling its channel again; stop one with `/sales-admin leaderboard #channel off`.';
  return listMessage(title, lines, footer);
}
