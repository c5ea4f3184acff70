/**
 * Settings section `currency`: the reporting currency, the exchange rates (each with Remove), and a form to add one.
 * Every submission and click re-checks the admin role on the server and goes through the service in ../rates.ts
 * (the same as `/sales-admin currency|rate`), audited there.
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction, webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import type { Db } from '../../../db/client.js';
import { ADMIN_ONLY_TEXT } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { ensureWorkspace } from '../../../slack/workspace.js';
import {
  changeReportingCurrency,
  listRates,
  ratesInForce,
  rateWords,
  removeRates,
  setRate,
  todayIn,
  validateCurrency,
  validateEffectiveDate,
  validateRate,
  validateRateCurrency,
} from '../rates.js';
import { CURRENCY_BLOCKS, CURRENCY_CALLBACK, currencyFormInput, currencyView, REMOVE_RATE_ACTION, type CurrencySettings } from './currency.view.js';
import { adminBehind } from './guard.js';
import type { SettingsSection } from './section.js';

export async function loadCurrencySettings(db: Db, teamId: string, now: Date): Promise<CurrencySettings> {
  const [workspace, rates] = await Promise.all([ensureWorkspace(db, teamId), listRates(db, teamId)]);
  const today = todayIn(now, workspace.defaultTimeZone);
  return { reporting: workspace.currency, rates, inForce: ratesInForce(rates, today), today };
}

export async function handleCurrencySubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    const role = await adminBehind(deps, client, teamId, body.user.id, 'currency settings');
    if (!role) {
      await ack({ response_action: 'errors', errors: { [CURRENCY_BLOCKS.reporting]: ADMIN_ONLY_TEXT } });
      return;
    }
    const now = deps.clock.now();
    const current = await loadCurrencySettings(deps.db, teamId, now);
    const form = currencyFormInput(view.state.values);
    const errors: Record<string, string> = {};

    const reporting = validateCurrency(form.reporting);
    if (!reporting.ok) errors[CURRENCY_BLOCKS.reporting] = reporting.error;
    const changing = reporting.ok && reporting.value !== current.reporting;
    const adding = form.addCurrency !== '' || form.addRate !== '';
    let rate: { currency: string; rate: string; effectiveOn: string } | undefined;
    if (adding && changing) {
      errors[CURRENCY_BLOCKS.addCurrency] = `Save the new reporting currency first (it clears the rates), then add rates against it.`;
    } else if (adding) {
      const currency = form.addCurrency === '' ? { ok: false as const, error: 'Choose the currency this rate is for.' } : validateRateCurrency(form.addCurrency, current.reporting);
      const value = form.addRate === '' ? { ok: false as const, error: `Give the rate: 1 unit = how many ${current.reporting}, like 1.27.` } : validateRate(form.addRate);
      const date = form.addDate === '' ? { ok: false as const, error: 'Choose the day the rate is in force from.' } : validateEffectiveDate(form.addDate);
      if (!currency.ok) errors[CURRENCY_BLOCKS.addCurrency] = currency.error;
      if (!value.ok) errors[CURRENCY_BLOCKS.addRate] = value.error;
      if (!date.ok) errors[CURRENCY_BLOCKS.addDate] = date.error;
      if (currency.ok && value.ok && date.ok) rate = { currency: currency.value, rate: value.value, effectiveOn: date.value };
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }

    const actorId = body.user.id;
    let notice = ':information_source: Nothing changed.';
    if (changing && reporting.ok) {
      const result = await changeReportingCurrency(deps.db, { teamId, actorId, currency: reporting.value, at: now });
      if (result.changed) {
        const cleared = result.cleared.length > 0 ? ` ${result.cleared.length === 1 ? 'The exchange rate was' : `The ${result.cleared.length} exchange rates were`} cleared.` : '';
        notice = `:white_check_mark: The reporting currency is now *${result.to}* (was ${result.from}).${cleared}`;
      }
    } else if (rate) {
      const result = await setRate(deps.db, { teamId, actorId, at: now, ...rate });
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: { [CURRENCY_BLOCKS.addCurrency]: result.error } });
        return;
      }
      const was = result.previous !== null && result.previous !== rate.rate ? ` (was ${result.previous})` : '';
      notice = `:white_check_mark: Saved: ${rateWords(rate, result.reporting)}${was}.`;
    }
    await ack({ response_action: 'update', view: currencyView(await loadCurrencySettings(deps.db, teamId, now), notice) });
  } catch (e) {
    await ack(notSavedSubmission(e, CURRENCY_BLOCKS.reporting, CURRENCY_CALLBACK, deps.logger));
  }
}

/** A rate's Remove button (confirmed in Slack): remove it, for an admin only, and show the list again. */
export async function handleRemoveRate(args: { ack: () => Promise<void>; body: BlockAction<ButtonAction>; client: webApi.WebClient; action: ButtonAction }, deps: Deps): Promise<void> {
  const { ack, body, client, action } = args;
  await ack();
  const teamId = requireTeamId(body);
  if (!(await adminBehind(deps, client, teamId, body.user.id, 'remove a rate'))) return;
  const [code = '', day = ''] = (action.value ?? '').split('|');
  const currency = validateCurrency(code);
  const date = validateEffectiveDate(day);
  if (!currency.ok || !date.ok) {
    deps.logger.warn({ teamId, value: action.value }, 'settings: a Remove rate button with a value that is not a rate');
    return;
  }
  const now = deps.clock.now();
  const removed = await removeRates(deps.db, { teamId, actorId: body.user.id, at: now, currency: currency.value, effectiveOn: date.value });
  if (!body.view) return;
  const settings = await loadCurrencySettings(deps.db, teamId, now);
  const notice = removed.length > 0 ? `:white_check_mark: Removed: ${removed.map((r) => rateWords(r, settings.reporting)).join('; ')}.` : ':information_source: That rate was already removed.';
  await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: currencyView(settings, notice) });
}

export const currencySection: SettingsSection = {
  id: 'currency',
  title: 'Currency',
  async summary(deps, teamId) {
    const s = await loadCurrencySettings(deps.db, teamId, deps.clock.now());
    const currencies = new Set(s.rates.map((r) => r.currency)).size;
    return `Reporting in ${s.reporting} · ${s.rates.length === 0 ? 'no exchange rates' : `${s.rates.length} ${s.rates.length === 1 ? 'rate' : 'rates'} for ${currencies} ${currencies === 1 ? 'currency' : 'currencies'}`}`;
  },
  async view(deps, { teamId }) {
    return currencyView(await loadCurrencySettings(deps.db, teamId, deps.clock.now()));
  },
  register(app: App, deps: Deps) {
    app.view<ViewSubmitAction>(CURRENCY_CALLBACK, (args) => handleCurrencySubmit(args, deps));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: REMOVE_RATE_ACTION }, (args) => handleRemoveRate(args, deps));
  },
};
