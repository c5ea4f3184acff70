/**
 * `/sales-admin team …`, `/sales-admin teams`, `/sales-admin admin …` and `/sales-admin admins`: sales teams and the
 * Sales Pulse admin role as text sub-commands. Parsing is in team-parse.ts, every change in org-changes.ts.
 */
import { findSalesTeamByName, listSalesTeams, type SalesTeam } from '../../org/index.js';
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { codeSafe } from '../../slack/command-text.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import type { AdminContext } from './context.js';
import {
  addTeamPeople,
  createTeam,
  deleteTeam,
  grantAdmin,
  listAdminGrants,
  listKnownSlackAdmins,
  removeTeamPeople,
  renameTeam,
  revokeAdmin,
  setTeamChannel,
  teamLabel,
  type OrgActor,
  type OrgResult,
} from './org-changes.js';
import { parseAdminRoleCommand, parseTeamCommand } from './team-parse.js';

const actorOf = ({ deps, args, role }: AdminContext): OrgActor => ({ deps, client: args.client, teamId: args.command.team_id, role });
const mentions = (ids: string[]): string => ids.map((id) => `<@${id}>`).join(', ');
const quotedCommand = (name: string, tail: string): string => `\`/sales-admin team "${codeSafe(name)}" ${tail}\``;
const refusal = (message: string): Message => noticeMessage(message.startsWith(':') ? message : `:warning: ${message}`);

function answer<T>(result: OrgResult<T>, done: (value: T) => string): Message {
  return result.ok ? noticeMessage(done(result.value)) : refusal(result.error.message);
}

/** `/sales-admin team …` (admins). */
export async function runTeamCommand(ctx: AdminContext): Promise<Message> {
  const { deps, args } = ctx;
  const parsed = parseTeamCommand(ctx.rest.join(' '));
  if (parsed.kind === 'error') return noticeMessage(parsed.message);
  const actor = actorOf(ctx);

  if (parsed.kind === 'create') {
    return answer(await createTeam(actor, { name: parsed.name, channelId: parsed.channelId }), (team) => {
      const where = team.channelId
        ? ` with home channel <#${team.channelId}>.`
        : `. It has no home channel yet: set one with ${quotedCommand(team.name, 'channel #channel')}.`;
      return `:white_check_mark: Created the team ${teamLabel(team.name)}${where}\nAdd people with ${quotedCommand(team.name, 'add @ana @ben')} and a manager with ${quotedCommand(team.name, 'manager @mia')}.`;
    });
  }

  const team = await findSalesTeamByName(deps.db, args.command.team_id, parsed.team);
  if (!team) return noticeMessage(`:warning: There is no team called ${teamLabel(parsed.team)}. See them all with \`/sales-admin teams\`.`);

  switch (parsed.kind) {
    case 'add':
    case 'manager-add': {
      const role = parsed.kind === 'add' ? 'member' : 'manager';
      return answer(await addTeamPeople(actor, team, role, parsed.userIds), ({ changed, unchanged }) => {
        const already = unchanged.length ? `${mentions(unchanged)} ${unchanged.length === 1 ? 'is' : 'are'} already ${role === 'member' ? 'in' : 'managing'} ${teamLabel(team.name)}` : '';
        if (!changed.length) return `:information_source: ${already}: nothing changed.`;
        const what = role === 'member' ? `Added ${mentions(changed)} to ${teamLabel(team.name)}.` : `${mentions(changed)} now ${changed.length === 1 ? 'manages' : 'manage'} ${teamLabel(team.name)}.`;
        return `:white_check_mark: ${what}${already ? ` ${already}.` : ''}`;
      });
    }
    case 'remove':
    case 'manager-remove': {
      const role = parsed.kind === 'remove' ? 'member' : 'manager';
      const noun = role === 'member' ? 'a member of' : 'a manager of';
      return answer(await removeTeamPeople(actor, team, role, parsed.userIds), ({ changed, unchanged }) => {
        const notThere = unchanged.length ? `${mentions(unchanged)} ${unchanged.length === 1 ? 'is not' : 'are not'} ${noun} ${teamLabel(team.name)}` : '';
        if (!changed.length) return `:information_source: ${notThere}, so nothing changed.`;
        const what = role === 'member' ? `Removed ${mentions(changed)} from ${teamLabel(team.name)}.` : `${mentions(changed)} no longer ${changed.length === 1 ? 'manages' : 'manage'} ${teamLabel(team.name)}.`;
        return `:white_check_mark: ${what}${notThere ? ` ${notThere}.` : ''}`;
      });
    }
    case 'channel':
      return answer(await setTeamChannel(actor, team, parsed.channelId), ({ changed }) =>
        changed
          ? `:white_check_mark: The home channel of ${teamLabel(team.name)} is now <#${parsed.channelId}>.`
          : `:information_source: <#${parsed.channelId}> already is the home channel of ${teamLabel(team.name)}: nothing changed.`,
      );
    case 'rename':
      return answer(await renameTeam(actor, team, parsed.name), ({ team: renamed, changed }) =>
        changed ? `:white_check_mark: Renamed ${teamLabel(team.name)} to ${teamLabel(renamed.name)}.` : `:information_source: The team already is called ${teamLabel(team.name)}: nothing changed.`,
      );
    case 'delete':
      return answer(
        await deleteTeam(actor, team),
        () => `:white_check_mark: Deleted the team ${teamLabel(team.name)}. Its people keep their entries and still count on the workspace board.`,
      );
  }
}

/** One line of `/sales-admin teams`. */
export function teamLine(team: SalesTeam): string {
  const channel = team.channelId ? `<#${team.channelId}>` : 'no home channel';
  const managers = team.managers.length ? mentions(team.managers) : 'none yet';
  const members = team.members.length ? mentions(team.members) : 'none yet';
  return truncate(`• *${escapeMrkdwn(team.name)}* in ${channel}\n    Managers: ${managers}\n    Members (${team.members.length}): ${members}`, 2800);
}

/** `/sales-admin teams` (admins and managers): every team with its managers, members and home channel. */
export async function listTeams({ deps, args }: AdminContext): Promise<Message> {
  const teams = await listSalesTeams(deps.db, args.command.team_id);
  if (teams.length === 0) return noticeMessage(`No sales teams yet. Create one with \`/sales-admin team create "East AEs" #sales-east\`.`);
  return listMessage(
    `*Sales teams* (${teams.length})`,
    teams.map(teamLine),
    'Change one with `/sales-admin team "Name" add|remove|manager|channel|rename|delete …`, or in the settings (`/sales-admin`).',
  );
}

/** `/sales-admin admin @a @b` and `/sales-admin admin remove @a` (admins). */
export async function runAdminRoleCommand(ctx: AdminContext): Promise<Message> {
  const parsed = parseAdminRoleCommand(ctx.rest.join(' '));
  if (parsed.kind === 'error') return noticeMessage(parsed.message);
  const actor = actorOf(ctx);
  if (parsed.kind === 'grant') {
    return answer(await grantAdmin(actor, parsed.userIds), ({ changed, unchanged }) => {
      const already = unchanged.length ? `${mentions(unchanged)} already ${unchanged.length === 1 ? 'is a' : 'are'} Sales Pulse admin${unchanged.length === 1 ? '' : 's'}` : '';
      if (!changed.length) return `:information_source: ${already}: nothing changed.`;
      return `:white_check_mark: ${mentions(changed)} ${changed.length === 1 ? 'is now a Sales Pulse admin' : 'are now Sales Pulse admins'}: every setting, team and role.${already ? ` ${already}.` : ''}`;
    });
  }
  return answer(await revokeAdmin(actor, parsed.userIds), ({ changed, unchanged, slackAdmins }) => {
    const parts: string[] = [];
    if (changed.length) parts.push(`:white_check_mark: ${mentions(changed)} ${changed.length === 1 ? 'is' : 'are'} no longer ${changed.length === 1 ? 'a Sales Pulse admin' : 'Sales Pulse admins'}.`);
    const notGranted = unchanged.filter((id) => !slackAdmins.includes(id));
    if (notGranted.length) parts.push(`${changed.length ? '' : ':information_source: '}${mentions(notGranted)} ${notGranted.length === 1 ? 'was not' : 'were not'} made admin in Sales Pulse: nothing to remove.`);
    if (slackAdmins.length) {
      parts.push(
        `${parts.length ? '' : ':information_source: '}${mentions(slackAdmins)} ${slackAdmins.length === 1 ? 'is a Slack workspace admin or owner' : 'are Slack workspace admins or owners'}, and so a Sales Pulse admin automatically: that can’t be removed here, only in Slack.`,
      );
    }
    return parts.join(' ');
  });
}

/** `/sales-admin admins` (admins): the admins granted in Sales Pulse, and Slack's own admins and owners Sales Pulse knows. */
export async function listAdmins({ deps, args }: AdminContext): Promise<Message> {
  const teamId = args.command.team_id;
  const [grants, slackAdmins] = await Promise.all([listAdminGrants(deps.db, teamId), listKnownSlackAdmins(deps.db, teamId)]);
  const lines = [
    ...grants.map((g) => `• <@${g.userId}> (made admin by <@${g.grantedBy}>)`),
    ...slackAdmins.filter((id) => !grants.some((g) => g.userId === id)).map((id) => `• <@${id}> (Slack workspace admin or owner: automatic)`),
  ];
  return listMessage(
    `*Sales Pulse admins*`,
    lines.length ? lines : ['No one was made admin yet; Slack workspace admins and owners are admins automatically.'],
    'Slack workspace admins and owners are admins automatically. Make someone admin with `/sales-admin admin @name`; remove it with `/sales-admin admin remove @name`.',
  );
}
