/**
 * The words of `/sales-admin rate …` and `/sales-admin currency …`, and the validation the settings modal shares:
 * table-driven. Rates are exact decimals read as strings (never floats), at most 12 decimals, positive.
 */
import { describe, expect, it } from 'vitest';
import { formatScaledDecimal, parseScaledDecimal } from '../../src/lib/decimal.js';
import {
  parseCurrencyCommand,
  parseRateCommand,
  ratesInForce,
  validateEffectiveDate,
  validateRate,
  validateRateCurrency,
  type RateCommand,
} from '../../src/features/admin/rates.js';

const TODAY = '2026-11-27';
const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('parseRateCommand', () => {
  const cases: Array<[string, RateCommand | { error: RegExp }]> = [
    ['', { kind: 'usage' }],
    ['GBP 1.27', { kind: 'set', currency: 'GBP', rate: '1.27', effectiveOn: TODAY }],
    ['gbp 1.27', { kind: 'set', currency: 'GBP', rate: '1.27', effectiveOn: TODAY }],
    ['GBP 1.27 from 2026-11-01', { kind: 'set', currency: 'GBP', rate: '1.27', effectiveOn: '2026-11-01' }],
    ['GBP 1.27 2026-11-01', { kind: 'set', currency: 'GBP', rate: '1.27', effectiveOn: '2026-11-01' }],
    ['GBP 1.27 FROM 2026-11-01', { kind: 'set', currency: 'GBP', rate: '1.27', effectiveOn: '2026-11-01' }],
    ['JPY 0.0067', { kind: 'set', currency: 'JPY', rate: '0.0067', effectiveOn: TODAY }],
    ['EUR 1.100000', { kind: 'set', currency: 'EUR', rate: '1.1', effectiveOn: TODAY }],
    ['KWD 3.250000000000', { kind: 'set', currency: 'KWD', rate: '3.25', effectiveOn: TODAY }],
    ['EUR 0.000000000001', { kind: 'set', currency: 'EUR', rate: '0.000000000001', effectiveOn: TODAY }],
    ['EUR 999999999999.999999999999', { kind: 'set', currency: 'EUR', rate: '999999999999.999999999999', effectiveOn: TODAY }],
    ['GBP off', { kind: 'remove', currency: 'GBP' }],
    ['GBP OFF 2026-11-01', { kind: 'remove', currency: 'GBP', effectiveOn: '2026-11-01' }],
    ['GBP off from 2026-11-01', { kind: 'remove', currency: 'GBP', effectiveOn: '2026-11-01' }],
    ['GBP', { error: /Give the rate too/ }],
    ['XYZ 1.2', { error: /isn't a currency code I know/ }],
    ['GB 1.2', { error: /isn't a currency code I know/ }],
    ['USD 1', { error: /USD is the reporting currency/ }],
    ['usd off', { error: /USD is the reporting currency/ }],
    ['GBP 1,27', { error: /isn't a rate/ }],
    ['GBP -1.27', { error: /isn't a rate/ }],
    ['GBP 1e3', { error: /isn't a rate/ }],
    ['GBP .5', { error: /isn't a rate/ }],
    ['GBP 1.', { error: /isn't a rate/ }],
    ['GBP abc', { error: /isn't a rate/ }],
    ['GBP 0', { error: /more than 0/ }],
    ['GBP 0.000', { error: /more than 0/ }],
    ['GBP 0.0000000000001', { error: /at most 12 decimals/ }],
    ['GBP 1000000000000', { error: /too large/ }],
    ['GBP 1.27 from', { error: /at most one date/ }],
    ['GBP 1.27 2026-11-01 2026-12-01', { error: /at most one date/ }],
    ['GBP 1.27 from 2026-02-30', { error: /isn't a date/ }],
    ['GBP 1.27 from 01/11/2026', { error: /isn't a date/ }],
    ['GBP 1.27 tomorrow', { error: /isn't a date/ }],
    ['GBP off 2026-13-01', { error: /isn't a date/ }],
  ];
  it.each(cases)('%j', (text, expected) => {
    const got = parseRateCommand(words(text), TODAY, 'USD');
    if ('error' in expected && expected.error instanceof RegExp) {
      expect(got.kind).toBe('error');
      expect((got as { error: string }).error).toMatch(expected.error);
    } else {
      expect(got).toEqual(expected);
    }
  });
});

describe('parseCurrencyCommand', () => {
  it.each([
    ['', { kind: 'show' }],
    ['EUR', { kind: 'change', currency: 'EUR', confirmed: false }],
    ['eur', { kind: 'change', currency: 'EUR', confirmed: false }],
    ['EUR confirm', { kind: 'change', currency: 'EUR', confirmed: true }],
    ['EUR CONFIRM', { kind: 'change', currency: 'EUR', confirmed: true }],
  ])('%j', (text, expected) => {
    expect(parseCurrencyCommand(words(text))).toEqual(expected);
  });
  it.each([
    ['EURO', /isn't a currency code I know/],
    ['ZZZ', /isn't a currency code I know/],
    ['EUR now', /Name one currency/],
    ['EUR GBP confirm', /Name one currency/],
  ])('%j is refused', (text, error) => {
    const got = parseCurrencyCommand(words(text));
    expect(got.kind).toBe('error');
    expect((got as { error: string }).error).toMatch(error);
  });
});

describe('the validation the modal shares', () => {
  it.each([
    ['1.27', '1.27'],
    [' 2 ', '2'],
    ['0.1', '0.1'],
    ['00012.500', '12.5'],
  ])('rate %j is %j', (text, value) => {
    expect(validateRate(text)).toEqual({ ok: true, value });
  });
  it.each(['', ' ', '1.2.3', '+1', 'NaN', 'Infinity', '0x10'])('rate %j is refused', (text) => {
    expect(validateRate(text).ok).toBe(false);
  });
  it('dates are real YYYY-MM-DD days', () => {
    expect(validateEffectiveDate('2028-02-29')).toEqual({ ok: true, value: '2028-02-29' });
    expect(validateEffectiveDate('2026-02-29').ok).toBe(false);
    expect(validateEffectiveDate('2026-1-5').ok).toBe(false);
  });
  it('the reporting currency takes no rate, whatever its case', () => {
    expect(validateRateCurrency('eur', 'EUR').ok).toBe(false);
    expect(validateRateCurrency('usd', 'EUR')).toEqual({ ok: true, value: 'USD' });
  });
  it('scaled decimals round-trip exactly', () => {
    expect(parseScaledDecimal('1.270000000000', 12)).toBe(1_270_000_000_000n);
    expect(formatScaledDecimal(1_270_000_000_000n, 12)).toBe('1.27');
    expect(formatScaledDecimal(5n, 0)).toBe('5');
    expect(formatScaledDecimal(1n, 12)).toBe('0.000000000001');
    expect(parseScaledDecimal('1.2345', 3)).toBeUndefined();
  });
  it('the rate in force today is the latest of each currency on or before today', () => {
    const rates = [
      { currency: 'EUR', effectiveOn: '2026-12-01', rate: '1.2' },
      { currency: 'EUR', effectiveOn: '2026-11-15', rate: '1.1' },
      { currency: 'EUR', effectiveOn: '2026-10-01', rate: '1.08' },
      { currency: 'GBP', effectiveOn: '2026-11-27', rate: '1.27' },
    ];
    expect([...ratesInForce(rates, TODAY)]).toEqual([rates[1], rates[3]]);
  });
});
