import type { types } from '@slack/bolt';
import { minorToDecimal } from '../../lib/money.js';
import { onBehalfBlock } from '../../entries/on-behalf.js';
import { accountFieldBlocks, type AccountFieldIds } from '../../entries/account-field.js';
import { DEAL_KIND_LABEL, DEAL_KINDS, type DealKind } from '../../entries/deal-kinds.js';

type View = types.ModalView;
type PlainTextOption = types.PlainTextOption;

export const DEAL_MODAL_CALLBACK = 'log_deal_modal';

export const DEAL_BLOCK = {
  result: 'deal_result_block',
  kind: 'deal_kind_block',
  amount: 'deal_amount_block',
  currency: 'deal_currency_block',
  /** An existing account, searched as you type (external_select; entries/account-field.ts). */
  accountPick: 'deal_account_pick_block',
  /** A new account, typed (or an edited deal's account as it is). */
  account: 'deal_account_block',
  date: 'deal_date_block',
  notes: 'deal_notes_block',
} as const;

export const DEAL_ACTION = {
  result: 'deal_result_input',
  kind: 'deal_kind_input',
  amount: 'deal_amount_input',
  currency: 'deal_currency_input',
  accountPick: 'deal_account_pick_input',
  account: 'deal_account_input',
  date: 'deal_date_input',
  notes: 'deal_notes_input',
} as const;

/** The account field: an existing account (suggested as you type) or a new one (entries/account-field.ts). */
export const DEAL_ACCOUNT_FIELD: AccountFieldIds = {
  pick: { blockId: DEAL_BLOCK.accountPick, actionId: DEAL_ACTION.accountPick },
  typed: { blockId: DEAL_BLOCK.account, actionId: DEAL_ACTION.account },
};

/** The "On behalf of" field, for admins and managers only: the rep it is logged for (see entries/on-behalf.ts). */
export const DEAL_ON_BEHALF_FIELD = { blockId: 'deal_on_behalf_block', actionId: 'deal_on_behalf_input' } as const;

/** The currencies offered in the form (a select holds at most 100); the workspace's own is always added. */
export const COMMON_CURRENCIES = [
  'USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'RON',
  'INR', 'SGD', 'HKD', 'CNY', 'KRW', 'TWD', 'THB', 'MYR', 'IDR', 'PHP', 'VND', 'BRL', 'MXN', 'ARS', 'CLP',
  'COP', 'PEN', 'ZAR', 'NGN', 'KES', 'EGP', 'AED', 'SAR', 'QAR', 'KWD', 'BHD', 'ILS', 'TRY', 'UAH',
];

export interface DealModalMetadata {
  channelId?: string;
  dealId?: string;
}

export interface DealPrefill {
  status?: 'won' | 'lost';
  /** Default: new business. */
  kind?: DealKind;
  amountMinor?: bigint | null;
  currency: string;
  account?: string | null;
  /** YYYY-MM-DD in the user's time zone. */
  date: string;
  notes?: string | null;
}

export function decodeDealMetadata(raw: string | undefined): DealModalMetadata {
  try {
    const parsed = JSON.parse(raw || '{}') as DealModalMetadata;
    return {
      channelId: typeof parsed.channelId === 'string' ? parsed.channelId : undefined,
      dealId: typeof parsed.dealId === 'string' ? parsed.dealId : undefined,
    };
  } catch {
    return {};
  }
}

function option(text: string, value: string): PlainTextOption {
  return { text: { type: 'plain_text', text }, value };
}

/** The log-deal modal, new or (with metadata.dealId) editing. Pure. */
export function logDealModal(input: {
  prefill: DealPrefill;
  metadata: DealModalMetadata;
  /** Show the "On behalf of" field (admins and managers; never when editing), preselecting `initialUser`. */
  onBehalf?: { initialUser?: string };
}): View {
  const { prefill, metadata } = input;
  const results = [option('Won', 'won'), option('Lost', 'lost')];
  const kinds = DEAL_KINDS.map((k) => option(DEAL_KIND_LABEL[k], k));
  const currencies = [...new Set([prefill.currency, ...COMMON_CURRENCIES])].slice(0, 100).map((c) => option(c, c));
  const amount = prefill.amountMinor != null ? minorToDecimal(prefill.amountMinor, prefill.currency) : undefined;
  return {
    type: 'modal',
    callback_id: DEAL_MODAL_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: metadata.dealId ? 'Edit deal' : 'Log a deal' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...(input.onBehalf && !metadata.dealId ? [onBehalfBlock(DEAL_ON_BEHALF_FIELD, input.onBehalf.initialUser)] : []),
      {
        type: 'input',
        block_id: DEAL_BLOCK.result,
        label: { type: 'plain_text', text: 'Result' },
        element: {
          type: 'radio_buttons',
          action_id: DEAL_ACTION.result,
          options: results,
          initial_option: results[prefill.status === 'lost' ? 1 : 0],
        },
      },
      {
        type: 'input',
        block_id: DEAL_BLOCK.kind,
        label: { type: 'plain_text', text: 'Kind' },
        element: {
          type: 'static_select',
          action_id: DEAL_ACTION.kind,
          options: kinds,
          initial_option: kinds[Math.max(0, DEAL_KINDS.indexOf(prefill.kind ?? 'new'))],
        },
      },
      {
        type: 'input',
        block_id: DEAL_BLOCK.amount,
        optional: true,
        label: { type: 'plain_text', text: 'Amount' },
        hint: { type: 'plain_text', text: 'Required for a won deal. 12500, 12,500.50 or 12.5k.' },
        element: {
          type: 'plain_text_input',
          action_id: DEAL_ACTION.amount,
          max_length: 40,
          placeholder: { type: 'plain_text', text: '12,500' },
          ...(amount ? { initial_value: amount } : {}),
        },
      },
      {
        type: 'input',
        block_id: DEAL_BLOCK.currency,
        label: { type: 'plain_text', text: 'Currency' },
        element: {
          type: 'static_select',
          action_id: DEAL_ACTION.currency,
          options: currencies,
          initial_option: currencies[0],
        },
      },
      ...accountFieldBlocks(DEAL_ACCOUNT_FIELD, { initialTyped: prefill.account }),
      {
        type: 'input',
        block_id: DEAL_BLOCK.date,
        label: { type: 'plain_text', text: 'Close date' },
        element: { type: 'datepicker', action_id: DEAL_ACTION.date, initial_date: prefill.date },
      },
      {
        type: 'input',
        block_id: DEAL_BLOCK.notes,
        optional: true,
        label: { type: 'plain_text', text: 'Notes' },
        element: {
          type: 'plain_text_input',
          action_id: DEAL_ACTION.notes,
          multiline: true,
          max_length: 3000,
          placeholder: { type: 'plain_text', text: 'Multi-year renewal' },
          ...(prefill.notes ? { initial_value: prefill.notes } : {}),
        },
      },
    ],
  };
}
