import { DEAL_KINDS, type DealKind } from '../../entries/deal-kinds.js';
import { validateEntryDay } from '../../entries/entry-date.js';
import { readAccountField } from '../../entries/account-field.js';
import { MAX_NOTES_LENGTH } from '../../entries/limits.js';
import { inputText, viewStateSchema } from '../../slack/view-state.js';
import type { DealFields } from './queries.js';
import { DEAL_ACCOUNT_FIELD, DEAL_ACTION, DEAL_BLOCK } from './modal.view.js';
import { parseAmountText, type DealParseContext } from './parse.js';

export type DealReadResult = { ok: true; value: Omit<DealFields, 'userId'> } | { ok: false; errors: Record<string, string> };

/** Validate a submitted log-deal modal with the command's rules. Errors are keyed by block_id. */
export function readDealSubmission(rawValues: unknown, ctx: DealParseContext): DealReadResult {
  const parsed = viewStateSchema.safeParse(rawValues);
  if (!parsed.success) return { ok: false, errors: { [DEAL_BLOCK.result]: 'The form came back incomplete. Please close it and try again.' } };
  const v = parsed.data;
  const errors: Record<string, string> = {};
  const text = (block: string, action: string) => inputText(v, block, action);

  const statusValue = v[DEAL_BLOCK.result]?.[DEAL_ACTION.result]?.selected_option?.value;
  const status = statusValue === 'won' || statusValue === 'lost' ? statusValue : undefined;
  if (!status) errors[DEAL_BLOCK.result] = 'Pick won or lost.';

  // A form opened before the field existed sends none: new business, as the command's default.
  const kindValue = v[DEAL_BLOCK.kind]?.[DEAL_ACTION.kind]?.selected_option?.value;
  const kind = kindValue === undefined ? 'new' : (DEAL_KINDS as readonly string[]).includes(kindValue) ? (kindValue as DealKind) : undefined;
  if (!kind) errors[DEAL_BLOCK.kind] = 'Pick new business, expansion or renewal.';

  const currency = v[DEAL_BLOCK.currency]?.[DEAL_ACTION.currency]?.selected_option?.value ?? ctx.defaultCurrency;
  const amountText = text(DEAL_BLOCK.amount, DEAL_ACTION.amount);
  let amount: DealFields['amount'] = null;
  if (amountText) {
    const a = parseAmountText(amountText, currency);
    if ('message' in a) errors[DEAL_BLOCK.amount] = a.message;
    else if (a.currency !== currency) errors[DEAL_BLOCK.amount] = `The amount is in ${a.currency} but the currency is set to ${currency}. Pick one.`;
    else amount = a;
  } else if (status === 'won') {
    errors[DEAL_BLOCK.amount] = 'A won deal needs its amount, like 12,500 or 12.5k.';
  }

  const isoDay = v[DEAL_BLOCK.date]?.[DEAL_ACTION.date]?.selected_date;
  let closedAt: Date | undefined;
  if (!isoDay) errors[DEAL_BLOCK.date] = 'Pick the day the deal closed.';
  else {
    const day = validateEntryDay(isoDay, ctx);
    if (day instanceof Date) closedAt = day;
    else errors[DEAL_BLOCK.date] = day.message;
  }

  // An existing account picked, or a new one typed: one of the two.
  const accountRead = readAccountField(v, DEAL_ACCOUNT_FIELD);
  const account = accountRead.ok ? accountRead.account : null;
  if (!accountRead.ok) Object.assign(errors, accountRead.errors);
  const notes = text(DEAL_BLOCK.notes, DEAL_ACTION.notes);
  if (notes && notes.length > MAX_NOTES_LENGTH) errors[DEAL_BLOCK.notes] = `Notes can be at most ${MAX_NOTES_LENGTH} characters.`;

  if (Object.keys(errors).length > 0 || !status || !kind || !closedAt) return { ok: false, errors };
  return { ok: true, value: { status, kind, amount, closedAt, account, notes } };
}
