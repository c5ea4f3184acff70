import type { types } from '@slack/bolt';
import type { DigestDefault } from '../notifications.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const NOTIFICATIONS_CALLBACK = 'settings_notifications';
export const CELEBRATIONS_BLOCK = 'settings_notify_celebrations';
export const DIGEST_BLOCK = 'settings_notify_digest';
export const ROTATE_SECRET_ACTION = 'settings_notify_rotate_secret';
const ACTION = 'value';

export interface NotificationSettings {
  celebrationsChannel: string | null;
  digestDefault: DigestDefault;
  /** When the deal-webhook secret was made or last rotated; null: none yet. */
  secretSince: Date | null;
}

const DIGEST_OPTIONS = [
  { text: plain('Opt-in: only people who subscribe', 75), value: 'off' },
  { text: plain('Everyone, weekly (they can opt out)', 75), value: 'weekly' },
];

/** The notifications section; `secret` (just made) is shown once, never stored in the view after. Pure. */
export function notificationsView(s: NotificationSettings, opts: { notice?: string; secret?: string } = {}): ModalView {
  const secretText = s.secretSince
    ? `*Deal webhook secret*\nYour CRM signs deal webhooks with it. Made or last rotated ${s.secretSince.toISOString().slice(0, 10)}. Rotating makes a new one and the old one stops working at once.`
    : '*Deal webhook secret*\nNone yet. Create one and put it in your CRM: it signs the deal webhooks it sends to Sales Pulse.';
  const blocks: KnownBlock[] = [
    ...(opts.notice ? [noticeBlock(opts.notice)] : []),
    ...(opts.secret
      ? [
          {
            type: 'section' as const,
            block_id: 'settings_notify_new_secret',
            text: {
              type: 'mrkdwn' as const,
              text: `:key: *Your new deal webhook secret.* It is shown only this once: copy it into your CRM’s secret store now.\n\`\`\`${opts.secret}\`\`\``,
            },
          },
        ]
      : []),
    {
      type: 'input',
      block_id: CELEBRATIONS_BLOCK,
      optional: true,
      label: plain('Win celebrations channel'),
      hint: plain('Every won deal is celebrated there. Leave it empty to turn celebrations off. Invite @Sales Pulse to the channel first.'),
      element: {
        type: 'conversations_select',
        action_id: ACTION,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(s.celebrationsChannel ? { initial_conversation: s.celebrationsChannel } : {}),
      },
    },
    {
      type: 'input',
      block_id: DIGEST_BLOCK,
      label: plain('Weekly digest default'),
      hint: plain('For people who never chose: the weekly DM digest (Fridays 16:00, their time zone) or nothing until they subscribe. Teams can have their own.'),
      element: { type: 'static_select', action_id: ACTION, options: DIGEST_OPTIONS, initial_option: DIGEST_OPTIONS.find((o) => o.value === s.digestDefault) ?? DIGEST_OPTIONS[0]! },
    },
    {
      type: 'section',
      block_id: 'settings_notify_secret',
      text: { type: 'mrkdwn', text: secretText },
      accessory: {
        type: 'button',
        action_id: ROTATE_SECRET_ACTION,
        text: plain(s.secretSince ? 'Rotate secret' : 'Create secret', 75),
        value: 'rotate',
        ...(s.secretSince
          ? {
              style: 'danger' as const,
              confirm: {
                title: plain('Rotate the secret?', 100),
                text: plain('The old secret stops working at once: deal webhooks signed with it are refused until your CRM has the new one.', 300),
                confirm: plain('Rotate', 30),
                deny: plain('Cancel', 30),
              },
            }
          : {}),
      },
    },
  ];
  return sectionModal({ callbackId: NOTIFICATIONS_CALLBACK, title: 'Notifications', submit: 'Save', blocks });
}

type StateValues = Record<string, Record<string, { selected_conversation?: string | null; selected_option?: { value: string } | null }>>;

export type NotificationsForm = { ok: true; celebrationsChannel: string | null; digestDefault: DigestDefault } | { ok: false; errors: Record<string, string> };

/** What the form says. Pure. */
export function notificationsFormInput(values: StateValues): NotificationsForm {
  const channel = values[CELEBRATIONS_BLOCK]?.[ACTION]?.selected_conversation ?? null;
  const digest = values[DIGEST_BLOCK]?.[ACTION]?.selected_option?.value;
  if (channel !== null && !/^[CG][A-Z0-9]{2,}$/.test(channel)) return { ok: false, errors: { [CELEBRATIONS_BLOCK]: 'Pick a channel from the list.' } };
  if (digest !== 'off' && digest !== 'weekly') return { ok: false, errors: { [DIGEST_BLOCK]: 'Pick who gets the weekly digest.' } };
  return { ok: true, celebrationsChannel: channel, digestDefault: digest };
}
