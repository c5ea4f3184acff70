/**
 * The leading mention that logs on someone's behalf, in every command form (`/log-call @ana …`, `/log @ana email …`,
 * `/log-deal @ana won …`), as Slack sends it with should_escape; what is left is parsed by each command's own
 * grammar. And the pure confirmation builders: whose entry it is, and who logged it.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { mention, pickedUser, splitLeadingMention } from '../../src/entries/on-behalf.js';
import { dealConfirmation } from '../../src/features/deals/confirmation.blocks.js';
import { parseDealCommand } from '../../src/features/deals/parse.js';
import { confirmationMessage, loggedForYouMessage } from '../../src/features/logging/confirmation.blocks.js';
import { parseActivityCommand } from '../../src/features/logging/parse.js';

const NOW = new Date('2026-11-25T15:30:00Z');
const ctx = { types: BUILT_IN_ACTIVITY_TYPES, now: NOW, timeZone: 'Europe/Berlin', backdateDays: 30 };

describe('splitLeadingMention', () => {
  it.each([
    ['<@U123|ana> Acme Corp 15m #connected', 'U123', 'Acme Corp 15m #connected'],
    ['<@U123> Acme Corp', 'U123', 'Acme Corp'],
    ['  <@U123|ana>   Acme', 'U123', 'Acme'],
    ['<@W0ENT42|ana lee> email Initech', 'W0ENT42', 'email Initech'],
    ['<@U123|ana>', 'U123', ''],
    ['<@U123|ana> -- notes only', 'U123', '-- notes only'],
    ['<@U123|ana> won $12,500 Globex', 'U123', 'won $12,500 Globex'],
    ['<@U123|ana>\tAcme', 'U123', 'Acme'],
  ])('%j names %s, leaving %j', (text, userId, rest) => {
    expect(splitLeadingMention(text)).toEqual({ userId, rest });
  });

  it.each([
    ['Acme <@U123|ana>', 'a mention after the first word is part of the account'],
    ['@ana Acme', 'a plain @name (not escaped by Slack) is an account word'],
    ['<@U123|ana>Acme', 'a mention glued to the next word is not a leading mention'],
    ['<#C123|sales> Acme', 'a channel is not a person'],
    ['<@u123|ana> Acme', 'Slack user ids are upper case'],
    ['<!here> Acme', 'a special mention is not a person'],
    ['', 'nothing'],
  ])('%j names nobody: %s', (text) => {
    expect(splitLeadingMention(text)).toEqual({ rest: text });
  });
});

describe('the mention in every command form', () => {
  const activityOf = (command: string, text: string) => {
    const { userId, rest } = splitLeadingMention(text);
    const fixedType = command === '/log' ? undefined : command.replace(/^\/log-/, '');
    const result = parseActivityCommand(rest, { command, fixedType }, ctx);
    if (result.kind !== 'activity') throw new Error(`expected an activity, got ${JSON.stringify(result)}`);
    return { userId, ...result.value };
  };

  it.each([
    ['/log-call', '<@U123|ana> Acme Corp 15m #connected', { userId: 'U123', type: 'call', account: 'Acme Corp', durationMinutes: 15, outcome: 'connected' }],
    ['/log-email', '<@U123> Initech -- sent v2', { userId: 'U123', type: 'email', account: 'Initech', notes: 'sent v2' }],
    ['/log-meeting', '<@U123|ana> Globex yesterday 1h #held', { userId: 'U123', type: 'meeting', account: 'Globex', dateGiven: true }],
    ['/log-demo', '<@U123|ana> x3', { userId: 'U123', type: 'demo', count: 3, account: null }],
    ['/log', '<@U123|ana> email Acme', { userId: 'U123', type: 'email', account: 'Acme' }],
    ['/log', '<@U123|ana> proposal Initech #sent', { userId: 'U123', type: 'proposal', outcome: 'sent' }],
    ['/log-call', 'Acme <@U123|ana>', { userId: undefined, type: 'call', account: 'Acme @ana' }],
  ])('%s %s', (command, text, expected) => {
    expect(activityOf(command, text)).toMatchObject(expected);
  });

  it('`/log @ana` with no type is the usual missing-type error', () => {
    const { rest } = splitLeadingMention('<@U123|ana> ');
    expect(parseActivityCommand(rest, { command: '/log' }, ctx)).toEqual({ kind: 'empty' });
    const result = parseActivityCommand(splitLeadingMention('<@U123|ana> Acme').rest, { command: '/log' }, ctx);
    expect(result.kind === 'error' && result.error.code).toBe('unknown_type');
  });

  it.each([
    ['<@U123|ana> won $12,500 Globex', { status: 'won', amount: { minor: 1_250_000n, currency: 'USD' }, account: 'Globex' }],
    ['<@U123> lost Initech -- went elsewhere', { status: 'lost', amount: null, account: 'Initech', notes: 'went elsewhere' }],
    ['<@U123|ana> Globex 9000 EUR yesterday', { status: 'won', amount: { minor: 900_000n, currency: 'EUR' }, dateGiven: true }],
  ])('/log-deal %s', (text, expected) => {
    const { userId, rest } = splitLeadingMention(text);
    expect(userId).toBe('U123');
    const result = parseDealCommand(rest, { ...ctx, defaultCurrency: 'USD' });
    expect(result.kind).toBe('deal');
    if (result.kind === 'deal') expect(result.value).toMatchObject(expected);
  });
});

describe('pickedUser and mention', () => {
  const field = { blockId: 'on_behalf_block', actionId: 'on_behalf_input' };
  it.each([
    [{ on_behalf_block: { on_behalf_input: { type: 'users_select', selected_user: 'U9' } } }, 'U9'],
    [{ on_behalf_block: { on_behalf_input: { type: 'users_select', selected_user: null } } }, undefined],
    [{ on_behalf_block: { on_behalf_input: { type: 'users_select', selected_user: '' } } }, undefined],
    [{ on_behalf_block: { on_behalf_input: { type: 'users_select', selected_user: ['U9'] } } }, undefined],
    [{ other_block: {} }, undefined],
    [null, undefined],
  ])('%j -> %s', (values, expected) => {
    expect(pickedUser(values, field)).toBe(expected);
  });

  it('mentions a user id, and escapes anything else', () => {
    expect(mention('U0MIA0001')).toBe('<@U0MIA0001>');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
  });
});

describe('confirmations of an entry logged on someone’s behalf', () => {
  const activity = {
    id: 'a1',
    typeKey: 'call',
    quantity: 1,
    outcome: null,
    account: 'Acme <b>',
    contact: null,
    durationMinutes: null,
    occurredAt: NOW,
    notes: null,
    userId: 'U0ANA',
    loggedBy: 'U0MIA',
  };
  const base = { activity, type: BUILT_IN_ACTIVITY_TYPES[0], weekCount: 4, now: NOW, timeZone: 'Europe/Berlin' };

  it.each([
    ['the manager who logged it', 'U0MIA', 'Logged for <@U0ANA>: 1 call with Acme &lt;b&gt; for today', "That's 4 calls this week for <@U0ANA>. Logged by you."],
    ['the rep it is for', 'U0ANA', 'Logged 1 call with Acme &lt;b&gt; for today', "That's 4 calls this week. Logged by <@U0MIA>."],
    ['nobody named (as before)', undefined, 'Logged 1 call with Acme &lt;b&gt; for today', "That's 4 calls this week. Logged by <@U0MIA>."],
  ])('read by %s', (_who, viewerId, headline, context) => {
    const message = confirmationMessage({ ...base, viewerId });
    expect(message.blocks[0]).toMatchObject({ text: { text: `:white_check_mark: ${headline}` } });
    expect(message.blocks[1]).toMatchObject({ elements: [{ text: context }] });
    expect(message.text).toBe(`${headline}. ${context}`);
  });

  it('the DM to the rep names who logged it and carries Undo and Edit', () => {
    const message = loggedForYouMessage({ ...base, loggedBy: 'U0MIA' });
    expect(message.text).toBe("<@U0MIA> logged for you: 1 call with Acme &lt;b&gt; for today. That's 4 calls this week.");
    expect(message.blocks[2]).toMatchObject({ type: 'actions', elements: [{ action_id: 'activity_undo', value: 'a1' }, { action_id: 'activity_edit', value: 'a1' }] });
  });

  it('a deal logged for a rep, read by the manager', () => {
    const deal = { id: 'd1', status: 'won' as const, amountMinor: 50_000n, currency: 'EUR', account: 'Globex', closedAt: NOW, notes: null, userId: 'U0ANA', loggedBy: 'U0MIA' };
    const message = dealConfirmation({ deal, totals: { revenue: [{ minor: 50_000n, currency: 'EUR' }], won: 1, lost: 0 }, now: NOW, timeZone: 'Europe/Berlin', viewerId: 'U0MIA' });
    expect(message.text).toBe('Logged for <@U0ANA>: a won deal: Globex, €500.00. This month for <@U0ANA>: €500.00 from 1 won deal. Logged by you.');
  });
});
