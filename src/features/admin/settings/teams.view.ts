/**
 * The settings section `teams`, as Block Kit (pure): the list of teams with "New team" and an "Edit" per team, and
 * the team form pushed over it (name, home channel, managers, members).
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { SalesTeam } from '../../../org/index.js';
import { escapeMrkdwn, truncate } from '../../../slack/text.js';
import { MAX_TEAM_NAME_LENGTH, type FieldError } from '../org-changes.js';
import { MODAL_MAX_BLOCKS, noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const TEAMS_LIST_CALLBACK = 'settings_teams';
export const TEAM_FORM_CALLBACK = 'settings_teams_save';
export const NEW_TEAM_ACTION = 'settings_teams_new';
/** `settings_teams_edit_<n>`, its value the team's id (re-checked against the workspace when clicked). */
export const EDIT_TEAM_PREFIX = 'settings_teams_edit_';
export const EDIT_TEAM_ACTION = /^settings_teams_edit_\d+$/;

export const TEAM_BLOCKS = { name: 'settings_team_name', channel: 'settings_team_channel', managers: 'settings_team_managers', members: 'settings_team_members' } as const;
export const TEAM_ACTIONS = { name: 'name', channel: 'channel', managers: 'managers', members: 'members' } as const;

const mentions = (ids: string[]) => ids.map((id) => `<@${id}>`).join(', ');

/** The list of teams, with a notice on top (after a save). At most MODAL_MAX_BLOCKS blocks: the rest are counted. */
export function teamsListView(teams: SalesTeam[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(noticeBlock(notice));
  blocks.push({
    type: 'section',
    block_id: 'settings_teams_intro',
    text: {
      type: 'mrkdwn',
      text: 'A sales team has managers, members and a home channel, where its board is posted by default. Someone can be in several teams; someone in none still counts on the workspace board.',
    },
    accessory: { type: 'button', action_id: NEW_TEAM_ACTION, text: plain('New team', 75), style: 'primary', value: 'new' },
  });
  blocks.push({ type: 'divider' });
  if (teams.length === 0) blocks.push(noticeBlock('No teams yet. Press *New team* to create one.', 'settings_teams_empty'));
  const room = MODAL_MAX_BLOCKS - blocks.length - 1;
  const shown = teams.length > room ? teams.slice(0, room - 1) : teams;
  shown.forEach((team, i) => {
    const channel = team.channelId ? `<#${team.channelId}>` : 'no home channel';
    const managers = team.managers.length ? mentions(team.managers) : 'none yet';
    const members = team.members.length ? mentions(team.members) : 'none yet';
    blocks.push({
      type: 'section',
      block_id: `settings_team_${i}`,
      text: { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(team.name)}* in ${channel}\nManagers: ${managers}\nMembers (${team.members.length}): ${members}`, 3000) },
      accessory: { type: 'button', action_id: `${EDIT_TEAM_PREFIX}${i}`, text: plain('Edit', 75), value: team.id },
    });
  });
  if (shown.length < teams.length) {
    blocks.push(noticeBlock(`And ${teams.length - shown.length} more: see them all with \`/sales-admin teams\`.`, 'settings_teams_more'));
  }
  return sectionModal({ callbackId: TEAMS_LIST_CALLBACK, title: 'Teams', blocks });
}

export interface TeamFormMetadata {
  /** The team edited; absent for a new team. */
  salesTeamId?: string;
  /** The list view under the form, refreshed after a save. */
  listViewId?: string;
}

const metadataSchema = z.object({ t: z.string().max(64).optional(), l: z.string().max(64).optional() });

export function encodeTeamFormMetadata(meta: TeamFormMetadata): string {
  return JSON.stringify({ t: meta.salesTeamId, l: meta.listViewId });
}

/** The form's metadata; nothing when it is not ours (ids in it are re-checked against the workspace by the caller). */
export function decodeTeamFormMetadata(raw: string | undefined): TeamFormMetadata {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(raw ?? '{}'));
    return parsed.success ? { salesTeamId: parsed.data.t, listViewId: parsed.data.l } : {};
  } catch {
    return {};
  }
}

/** The team form: a new team (no `team`) or one to edit, its fields filled in. */
export function teamFormView(input: { team?: SalesTeam; listViewId?: string }): ModalView {
  const { team } = input;
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: TEAM_BLOCKS.name,
      label: plain('Name', 2000),
      element: {
        type: 'plain_text_input',
        action_id: TEAM_ACTIONS.name,
        max_length: MAX_TEAM_NAME_LENGTH,
        placeholder: plain('East AEs', 150),
        ...(team ? { initial_value: team.name } : {}),
      },
    },
    {
      type: 'input',
      block_id: TEAM_BLOCKS.channel,
      optional: true,
      label: plain('Home channel', 2000),
      hint: plain('Its board is posted here by default. Sales Pulse announces the team there, so it must be able to post in it.', 2000),
      element: {
        type: 'conversations_select',
        action_id: TEAM_ACTIONS.channel,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        placeholder: plain('Pick a channel', 150),
        ...(team?.channelId ? { initial_conversation: team.channelId } : {}),
      },
    },
    {
      type: 'input',
      block_id: TEAM_BLOCKS.managers,
      optional: true,
      label: plain('Managers', 2000),
      hint: plain('They see their team’s numbers, post and schedule its board, set its targets and log on its members’ behalf.', 2000),
      element: {
        type: 'multi_users_select',
        action_id: TEAM_ACTIONS.managers,
        placeholder: plain('Pick people', 150),
        ...(team?.managers.length ? { initial_users: team.managers } : {}),
      },
    },
    {
      type: 'input',
      block_id: TEAM_BLOCKS.members,
      optional: true,
      label: plain('Members', 2000),
      hint: plain('Ranked on the team’s board.', 2000),
      element: {
        type: 'multi_users_select',
        action_id: TEAM_ACTIONS.members,
        placeholder: plain('Pick people', 150),
        ...(team?.members.length ? { initial_users: team.members } : {}),
      },
    },
  ];
  return sectionModal({
    callbackId: TEAM_FORM_CALLBACK,
    title: team ? 'Edit team' : 'New team',
    submit: team ? 'Save' : 'Create',
    privateMetadata: encodeTeamFormMetadata({ salesTeamId: team?.id, listViewId: input.listViewId }),
    blocks,
  });
}

/** A view's `state.values` (block id -> action id -> element state), read through the schemas below. */
export type FormValues = Record<string, Record<string, unknown> | undefined>;

const textState = z.object({ value: z.string().max(3000).nullish() }).loose();
export const usersState = z.object({ selected_users: z.array(z.string().max(64)).max(500).nullish() }).loose();
const conversationState = z.object({ selected_conversation: z.string().max(64).nullish() }).loose();

/** What the form holds: the ids as sent (validated by saveTeam), nothing trusted. */
export function readTeamForm(values: FormValues): { name: string; channelId: string | null; managers: string[]; members: string[] } {
  const users = (block: string, action: string) => usersState.safeParse(values[block]?.[action] ?? {}).data?.selected_users ?? [];
  const channel = conversationState.safeParse(values[TEAM_BLOCKS.channel]?.[TEAM_ACTIONS.channel] ?? {}).data?.selected_conversation ?? null;
  return {
    name: textState.safeParse(values[TEAM_BLOCKS.name]?.[TEAM_ACTIONS.name] ?? {}).data?.value ?? '',
    channelId: channel,
    managers: users(TEAM_BLOCKS.managers, TEAM_ACTIONS.managers),
    members: users(TEAM_BLOCKS.members, TEAM_ACTIONS.members),
  };
}

/** Field errors as `response_action: 'errors'` wants them: under the field they are about (else under the name). */
export function teamFormErrors(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const block = e.field === 'channel' ? TEAM_BLOCKS.channel : e.field === 'managers' ? TEAM_BLOCKS.managers : e.field === 'members' ? TEAM_BLOCKS.members : TEAM_BLOCKS.name;
    out[block] ??= slackFieldText(e.message);
  }
  return out;
}

/** A field error is plain text under the field: no emoji codes or mrkdwn markers from the command's wording. */
export function slackFieldText(message: string): string {
  return truncate(
    message
      .replace(/^:[a-z_]+:\s*/, '')
      .replace(/<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g, 'that channel')
      .replace('run this command again', 'press Save again')
      .replace(/\*([^*]+)\*/g, '$1')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
    2000,
  );
}

/** A small modal pushed in place of a form when the person may not use it (or the team is gone). */
export function teamNoticeView(text: string): ModalView {
  return sectionModal({ callbackId: 'settings_teams_notice', title: 'Teams', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] });
}
