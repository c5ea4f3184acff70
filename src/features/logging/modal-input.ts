import { z } from 'zod';
import type { ActivityTypeDef } from './activity-types.js';
import { findOutcome } from './activity-types.js';
import { ACTION, BLOCK, TYPE_SELECT_ACTION } from './modal.view.js';
import { MAX_COUNT, MAX_TEXT_LENGTH, parseDurationText, validateOccurredDate, type ParseContext } from './parse.js';
import type { ActivityChanges } from './queries.js';

/** Slack's view.state.values: block_id -> action_id -> element state. */
const elementState = z
  .object({
    value: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
  })
  .loose();
export const viewStateSchema = z.record(z.string(), z.record(z.string(), elementState));
export type ViewStateValues = z.infer<typeof viewStateSchema>;

export type ModalReadResult = { ok: true; value: ActivityChanges } | { ok: false; errors: Record<string, string> };

function text(values: ViewStateValues, blockId: string, actionId: string): string | null {
  const v = values[blockId]?.[actionId]?.value?.trim();
  return v ? v : null;
}

/**
 * Validate a submitted log-activity modal with the same rules as the command.
 * Errors are keyed by block_id, for `response_action: errors` (shown under each field).
 */
export function readModalSubmission(rawValues: unknown, ctx: ParseContext): ModalReadResult {
  const parsed = viewStateSchema.safeParse(rawValues);
  if (!parsed.success) return { ok: false, errors: { [BLOCK.type]: 'The form came back incomplete. Please close it and try again.' } };
  const values = parsed.data;
  const errors: Record<string, string> = {};

  const typeKey = values[BLOCK.type]?.[TYPE_SELECT_ACTION]?.selected_option?.value;
  const type: ActivityTypeDef | undefined = typeKey ? ctx.types.find((t) => t.key === typeKey) : undefined;
  if (!type) errors[BLOCK.type] = typeKey ? `"${typeKey}" is no longer an activity type. Pick one from the list.` : 'Pick the kind of activity.';

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
  if (notes && notes.length > MAX_TEXT_LENGTH) errors[BLOCK.notes] = `Notes can be at most ${MAX_TEXT_LENGTH} characters (these are ${notes.length}).`;
  const account = text(values, BLOCK.account, ACTION.account);
  if (account && account.length > 200) errors[BLOCK.account] = 'Keep the account name under 200 characters.';
  const contact = text(values, BLOCK.contact, ACTION.contact);
  if (contact && contact.length > 200) errors[BLOCK.contact] = 'Keep the contact under 200 characters.';

  if (Object.keys(errors).length > 0 || !type || !occurredAt) return { ok: false, errors };
  return {
    ok: true,
    value: { typeKey: type.key, quantity: count, occurredAt, account, contact, outcome, durationMinutes, notes },
  };
}
