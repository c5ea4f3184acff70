import type { Message } from '../../slack/blocks.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { describeActivity, formatDuration, typeNoun, type ActivitySummary } from '../../entries/describe.js';
import { mention } from '../../entries/on-behalf.js';

export const ACTION_UNDO = 'activity_undo';
export const ACTION_EDIT = 'activity_edit';

export interface ConfirmationInput {
  /** `userId` and `loggedBy` say whose it is and who logged it for them (on someone's behalf). */
  activity: ActivitySummary & { id: string; userId?: string; loggedBy?: string | null };
  type: ActivityTypeDef | undefined;
  /** The user's running total of this type for the current week, this entry included. */
  weekCount: number;
  now: Date;
  timeZone: string;
  verb?: 'Logged' | 'Updated';
  /** Who reads it: when the entry is someone else's, it says whose ("for @Ana") and that `weekCount` is theirs. */
  viewerId?: string;
}

function detailLines(a: ActivitySummary): string[] {
  const lines: string[] = [];
  if (a.contact) lines.push(`*Contact:* ${escapeMrkdwn(a.contact)}`);
  if (a.durationMinutes) lines.push(`*Duration:* ${formatDuration(a.durationMinutes)}`);
  if (a.notes) lines.push(`> ${escapeMrkdwn(truncate(a.notes, 2500)).replace(/\n/g, '\n> ')}`);
  return lines;
}

function weekLine(count: number, type: ActivityTypeDef | undefined, typeKey: string, owner?: string): string {
  const noun = escapeMrkdwn(typeNoun(type, typeKey, count));
  return owner ? `That's ${count} ${noun} this week for ${mention(owner)}.` : `That's ${count} ${noun} this week.`;
}

/** The entry's owner when it is not the reader's own (logged on someone's behalf). */
function ownerFor(input: Pick<ConfirmationInput, 'activity' | 'viewerId'>): string | undefined {
  const owner = input.activity.userId;
  return input.viewerId && owner && owner !== input.viewerId ? owner : undefined;
}

/** "Logged by you." / "Logged by @Mia." for an entry logged on someone's behalf; empty otherwise. */
export function loggedByLine(loggedBy: string | null | undefined, viewerId: string | undefined): string {
  if (!loggedBy) return '';
  return loggedBy === viewerId ? 'Logged by you.' : `Logged by ${mention(loggedBy)}.`;
}

function contextLine(week: string, input: Pick<ConfirmationInput, 'activity' | 'viewerId'>): string {
  return [week, loggedByLine(input.activity.loggedBy, input.viewerId)].filter(Boolean).join(' ');
}

/** The private reply after logging or editing: what was stored in plain words, the week's count, Undo and Edit. */
export function confirmationMessage(input: ConfirmationInput): Message {
  const { activity, type, weekCount, now, timeZone } = input;
  const verb = input.verb ?? 'Logged';
  const owner = ownerFor(input);
  const described = escapeMrkdwn(describeActivity(activity, type, now, timeZone));
  const headline = owner ? `${verb} for ${mention(owner)}: ${described}` : `${verb} ${described}`;
  const context = contextLine(weekLine(weekCount, type, activity.typeKey, owner), input);
  const body = [`:white_check_mark: ${headline}`, ...detailLines(activity)].join('\n');
  return {
    // `text` is mrkdwn as well (notification and accessibility fallback): user text must be escaped there too.
    text: `${headline}. ${context}`,
    blocks: [
      { type: 'section', block_id: 'activity_logged', text: { type: 'mrkdwn', text: truncate(body, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
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
  const owner = ownerFor(input);
  const headline = `Undone: ${escapeMrkdwn(describeActivity(activity, type, now, timeZone))} removed${owner ? ` for ${mention(owner)}` : ''}`;
  const week = weekLine(weekCount, type, activity.typeKey, owner);
  return {
    // `text` is mrkdwn as well (notification and accessibility fallback): user text must be escaped there too.
    text: `${headline}. ${week}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${headline}.` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: week }] },
    ],
  };
}

/**
 * The DM that tells a rep someone logged an activity for them ("@Mia logged for you: 1 call with Acme Corp for
 * today"), with their week's count and Undo and Edit (theirs to use too).
 */
export function loggedForYouMessage(input: Omit<ConfirmationInput, 'verb' | 'viewerId'> & { loggedBy: string }): Message {
  const { activity, type, weekCount, now, timeZone } = input;
  const headline = `${mention(input.loggedBy)} logged for you: ${escapeMrkdwn(describeActivity(activity, type, now, timeZone))}`;
  const week = weekLine(weekCount, type, activity.typeKey);
  const body = [`:memo: ${headline}`, ...detailLines(activity)].join('\n');
  return {
    text: `${headline}. ${week}`,
    blocks: [
      { type: 'section', block_id: 'activity_logged_for_you', text: { type: 'mrkdwn', text: truncate(body, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${week} It counts as yours; undo or edit it here if it isn’t right.` }] },
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
