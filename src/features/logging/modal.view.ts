import type { types } from '@slack/bolt';
import { truncate } from '../../slack/text.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { onBehalfBlock } from '../../entries/on-behalf.js';
import { accountFieldBlocks, type AccountFieldIds } from '../../entries/account-field.js';
import { MAX_COUNT } from './parse.js';

type View = types.ModalView;
type KnownBlock = types.KnownBlock;
type PlainTextOption = types.PlainTextOption;

export const LOG_MODAL_CALLBACK = 'log_activity_modal';
export const TYPE_SELECT_ACTION = 'type_input';

export const BLOCK = {
  type: 'type_block',
  /** An existing account, searched as you type (external_select; entries/account-field.ts). */
  accountPick: 'account_pick_block',
  /** A new account, typed (or an edited entry's account as it is). */
  account: 'account_block',
  contact: 'contact_block',
  /** Suffixed with the type key, so switching type gives a fresh outcome select (Slack keeps input per block_id). */
  outcomePrefix: 'outcome_block__',
  date: 'date_block',
  duration: 'duration_block',
  count: 'count_block',
  notes: 'notes_block',
} as const;

export const ACTION = {
  accountPick: 'account_pick_input',
  account: 'account_input',
  contact: 'contact_input',
  outcome: 'outcome_input',
  date: 'date_input',
  duration: 'duration_input',
  count: 'count_input',
  notes: 'notes_input',
} as const;

/** The account field: an existing account (suggested as you type) or a new one (entries/account-field.ts). */
export const ACCOUNT_FIELD: AccountFieldIds = {
  pick: { blockId: BLOCK.accountPick, actionId: ACTION.accountPick },
  typed: { blockId: BLOCK.account, actionId: ACTION.account },
};

/** The "On behalf of" field, for admins and managers only: the rep it is logged for (see entries/on-behalf.ts). */
export const ON_BEHALF_FIELD = { blockId: 'on_behalf_block', actionId: 'on_behalf_input' } as const;

/** Where the modal came from, carried in private_metadata. */
export interface ModalMetadata {
  /** Channel the user started in: the confirmation goes there (ephemeral), else by DM. */
  channelId?: string;
  /** Set when editing an existing entry. */
  activityId?: string;
}

export interface ModalPrefill {
  typeKey?: string;
  account?: string | null;
  contact?: string | null;
  outcome?: string | null;
  /** YYYY-MM-DD in the user's time zone. */
  date: string;
  durationMinutes?: number | null;
  count?: number;
  notes?: string | null;
}

export function encodeMetadata(meta: ModalMetadata): string {
  return JSON.stringify(meta);
}

export function decodeMetadata(raw: string | undefined): ModalMetadata {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as ModalMetadata;
    return {
      channelId: typeof parsed.channelId === 'string' ? parsed.channelId : undefined,
      activityId: typeof parsed.activityId === 'string' ? parsed.activityId : undefined,
    };
  } catch {
    return {};
  }
}

function option(text: string, value: string): PlainTextOption {
  return { text: { type: 'plain_text', text: truncate(text, 75) }, value: truncate(value, 75) };
}

function textInput(blockId: string, actionId: string, label: string, opts: { initial?: string | null; placeholder?: string; multiline?: boolean; maxLength?: number; hint?: string }): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: { type: 'plain_text', text: label },
    ...(opts.hint ? { hint: { type: 'plain_text', text: opts.hint } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: actionId,
      ...(opts.multiline ? { multiline: true } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.placeholder ? { placeholder: { type: 'plain_text', text: opts.placeholder } } : {}),
    },
  };
}

/** The log-activity modal, for a new entry or (with metadata.activityId) for editing one. Pure: data in, view out. */
export function logActivityModal(input: {
  types: ActivityTypeDef[];
  prefill: ModalPrefill;
  metadata: ModalMetadata;
  /** Show the "On behalf of" field (admins and managers; never when editing), preselecting `initialUser`. */
  onBehalf?: { initialUser?: string };
}): View {
  const { types, prefill, metadata } = input;
  const editing = Boolean(metadata.activityId);
  // Hidden types are not offered, except the one an edited entry already has.
  const typeOptions = types
    .filter((t) => !t.hidden || t.key === prefill.typeKey)
    .slice(0, 100)
    .map((t) => option(t.label, t.key));
  const selected = types.find((t) => t.key === prefill.typeKey);
  const selectedOption = typeOptions.find((o) => o.value === selected?.key);

  const blocks: KnownBlock[] = [
    ...(input.onBehalf && !editing ? [onBehalfBlock(ON_BEHALF_FIELD, input.onBehalf.initialUser)] : []),
    {
      type: 'input',
      block_id: BLOCK.type,
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Activity' },
      element: {
        type: 'static_select',
        action_id: TYPE_SELECT_ACTION,
        placeholder: { type: 'plain_text', text: 'Call, email, meeting…' },
        options: typeOptions,
        ...(selectedOption ? { initial_option: selectedOption } : {}),
      },
    },
    ...accountFieldBlocks(ACCOUNT_FIELD, { initialTyped: prefill.account }),
    textInput(BLOCK.contact, ACTION.contact, 'Contact', { initial: prefill.contact, placeholder: 'Jane Doe, VP Sales', maxLength: 200 }),
  ];

  if (selected && selected.outcomes.length > 0) {
    const outcomeOptions = selected.outcomes.slice(0, 100).map((o) => option(o, o));
    const initial = outcomeOptions.find((o) => o.value === prefill.outcome);
    blocks.push({
      type: 'input',
      block_id: `${BLOCK.outcomePrefix}${selected.key}`,
      optional: true,
      label: { type: 'plain_text', text: 'Outcome' },
      element: {
        type: 'static_select',
        action_id: ACTION.outcome,
        placeholder: { type: 'plain_text', text: 'How did it go?' },
        options: outcomeOptions,
        ...(initial ? { initial_option: initial } : {}),
      },
    });
  }

  blocks.push(
    {
      type: 'input',
      block_id: BLOCK.date,
      label: { type: 'plain_text', text: 'Date' },
      element: { type: 'datepicker', action_id: ACTION.date, initial_date: prefill.date },
    },
    textInput(BLOCK.duration, ACTION.duration, 'Duration', {
      initial: prefill.durationMinutes ? formatDurationInput(prefill.durationMinutes) : null,
      placeholder: '15m, 1h30m or 1.5h',
      maxLength: 20,
    }),
    {
      type: 'input',
      block_id: BLOCK.count,
      label: { type: 'plain_text', text: 'How many' },
      hint: { type: 'plain_text', text: `Log a block of identical activities at once (1 to ${MAX_COUNT}).` },
      element: {
        type: 'number_input',
        action_id: ACTION.count,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: String(MAX_COUNT),
        initial_value: String(prefill.count ?? 1),
      },
    },
    textInput(BLOCK.notes, ACTION.notes, 'Notes', { initial: prefill.notes, multiline: true, maxLength: 3000, placeholder: 'Asked for pricing' }),
  );

  return {
    type: 'modal',
    callback_id: LOG_MODAL_CALLBACK,
    private_metadata: encodeMetadata(metadata),
    title: { type: 'plain_text', text: editing ? 'Edit activity' : 'Log activity' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** Duration in the form the command accepts, so the modal round-trips (90 -> "1h30m"). */
export function formatDurationInput(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}
