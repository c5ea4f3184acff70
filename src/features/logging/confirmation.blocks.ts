import type { Message } from '../../slack/blocks.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { describeActivity, formatDuration, typeNoun, type ActivitySummary } from '../../entries/describe.js';

export const ACTION_UNDO = 'activity_undo';
export const ACTION_EDIT = 'activity_edit';

export interface ConfirmationInput {
  activity: ActivitySummary & { id: string };
  type: ActivityTypeDef | undefined;
  /** The user's running total of this type for the current week, this entry included. */
  weekCount: number;
  now: Date;
  timeZone: string;
  verb?: 'Logged' | 'Updated';
}

function detailLines(a: ActivitySummary): string[] {
  const lines: string[] = [];
  if (a.contact) lines.push(`*Contact:* ${escapeMrkdwn(a.contact)}`);
  if (a.durationMinutes) lines.push(`*Duration:* ${formatDuration(a.durationMinutes)}`);
  if (a.notes) lines.push(`> ${escapeMrkdwn(truncate(a.notes, 2500)).replace(/\n/g, '\n> ')}`);
  return lines;
}

function weekLine(count: number, type: ActivityTypeDef | undefined, typeKey: string): string {
  return escapeMrkdwn(`That's ${count} ${typeNoun(type, typeKey, count)} this week.`);
}

/** The private reply after logging or editing: what was stored in plain words, the week's count, Undo and Edit. */
export function confirmationMessage(input: ConfirmationInput): Message {
  const { activity, type, weekCount, now, timeZone } = input;
  const verb = input.verb ?? 'Logged';
  const headline = `${verb} ${describeActivity(activity, type, now, timeZone)}`;
  const body = [`:white_check_mark: ${escapeMrkdwn(headline)}`, ...detailLines(activity)].join('\n');
  return {
    // `text` is mrkdwn as well (notification and accessibility fallback): user text must be escaped there too.
    text: `${escapeMrkdwn(headline)}. ${weekLine(weekCount, type, activity.typeKey)}`,
    blocks: [
      { type: 'section', block_id: 'activity_logged', text: { type: 'mrkdwn', text: truncate(body, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: weekLine(weekCount, type, activity.typeKey) }] },
      {
        type: 'actions',
        block_id: 'activity_actions',
        elements: [
          { type: 'button', action_id: ACTION_UNDO, text: { type: 'plain_text', text: 'Undo' }, value: activity.id },
          { type: 'button', action_id: ACTION_EDIT, text: { type: 'plain_text', text: 'Edit' }, value: activity.id },
        ],
      },
    ],
  };
}

/** Replaces the confirmation once the entry is undone. */
export function undoneMessage(input: Omit<ConfirmationInput, 'verb'>): Message {
  const { activity, type, weekCount, now, timeZone } = input;
  const headline = `Undone: ${describeActivity(activity, type, now, timeZone)} removed`;
  return {
    // `text` is mrkdwn as well (notification and accessibility fallback): user text must be escaped there too.
    text: `${escapeMrkdwn(headline)}. ${weekLine(weekCount, type, activity.typeKey)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${escapeMrkdwn(headline)}.` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: weekLine(weekCount, type, activity.typeKey) }] },
    ],
  };
}
