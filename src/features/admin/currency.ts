/**
 * `/sales-admin currency [EUR [confirm]]`, `/sales-admin rate …` and `/sales-admin rates`: the reporting currency and
 * exchange rates as text sub-commands (admins only: the dispatcher checks, see SUBCOMMANDS). The service is rates.ts.
 */
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import type { AdminContext } from './context.js';
import {
  changeReportingCurrency,
  clearWarning,
  listRates,
  parseCurrencyCommand,
  parseRateCommand,
  RATE_USAGE,
  ratesInForce,
  rateWords,
  removeRates,
  setRate,
  todayIn,
} from './rates.js';

export async function currencyCommand({ deps, args, rest }: AdminContext): Promise<Message> {
  const teamId = args.command.team_id;
  const workspace = await ensureWorkspace(deps.db, teamId);
  const parsed = parseCurrencyCommand(rest);
  if (parsed.kind === 'error') return noticeMessage(`:warning: ${parsed.error}`);
  if (parsed.kind === 'show') {
    return noticeMessage(
      `:information_source: The reporting currency is *${workspace.currency}*: boards and summaries show revenue in it. Change it with \`/sales-admin currency EUR\`; see the exchange rates with \`/sales-admin rates\`.`,
    );
  }
  if (parsed.currency === workspace.currency) return noticeMessage(`:information_source: The reporting currency is already *${workspace.currency}*.`);
  const rates = await listRates(deps.db, teamId);
  const warning = clearWarning(rates, workspace.currency);
  if (warning && !parsed.confirmed) {
    return noticeMessage(`:warning: ${warning} Nothing changed yet. To go ahead: \`/sales-admin currency ${parsed.currency} confirm\`, then set the rates again against ${parsed.currency}.`);
  }
  const result = await changeReportingCurrency(deps.db, { teamId, actorId: args.command.user_id, currency: parsed.currency, at: deps.clock.now() });
  if (!result.changed) return noticeMessage(`:information_source: The reporting currency is already *${result.currency}*.`);
  const cleared = result.cleared.length > 0 ? ` The ${result.cleared.length === 1 ? 'exchange rate was' : `${result.cleared.length} exchange rates were`} cleared: set them against ${result.to} with \`/sales-admin rate\`.` : '';
  return noticeMessage(`:white_check_mark: The reporting currency is now *${result.to}* (was ${result.from}): boards and summaries show revenue in ${result.to}.${cleared}`);
}

export async function rateCommand({ deps, args, rest }: AdminContext): Promise<Message> {
  const teamId = args.command.team_id;
  const workspace = await ensureWorkspace(deps.db, teamId);
  const reporting = workspace.currency;
  const now = deps.clock.now();
  const parsed = parseRateCommand(rest, todayIn(now, workspace.defaultTimeZone), reporting);
  if (parsed.kind === 'usage') return noticeMessage(`:information_source: ${RATE_USAGE}`);
  if (parsed.kind === 'error') return noticeMessage(`:warning: ${parsed.error}`);
  const actorId = args.command.user_id;
  if (parsed.kind === 'remove') {
    const removed = await removeRates(deps.db, { teamId, actorId, at: now, currency: parsed.currency, ...(parsed.effectiveOn ? { effectiveOn: parsed.effectiveOn } : {}) });
    if (removed.length === 0) {
      return noticeMessage(`:information_source: There is no ${parsed.currency} rate${parsed.effectiveOn ? ` from ${parsed.effectiveOn}` : ''} to remove. See them all with \`/sales-admin rates\`.`);
    }
    const what = removed.map((r) => rateWords(r, reporting)).join('; ');
    return noticeMessage(`:white_check_mark: Removed: ${what}.`);
  }
  const result = await setRate(deps.db, { teamId, actorId, at: now, currency: parsed.currency, rate: parsed.rate, effectiveOn: parsed.effectiveOn });
  if (!result.ok) return noticeMessage(`:warning: ${result.error}`);
  const was = result.previous !== null && result.previous !== parsed.rate ? ` (was ${result.previous})` : '';
  return noticeMessage(
    `:white_check_mark: ${rateWords({ currency: parsed.currency, rate: parsed.rate, effectiveOn: parsed.effectiveOn }, result.reporting)}${was}. ` +
      `${parsed.currency} deals closed on or after ${parsed.effectiveOn} convert at it, until a later rate.`,
  );
}

export async function listRatesCommand({ deps, args }: AdminContext): Promise<Message> {
  const teamId = args.command.team_id;
  const workspace = await ensureWorkspace(deps.db, teamId);
  const rates = await listRates(deps.db, teamId);
  const title = `*Reporting currency: ${workspace.currency}*`;
  if (rates.length === 0) {
    return noticeMessage(`${title}\nNo exchange rates yet: revenue in other currencies is shown beside it, not converted. Add one with ${RATE_USAGE.split(':')[0]}.`);
  }
  const inForce = ratesInForce(rates, todayIn(deps.clock.now(), workspace.defaultTimeZone));
  const lines = rates.map((r) => `• ${rateWords(r, workspace.currency)}${inForce.has(r) ? ' _(in force today)_' : ''}`);
  return listMessage(title, lines, 'A deal converts at the rate in force on its close date. `/sales-admin rate GBP 1.27 [from YYYY-MM-DD]` to add one, `/sales-admin rate GBP off [YYYY-MM-DD]` to remove.');
}
