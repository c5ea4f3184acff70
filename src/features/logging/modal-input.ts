import { readAccountField } from '../../entries/account-field.js';
import { MAX_NOTES_LENGTH } from '../../entries/limits.js';
import { inputText as text, viewStateSchema } from '../../slack/view-state.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { findOutcome } from '../../entries/activity-types.js';
import { ACCOUNT_FIELD, ACTION, BLOCK, TYPE_SELECT_ACTION } from './modal.view.js';
import { MAX_COUNT, parseDurationText, validateOccurredDate, type ParseContext } from './parse.js';
import type { ActivityChanges } from './queries.js';

export type ModalReadResult = { ok: true; value: ActivityChanges } | { ok: false; errors: Record<string, string> };

/**
 * Validate a submitted log-activity modal with the same rules as the command.
 * Errors are keyed by block_id, for `response_action: errors` (shown under each field).
 */
export function readModalSubmission(rawValues: unknown, ctx: ParseContext, opts: { editedTypeKey?: string } = {}): ModalReadResult {
  const parsed = viewStateSchema.safeParse(rawValues);
  if (!parsed.success) return { ok: false, errors: { [BLOCK.type]: 'The form came back incomplete. Please close it and try again.' } };
  const values = parsed.data;
  const errors: Record<string, string> = {};

  const typeKey = values[BLOCK.type]?.[TYPE_SELECT_ACTION]?.selected_option?.value;
  const type: ActivityTypeDef | undefined = typeKey ? ctx.types.find((t) => t.key === typeKey) : undefined;
  if (!type) errors[BLOCK.type] = typeKey ? `"${typeKey}" is no longer an activity type. Pick one from the list.` : 'Pick the kind of activity.';
  // A hidden type is not offered (except to an entry being edited that already has it): a submission naming one is
  // forged or stale, and stores nothing.
  else if (type.hidden && type.key !== opts.editedTypeKey) errors[BLOCK.type] = `${type.label} is no longer logged here (a Sales Pulse admin hid it). Pick another type.`;

  // The outcome block's id carries the type it was built for; ignore a stale one from another type.
  let outcome: string | null = null;
  for (const [blockId, actions] of Object.entries(values)) {
    if (!blockId.startsWith(BLOCK.outcomePrefix)) continue;
    const picked = actions[ACTION.outcome]?.selected_option?.value;
    if (!picked || !type || blockId !== `${BLOCK.outcomePrefix}${type.key}`) continue;
    const canonical = findOutcome(type, picked);
    if (canonical) outcome = canonical;
    else errors[blockId] = `"${picked}" isn't an outcome for ${type.plural}. Use one of: ${type.outcomes.join(', ')}.`;
  }

  const isoDay = values[BLOCK.date]?.[ACTION.date]?.selected_date;
  let occurredAt: Date | undefined;
  if (!isoDay) errors[BLOCK.date] = 'Pick the day it happened.';
  else {
    const day = validateOccurredDate(isoDay, ctx);
    if (day instanceof Date) occurredAt = day;
    else errors[BLOCK.date] = day.message;
  }

  const durationText = text(values, BLOCK.duration, ACTION.duration);
  let durationMinutes: number | null = null;
  if (durationText) {
    const d = parseDurationText(durationText);
    if (typeof d === 'number') durationMinutes = d;
    else errors[BLOCK.duration] = d.message;
  }

  const countText = text(values, BLOCK.count, ACTION.count) ?? '1';
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || count < 1 || count > MAX_COUNT) errors[BLOCK.count] = `Enter a whole number from 1 to ${MAX_COUNT}.`;

  const notes = text(values, BLOCK.notes, ACTION.notes);
  if (notes && notes.length > MAX_NOTES_LENGTH) errors[BLOCK.notes] = `Notes can be at most ${MAX_NOTES_LENGTH} characters (these are ${notes.length}).`;
  // An existing account picked, or a new one typed: one of the two.
  const accountRead = readAccountField(values, ACCOUNT_FIELD);
  const account = accountRead.ok ? accountRead.account : null;
  if (!accountRead.ok) Object.assign(errors, accountRead.errors);
  const contact = text(values, BLOCK.contact, ACTION.contact);
  if (contact && contact.length > 200) errors[BLOCK.contact] = 'Keep the contact under 200 characters.';

  if (Object.keys(errors).length > 0 || !type || !occurredAt) return { ok: false, errors };
  return {
    ok: true,
    value: { typeKey: type.key, quantity: count, occurredAt, account, contact, outcome, durationMinutes, notes },
  };
}
