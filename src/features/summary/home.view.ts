import type { types } from '@slack/bolt';
import type { ActivityTypeDef } from '../logging/activity-types.js';

export const HOME_LOG_ACTIVITY_ACTION = 'home_log_activity';

/** The App Home tab: what Sales Pulse does, a button to log an activity, and the commands. Pure. */
export function homeView(input: { types: ActivityTypeDef[]; displayName?: string }): types.HomeView {
  const greeting = input.displayName ? `Hi ${input.displayName.replace(/[<>&]/g, '')}! ` : '';
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Sales Pulse' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${greeting}Log your calls, emails, meetings and demos in seconds. Sales Pulse sets that activity beside the revenue it produces.`,
        },
      },
      {
        type: 'actions',
        block_id: 'home_actions',
        elements: [
          { type: 'button', action_id: HOME_LOG_ACTIVITY_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Log activity' } },
        ],
      },
      { type: 'divider' },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            '*Commands*',
            '• `/log-call Acme Corp 15m #connected -- asked for pricing`',
            '• `/log-call x12 #voicemail` logs a dialing block of 12 calls',
            '• `/log meeting Globex yesterday 1h #held`',
            '• `/log-email Initech -- sent proposal v2`',
            '• Any `/log…` command alone opens a form; add `help` for the full syntax.',
          ].join('\n'),
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Activity types: ${input.types.map((t) => t.label.toLowerCase()).join(', ')}.` }],
      },
    ],
  };
}
