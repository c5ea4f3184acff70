/** The messages of `/sales-admin forget @user`, pure. */
import type { Message } from '../../slack/blocks.js';
import { truncate } from '../../slack/text.js';

/** The button that erases, after Slack's confirmation dialog. Its value is the person's user id. */
export const FORGET_ACTION = 'admin_forget_erase';
export const FORGET_BLOCK = 'admin_forget';

export const FORGET_USAGE =
  ':warning: Name the person whose data to erase, for example `/sales-admin forget @ana`. It erases their activities, deals, targets, digest subscription, cached profile, team memberships and admin role.';

/** What was erased, by table, for the outcome and the audit log (counts only, never the data). */
export interface ErasedCounts {
  activities: number;
  deals: number;
  celebrations: number;
  targets: number;
  digestSubscriptions: number;
  profiles: number;
  teamMemberships: number;
  adminGrants: number;
}

/** The question, with the button whose confirmation dialog asks once more. Nothing is erased until both are pressed. */
export function forgetQuestion(userId: string, displayName: string): Message {
  const name = truncate(displayName, 60);
  const text = `*Erase all of <@${userId}>'s Sales Pulse data?* Their activities, deals, targets, digest subscription, cached profile, team memberships and admin role are deleted for good, and their entries disappear from every board and export. The audit log records that you erased them (not what).`;
  return {
    text: `Erase all of @${name}'s Sales Pulse data?`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        block_id: FORGET_BLOCK,
        elements: [
          {
            type: 'button',
            action_id: FORGET_ACTION,
            style: 'danger',
            text: { type: 'plain_text', text: truncate(`Erase @${name}'s data`, 75) },
            value: userId,
            confirm: {
              title: { type: 'plain_text', text: 'Erase for good?' },
              text: { type: 'plain_text', text: `Erase all of @${name}'s data? This cannot be undone.` },
              confirm: { type: 'plain_text', text: 'Erase' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing is erased until you press the button and confirm. To keep everything, just leave this message.' }] },
    ],
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The outcome, replacing the question. */
export function forgottenMessage(userId: string, counts: ErasedCounts): Message {
  const parts = [
    plural(counts.activities, 'activity', 'activities'),
    plural(counts.deals, 'deal', 'deals'),
    plural(counts.targets, 'target', 'targets'),
    plural(counts.digestSubscriptions, 'digest subscription', 'digest subscriptions'),
    plural(counts.profiles, 'cached profile', 'cached profiles'),
    plural(counts.teamMemberships, 'team role', 'team roles'),
    plural(counts.adminGrants, 'admin grant', 'admin grants'),
  ];
  const text = `:wastebasket: Erased all of <@${userId}>'s Sales Pulse data: ${parts.join(', ')}. Their entries no longer count on any board or export. The erasure is recorded in the audit log.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
