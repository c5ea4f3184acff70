/** The Currency section's view: the reporting currency, the exchange rates with Remove, and a form to add one. Pure. */
import type { types } from '@slack/bolt';
import { clearWarning, rateWords, type ExchangeRate } from '../rates.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const CURRENCY_CALLBACK = 'settings_currency';
/** Remove buttons: `settings_currency_remove:<n>` (unique in the view); the value is `<CUR>|<YYYY-MM-DD>`. */
export const REMOVE_RATE_PREFIX = 'settings_currency_remove:';
export const REMOVE_RATE_ACTION = /^settings_currency_remove:\d+$/;
export const CURRENCY_BLOCKS = {
  reporting: 'settings_currency_reporting',
  addCurrency: 'settings_currency_add_code',
  addRate: 'settings_currency_add_rate',
  addDate: 'settings_currency_add_date',
} as const;
const ACTION = 'value';
/** Rates listed with a Remove button; the rest are counted (the modal stays under 100 blocks). */
export const MAX_RATES_SHOWN = 80;

export interface CurrencySettings {
  reporting: string;
  rates: ExchangeRate[];
  /** The rates in force today (the latest of their currency on or before today). */
  inForce: Set<ExchangeRate>;
  /** YYYY-MM-DD in the workspace's zone: the datepicker's default. */
  today: string;
}

const names = new Intl.DisplayNames('en', { type: 'currency' });

/** Every currency the money module knows, grouped by first letter (26 groups of at most 100 options). */
function currencyGroups(exclude?: string): Array<{ label: types.PlainTextElement; options: types.PlainTextOption[] }> {
  const groups = new Map<string, types.PlainTextOption[]>();
  for (const code of Intl.supportedValuesOf('currency')) {
    if (code === exclude) continue;
    const list = groups.get(code[0]!) ?? [];
    list.push(currencyOption(code));
    groups.set(code[0]!, list);
  }
  return [...groups].map(([letter, options]) => ({ label: plain(letter, 75), options: options.slice(0, 100) }));
}

function currencyOption(code: string): types.PlainTextOption {
  return { text: plain(`${code} · ${names.of(code) ?? code}`, 75), value: code };
}

/** The section's form. `notice` (mrkdwn written by the app) says what the last change did. Pure. */
export function currencyView(s: CurrencySettings, notice?: string): ModalView {
  const warning = clearWarning(s.rates, s.reporting);
  const blocks: KnownBlock[] = [
    ...(notice ? [noticeBlock(notice)] : []),
    {
      type: 'input',
      block_id: CURRENCY_BLOCKS.reporting,
      label: plain('Reporting currency'),
      hint: plain(warning ?? 'Boards and summaries show revenue in it; other currencies convert into it at the rates below.'),
      element: { type: 'static_select', action_id: ACTION, option_groups: currencyGroups(), initial_option: currencyOption(s.reporting) },
    },
    { type: 'divider' },
    {
      type: 'section',
      block_id: 'settings_currency_rates',
      text: {
        type: 'mrkdwn',
        text:
          s.rates.length === 0
            ? `*Exchange rates*\nNone yet: revenue in other currencies is shown beside ${s.reporting}, not converted.`
            : `*Exchange rates* (1 unit = rate ${s.reporting})\nA deal converts at the rate in force on its close date.`,
      },
    },
  ];
  const shown = s.rates.slice(0, MAX_RATES_SHOWN);
  shown.forEach((r, i) => {
    blocks.push({
      type: 'section',
      block_id: `settings_currency_rate_${i}`,
      text: { type: 'mrkdwn', text: `${rateWords(r, s.reporting)}${s.inForce.has(r) ? ' _(in force today)_' : ''}` },
      accessory: {
        type: 'button',
        action_id: `${REMOVE_RATE_PREFIX}${i}`,
        text: plain('Remove', 75),
        value: `${r.currency}|${r.effectiveOn}`,
        confirm: {
          title: plain('Remove this rate?', 100),
          text: plain(`${rateWords(r, s.reporting)}. Deals it converted use the rate before it, or show as not converted.`, 300),
          confirm: plain('Remove', 30),
          deny: plain('Keep it', 30),
        },
      },
    });
  });
  if (s.rates.length > shown.length) blocks.push(noticeBlock(`…and ${s.rates.length - shown.length} more: \`/sales-admin rates\` lists them all.`, 'settings_currency_more'));
  blocks.push(
    { type: 'divider' },
    { type: 'section', block_id: 'settings_currency_add', text: { type: 'mrkdwn', text: '*Add a rate* (leave empty to add none)' } },
    {
      type: 'input',
      block_id: CURRENCY_BLOCKS.addCurrency,
      optional: true,
      label: plain('Currency'),
      element: { type: 'static_select', action_id: ACTION, option_groups: currencyGroups(s.reporting), placeholder: plain('Choose a currency', 150) },
    },
    {
      type: 'input',
      block_id: CURRENCY_BLOCKS.addRate,
      optional: true,
      label: plain(`Rate: 1 unit = how many ${s.reporting}`),
      hint: plain('An exact decimal, like 1.27 or 0.0067 (at most 12 decimals).'),
      element: { type: 'plain_text_input', action_id: ACTION, placeholder: plain('1.27', 150), max_length: 40 },
    },
    {
      type: 'input',
      block_id: CURRENCY_BLOCKS.addDate,
      optional: true,
      label: plain('In force from'),
      element: { type: 'datepicker', action_id: ACTION, initial_date: s.today },
    },
  );
  return sectionModal({ callbackId: CURRENCY_CALLBACK, title: 'Currency', submit: 'Save', blocks });
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_date?: string | null; selected_option?: { value: string } | null }>>;

export interface CurrencyForm {
  reporting: string;
  addCurrency: string;
  addRate: string;
  addDate: string;
}

/** What the form says ('' for an empty field). Pure. */
export function currencyFormInput(values: StateValues): CurrencyForm {
  const read = (block: string): string => {
    const state = values[block]?.[ACTION];
    return state?.selected_option?.value ?? state?.selected_date ?? state?.value ?? '';
  };
  return {
    reporting: read(CURRENCY_BLOCKS.reporting),
    addCurrency: read(CURRENCY_BLOCKS.addCurrency),
    addRate: read(CURRENCY_BLOCKS.addRate).trim(),
    addDate: read(CURRENCY_BLOCKS.addDate),
  };
}
