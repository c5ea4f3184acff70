/** The settings section `roles`, as Block Kit (pure): the Sales Pulse admins granted, and Slack's own admins. */
import type { types } from '@slack/bolt';
import { truncate } from '../../../slack/text.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';
import { usersState, type FormValues } from './teams.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const ROLES_CALLBACK = 'settings_roles_save';
export const ROLES_BLOCK = 'settings_roles_admins';
export const ROLES_ACTION = 'admins';

/** The roles view: who was made admin (editable), and the Slack admins and owners Sales Pulse knows (automatic). */
export function rolesView(input: { granted: string[]; slackAdmins: string[]; notice?: string }): ModalView {
  const automatic = input.slackAdmins.filter((id) => !input.granted.includes(id));
  const blocks: KnownBlock[] = [];
  if (input.notice) blocks.push(noticeBlock(input.notice));
  blocks.push(
    {
      type: 'section',
      block_id: 'settings_roles_intro',
      text: {
        type: 'mrkdwn',
        text: 'Sales Pulse admins change every setting, team and role. Team managers are set per team, under *Teams*.',
      },
    },
    {
      type: 'input',
      block_id: ROLES_BLOCK,
      optional: true,
      label: plain('Made admin in Sales Pulse', 2000),
      hint: plain('Add or remove people, then Save. You can’t remove yourself: ask another admin.', 2000),
      element: {
        type: 'multi_users_select',
        action_id: ROLES_ACTION,
        placeholder: plain('Pick people', 150),
        ...(input.granted.length ? { initial_users: input.granted } : {}),
      },
    },
    {
      type: 'section',
      block_id: 'settings_roles_slack',
      text: {
        type: 'mrkdwn',
        text: truncate(
          automatic.length
            ? `*Admins automatically* (Slack workspace admins and owners; change them in Slack): ${automatic.map((id) => `<@${id}>`).join(', ')}`
            : '*Admins automatically*: every Slack workspace admin and owner (change them in Slack).',
          3000,
        ),
      },
    },
  );
  return sectionModal({ callbackId: ROLES_CALLBACK, title: 'Roles', submit: 'Save', blocks });
}

/** The people picked (ids as sent; validated by the service). */
export function readRolesForm(values: FormValues): string[] {
  return usersState.safeParse(values[ROLES_BLOCK]?.[ROLES_ACTION] ?? {}).data?.selected_users ?? [];
}
