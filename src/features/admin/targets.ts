import { ADMIN_ONLY_TEXT, isAdmin, listSalesTeams, managesTeam, NOT_YOUR_TEAM_TEXT, recordAudit, type Role, type SalesTeam } from '../../org/index.js';
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { parseTeamPrefix, teamNamesList } from '../leaderboard/index.js';
import { loadActivityTypes } from '../logging/index.js';
import {
  describeTargetAmount,
  EVERYONE,
  listTargets,
  metricLabel,
  parseTargetCommand,
  removeTarget,
  salesTeamIdOfKey,
  targetForms,
  upsertTarget,
  userKeyOf,
  type TargetRow,
  type TargetWho,
} from '../targets/index.js';
import type { AdminContext } from './context.js';

const EVERYONE_ADMINS_ONLY =
  ':lock: Only Sales Pulse admins can set targets for everyone. You can set them for a team you manage (`/sales-admin target team "Your team" calls 50/week`) or for one of its members.';

/** `"East AEs"` as typed in a command (quotes that would end it dropped). */
function quotedName(name: string): string {
  return `"${name.replace(/[`"“”]/g, '')}"`;
}

/** The sales teams each person is a member of (ids), from the workspace's teams. */
function memberships(teams: SalesTeam[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const team of teams) for (const userId of team.members) out.set(userId, [...(out.get(userId) ?? []), team.id]);
  return out;
}

/** May `role` set targets for this person? Admins: anyone. Managers: members of a team they manage (themselves included only so). */
function managesRep(role: Role, memberOf: readonly string[]): boolean {
  return isAdmin(role) || memberOf.some((id) => role.managedTeamIds.includes(id));
}

/** What the audit log keeps of a target. */
function auditShape(row: Pick<TargetRow, 'metric' | 'amount' | 'currency' | 'period'>) {
  return { metric: row.metric, amount: row.amount.toString(), currency: row.currency, period: row.period };
}

/** `team "East AEs" …`: the team and the words after its name, or the answer when no team is named right. */
function readTeam(words: string[], teams: SalesTeam[]): { team: SalesTeam; rest: string } | { error: string } {
  const example = `/sales-admin target team ${quotedName(teams[0]?.name ?? 'East AEs')} calls 50/week`;
  if (teams.length === 0) return { error: ':warning: There are no teams yet, so there is no team to set a target for. Set one for `everyone` or for a rep instead.' };
  const prefix = parseTeamPrefix(words.join(' '), teams);
  switch (prefix.kind) {
    case 'team':
      return { team: prefix.team, rest: prefix.rest };
    case 'unclosed':
      return { error: `:warning: A team name in quotes needs its closing quote.\nTry: \`${example}\`` };
    case 'unknown':
      return { error: `:warning: There is no team called “${escapeMrkdwn(prefix.name)}”. The teams are ${teamNamesList(teams)}.\nTry: \`${example}\`` };
    case 'none':
      return { error: `:warning: Name the team right after \`team\`, as it is spelt; the teams are ${teamNamesList(teams)}.\nTry: \`${example}\`` };
  }
}

/**
 * `/sales-admin target <@rep|everyone|team "East AEs"> <metric> <amount>/<week|month|quarter>` and `… <metric> off`.
 * Admins: any target. Managers: their teams' targets and their teams' members' own targets; never everyone's.
 * Each change is stored with its audit entry (target.set / target.remove, before and after), in one transaction.
 */
export async function setTarget({ deps, args, role, rest }: AdminContext): Promise<Message> {
  const { command } = args;
  const teamId = command.team_id;
  const [workspace, types, teams] = await Promise.all([ensureWorkspace(deps.db, teamId), loadActivityTypes(deps.db, teamId), listSalesTeams(deps.db, teamId)]);
  const ctx = { types, currency: workspace.currency };
  let parsed;
  if (rest[0]?.toLowerCase() === 'team') {
    const named = readTeam(rest.slice(1), teams);
    if ('error' in named) return noticeMessage(named.error);
    const who: TargetWho = { kind: 'team', salesTeamId: named.team.id, name: named.team.name };
    parsed = parseTargetCommand(named.rest, ctx, { who, whoWord: `team ${quotedName(named.team.name)}` });
  } else {
    parsed = parseTargetCommand(rest.join(' '), ctx);
  }
  if (parsed.kind === 'error') {
    return noticeMessage(parsed.message);
  }

  // Permission, on the server, before anything is read about or stored for the person or team.
  const who = parsed.who;
  const memberOf = who.kind === 'user' ? (memberships(teams).get(who.userId) ?? []) : [];
  if (who.kind === 'everyone' && !isAdmin(role)) return noticeMessage(EVERYONE_ADMINS_ONLY);
  if (who.kind === 'team' && !managesTeam(role, who.salesTeamId)) return noticeMessage(NOT_YOUR_TEAM_TEXT);
  if (who.kind === 'user' && !managesRep(role, memberOf)) return noticeMessage(NOT_YOUR_TEAM_TEXT);

  const userKey = userKeyOf(who);
  const whom = who.kind === 'everyone' ? 'everyone' : who.kind === 'team' ? escapeMrkdwn(who.name) : `<@${who.userId}>`;
  const subject = who.kind === 'everyone' ? 'everyone' : who.kind === 'team' ? `team ${who.name}` : `<@${who.userId}>`;
  const metric = escapeMrkdwn(metricLabel(parsed.metric, types).toLowerCase());
  const now = deps.clock.now();
  if (parsed.kind === 'remove') {
    const metricKey = parsed.metric;
    const removed = await deps.db.transaction(async (tx) => {
      const row = await removeTarget(tx, teamId, userKey, metricKey);
      if (row) await recordAudit(tx, { teamId, actorId: command.user_id, action: 'target.remove', subject, before: auditShape(row), after: null, at: now });
      return row;
    });
    const fallsBackTo =
      who.kind === 'user'
        ? memberOf.length > 0
          ? ' Their team’s target for it applies to them again, or else the everyone target, if there is one.'
          : ' The everyone target for it applies to them again, if there is one.'
        : who.kind === 'team'
          ? ' The everyone target for it applies to its members again, if there is one.'
          : '';
    return noticeMessage(
      removed
        ? `:white_check_mark: Removed the ${metric} target for ${whom}.${fallsBackTo}`
        : `:information_source: There is no ${metric} target for ${whom}, so there was nothing to remove. See them all with \`/sales-admin targets\`.`,
    );
  }
  const set = parsed;
  const { replaced } = await deps.db.transaction(async (tx) => {
    const result = await upsertTarget(
      tx,
      { teamId, userKey, metric: set.metric, amount: set.amount, currency: set.currency, period: set.period, createdBy: command.user_id },
      now,
    );
    await recordAudit(tx, {
      teamId,
      actorId: command.user_id,
      action: 'target.set',
      subject,
      before: result.replaced ? auditShape(result.replaced) : null,
      after: auditShape(set),
      at: now,
    });
    return result;
  });
  const described = escapeMrkdwn(describeTargetAmount(set, types));
  return noticeMessage(
    `:white_check_mark: Target set for ${whom}: ${described}.` +
      (replaced ? ` It replaces ${escapeMrkdwn(describeTargetAmount(replaced, types))}.` : '') +
      (who.kind === 'everyone' ? ` It applies to every rep without their own ${metric} target.` : '') +
      (who.kind === 'team' ? ` It applies to every member of ${whom} without their own ${metric} target, instead of the everyone target.` : '') +
      '\nSee them all with `/sales-admin targets`.',
  );
}

/**
 * `/sales-admin targets`: the targets, who each applies to and its period: everyone's first, then each team's, then
 * each person's (with their teams). Admins see all; managers the everyone targets and their teams' and members'.
 */
export async function listWorkspaceTargets({ deps, args, role }: AdminContext): Promise<Message> {
  const { command } = args;
  if (!isAdmin(role) && role.managedTeamIds.length === 0) return noticeMessage(ADMIN_ONLY_TEXT);
  const [rows, types, workspace, teams] = await Promise.all([
    listTargets(deps.db, command.team_id),
    loadActivityTypes(deps.db, command.team_id),
    ensureWorkspace(deps.db, command.team_id),
    listSalesTeams(deps.db, command.team_id),
  ]);
  const teamsOf = memberships(teams);
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const visible = rows.filter((t) => {
    if (isAdmin(role) || t.userKey === EVERYONE) return true;
    const salesTeamId = salesTeamIdOfKey(t.userKey);
    return salesTeamId !== undefined ? managesTeam(role, salesTeamId) : managesRep(role, teamsOf.get(t.userKey) ?? []);
  });
  if (visible.length === 0) {
    return noticeMessage(`No targets are set yet.\n${targetForms(workspace.currency)}`);
  }
  const rank = (t: TargetRow) => (t.userKey === EVERYONE ? 0 : salesTeamIdOfKey(t.userKey) !== undefined ? 1 : 2);
  const teamOf = (t: TargetRow) => teamName.get(salesTeamIdOfKey(t.userKey) ?? '') ?? '';
  const sorted = [...visible].sort((a, b) => rank(a) - rank(b) || teamOf(a).localeCompare(teamOf(b)));
  const label = (t: TargetRow) => {
    if (t.userKey === EVERYONE) return 'Everyone';
    const salesTeamId = salesTeamIdOfKey(t.userKey);
    if (salesTeamId !== undefined) return `Team ${escapeMrkdwn(teamName.get(salesTeamId) ?? 'deleted team')}`;
    const names = (teamsOf.get(t.userKey) ?? []).map((id) => escapeMrkdwn(teamName.get(id) ?? '')).filter(Boolean);
    return names.length > 0 ? `<@${t.userKey}> (${names.join(', ')})` : `<@${t.userKey}>`;
  };
  const lines = sorted.map((t) => `• ${label(t)}: ${escapeMrkdwn(describeTargetAmount(t, types))}`);
  const title = isAdmin(role) ? `*Targets* (${sorted.length})` : `*Targets for your teams* (${sorted.length})`;
  const footer =
    'A rep’s own target replaces the everyone target for that metric.' +
    (teams.length > 0 ? ' A team’s target sits between them: it replaces the everyone target for its members (the most recently set one, for someone in several teams).' : '') +
    ' Change one by setting it again; remove one with `/sales-admin target @name calls off`.';
  return listMessage(title, lines, footer);
}
