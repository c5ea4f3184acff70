import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, findActivityType } from '../../src/entries/activity-types.js';
import {
  type ParseContext,
  type ParsedActivity,
  type ParseErrorCode,
  type ParseResult,
  parseActivityCommand,
  parseDurationText,
  resolveDay,
  usageText,
  validateOccurredDate,
} from '../../src/features/logging/parse.js';

// Wednesday 2026-11-25, 16:30 in Berlin (CET, UTC+1).
const NOW = new Date('2026-11-25T15:30:00Z');

function makeCtx(overrides: Partial<ParseContext> = {}): ParseContext {
  return { types: BUILT_IN_ACTIVITY_TYPES, now: NOW, timeZone: 'Europe/Berlin', backdateDays: 30, ...overrides };
}

/** Runs a full command line as the user types it: `/log-call ...`, `/log meeting ...`. */
function run(line: string, ctx: ParseContext = makeCtx()): ParseResult {
  const [command, ...rest] = line.split(' ');
  const text = rest.join(' ');
  const fixedType = command === '/log' ? undefined : command.replace(/^\/log-/, '');
  return parseActivityCommand(text, { command, fixedType }, ctx);
}

function activity(line: string, ctx?: ParseContext): ParsedActivity {
  const result = run(line, ctx);
  if (result.kind !== 'activity') throw new Error(`expected an activity for "${line}", got ${JSON.stringify(result)}`);
  return result.value;
}

function errorOf(line: string, ctx?: ParseContext) {
  const result = run(line, ctx);
  if (result.kind !== 'error') throw new Error(`expected an error for "${line}", got ${JSON.stringify(result)}`);
  return result.error;
}

function expected(overrides: Partial<ParsedActivity>): ParsedActivity {
  return {
    type: 'call',
    count: 1,
    durationMinutes: null,
    outcome: null,
    occurredAt: NOW,
    dateGiven: false,
    account: null,
    notes: null,
    ...overrides,
  };
}

const utc = (iso: string) => new Date(iso);

describe('the documented examples', () => {
  it.each<[string, Partial<ParsedActivity>]>([
    ['/log-call Acme Corp 15m #connected -- asked for pricing', { account: 'Acme Corp', durationMinutes: 15, outcome: 'connected', notes: 'asked for pricing' }],
    ['/log-call x12 #voicemail', { count: 12, outcome: 'voicemail' }],
    ['/log meeting Globex yesterday 1h #held', { type: 'meeting', account: 'Globex', durationMinutes: 60, outcome: 'held', occurredAt: utc('2026-11-24T11:00:00Z'), dateGiven: true }],
    ['/log-email Initech -- sent proposal v2', { type: 'email', account: 'Initech', notes: 'sent proposal v2' }],
  ])('%s', (line, value) => {
    expect(activity(line)).toEqual(expected(value));
  });

  it('parses the text of the slash-command fixture (escaped channel outcome)', () => {
    const form = new URLSearchParams(readFileSync('test/fixtures/slack-payloads/slash-command.form.txt', 'utf8').trim());
    const result = parseActivityCommand(form.get('text') ?? '', { command: form.get('command') ?? '', fixedType: 'call' }, makeCtx());
    expect(result).toEqual({
      kind: 'activity',
      value: expected({ account: 'Acme Corp', durationMinutes: 15, outcome: 'connected', notes: 'asked for pricing' }),
    });
  });
});

describe('help and empty', () => {
  it.each<[string, string | undefined, ParseResult['kind']]>([
    ['help', 'call', 'help'],
    ['  HELP ', 'call', 'help'],
    ['Help', undefined, 'help'],
    ['', 'call', 'empty'],
    ['   ', 'call', 'empty'],
    ['', undefined, 'empty'],
    [' \t ', undefined, 'empty'],
    ['help me with Acme', 'call', 'activity'],
  ])('%j with fixedType %s -> %s', (text, fixedType, kind) => {
    const command = fixedType ? `/log-${fixedType}` : '/log';
    expect(parseActivityCommand(text, { command, fixedType }, makeCtx()).kind).toBe(kind);
  });
});

describe('count', () => {
  it.each<[string, number]>([
    ['x5', 5],
    ['5x', 5],
    ['X5', 5],
    ['5X', 5],
    ['x1', 1],
    ['x100', 100],
    ['x007', 7],
  ])('%s -> %i', (token, count) => {
    expect(activity(`/log-call ${token}`)).toEqual(expected({ count }));
  });
});

describe('duration', () => {
  it.each<[string, number]>([
    ['15m', 15],
    ['45min', 45],
    ['45mins', 45],
    ['1h', 60],
    ['1hr', 60],
    ['2hrs', 120],
    ['1h30m', 90],
    ['1hr30min', 90],
    ['1.5h', 90],
    ['0.25h', 15],
    ['1H30M', 90],
    ['1m', 1],
    ['720m', 720],
    ['12h', 720],
  ])('%s -> %i minutes', (token, durationMinutes) => {
    expect(activity(`/log-call ${token}`)).toEqual(expected({ durationMinutes }));
  });
});

describe('outcome', () => {
  it.each<[string, string, string]>([
    ['/log-call', '#connected', 'connected'],
    ['/log-call', '#Connected', 'connected'],
    ['/log-call', '#NO-ANSWER', 'no-answer'],
    ['/log-call', '<#C0CONNECT|connected>', 'connected'],
    ['/log-call', '<#C0CONNECT|Voicemail>', 'voicemail'],
    ['/log-email', '#bounced', 'bounced'],
    ['/log-meeting', '#no-show', 'no-show'],
    ['/log-proposal', '#accepted', 'accepted'],
  ])('%s %s -> %s', (command, token, outcome) => {
    expect(activity(`${command} ${token}`).outcome).toBe(outcome);
  });
});

describe('date (Berlin, now Wednesday 2026-11-25 16:30 local)', () => {
  it.each<[string, string]>([
    ['today', NOW.toISOString()],
    ['Today', NOW.toISOString()],
    ['yesterday', '2026-11-24T11:00:00Z'],
    ['Yesterday', '2026-11-24T11:00:00Z'],
    ['wed', NOW.toISOString()], // today counts as the most recent Wednesday
    ['wednesday', NOW.toISOString()],
    ['tue', '2026-11-24T11:00:00Z'],
    ['mon', '2026-11-23T11:00:00Z'],
    ['sun', '2026-11-22T11:00:00Z'],
    ['sat', '2026-11-21T11:00:00Z'],
    ['FRIDAY', '2026-11-20T11:00:00Z'],
    ['thu', '2026-11-19T11:00:00Z'],
    ['thursday', '2026-11-19T11:00:00Z'],
    ['2026-11-20', '2026-11-20T11:00:00Z'],
    ['2026-11-25', NOW.toISOString()],
    ['2026-10-26', '2026-10-26T11:00:00Z'], // exactly 30 days back: allowed
  ])('%s -> %s', (token, iso) => {
    expect(activity(`/log-call ${token}`)).toEqual(expected({ occurredAt: utc(iso), dateGiven: true }));
  });

  it('uses now and dateGiven false when no date is given', () => {
    const value = activity('/log-call Acme');
    expect(value.occurredAt.getTime()).toBe(NOW.getTime());
    expect(value.dateGiven).toBe(false);
  });
});

describe('date resolution in the user time zone (DST-safe)', () => {
  const la = makeCtx({ now: utc('2026-11-29T03:00:00Z'), timeZone: 'America/Los_Angeles' }); // Sat 11-28 19:00 local
  const kolkata = makeCtx({ now: utc('2026-11-28T20:00:00Z'), timeZone: 'Asia/Kolkata' }); // Sun 11-29 01:30 local
  const auckland = makeCtx({ now: utc('2026-11-28T12:00:00Z'), timeZone: 'Pacific/Auckland' }); // Sun 11-29 01:00 NZDT
  const laAfterFallBack = makeCtx({ now: utc('2026-11-03T18:00:00Z'), timeZone: 'America/Los_Angeles' }); // PST since 11-01
  const berlinAfterSpringForward = makeCtx({ now: utc('2026-03-30T10:00:00Z') }); // CEST since 03-29

  it.each<[string, ParseContext, string, string]>([
    ['LA behind UTC', la, 'yesterday', '2026-11-27T20:00:00Z'],
    ['LA behind UTC', la, 'today', '2026-11-29T03:00:00Z'],
    ['LA behind UTC', la, '2026-11-28', '2026-11-29T03:00:00Z'],
    ['LA behind UTC', la, 'sat', '2026-11-29T03:00:00Z'],
    ['LA behind UTC', la, 'fri', '2026-11-27T20:00:00Z'],
    ['LA behind UTC', la, 'sun', '2026-11-22T20:00:00Z'],
    ['LA behind UTC', la, '2026-10-29', '2026-10-29T19:00:00Z'], // 30 days back, still PDT
    ['Kolkata ahead of UTC', kolkata, 'today', '2026-11-28T20:00:00Z'],
    ['Kolkata ahead of UTC', kolkata, '2026-11-29', '2026-11-28T20:00:00Z'],
    ['Kolkata ahead of UTC', kolkata, 'yesterday', '2026-11-28T06:30:00Z'],
    ['Kolkata ahead of UTC', kolkata, 'sun', '2026-11-28T20:00:00Z'],
    ['Kolkata ahead of UTC', kolkata, 'sat', '2026-11-28T06:30:00Z'],
    ['Auckland ahead of UTC', auckland, '2026-11-29', '2026-11-28T12:00:00Z'],
    ['Auckland ahead of UTC', auckland, 'yesterday', '2026-11-27T23:00:00Z'],
    ['Auckland ahead of UTC', auckland, 'fri', '2026-11-26T23:00:00Z'],
    ['LA across fall-back', laAfterFallBack, '2026-11-02', '2026-11-02T20:00:00Z'],
    ['LA across fall-back', laAfterFallBack, '2026-10-31', '2026-10-31T19:00:00Z'],
    ['LA across fall-back', laAfterFallBack, 'sun', '2026-11-01T20:00:00Z'],
    ['Berlin across spring-forward', berlinAfterSpringForward, 'sun', '2026-03-29T10:00:00Z'],
    ['Berlin across spring-forward', berlinAfterSpringForward, 'sat', '2026-03-28T11:00:00Z'],
  ])('%s: %s -> %s', (_label, ctx, token, iso) => {
    expect(activity(`/log-call ${token}`, ctx).occurredAt).toEqual(utc(iso));
  });

  it.each<[string, ParseContext, string, ParseErrorCode]>([
    ['LA: the UTC date is already tomorrow locally', la, '2026-11-29', 'future_date'],
    ['LA: 31 local days back', la, '2026-10-28', 'too_old'],
    ['Kolkata: tomorrow local', kolkata, '2026-11-30', 'future_date'],
    ['Auckland: tomorrow local', auckland, '2026-11-30', 'future_date'],
  ])('%s (%s)', (_label, ctx, token, code) => {
    expect(errorOf(`/log-call ${token}`, ctx).code).toBe(code);
  });
});

describe('backdating window', () => {
  it.each<[number, string, 'ok' | ParseErrorCode]>([
    [30, '2026-10-26', 'ok'],
    [30, '2026-10-25', 'too_old'],
    [7, '2026-11-18', 'ok'],
    [7, '2026-11-17', 'too_old'],
    [7, 'thu', 'ok'],
    [1, 'yesterday', 'ok'],
    [1, 'mon', 'too_old'],
    [0, 'today', 'ok'],
    [0, 'wed', 'ok'],
    [0, 'yesterday', 'too_old'],
    [30, '2026-11-26', 'future_date'],
    [30, '2027-01-01', 'future_date'],
  ])('backdateDays %i, %s -> %s', (backdateDays, token, outcome) => {
    const result = run(`/log-call ${token}`, makeCtx({ backdateDays }));
    if (outcome === 'ok') expect(result.kind).toBe('activity');
    else expect(result).toMatchObject({ kind: 'error', error: { code: outcome } });
  });

  it('names the window in the too_old message', () => {
    expect(errorOf('/log-call 2026-10-25').message).toContain('at most 30 days back');
    expect(errorOf('/log-call 2026-11-10', makeCtx({ backdateDays: 7 })).message).toContain('at most 7 days back');
  });
});

describe('notes', () => {
  it.each<[string, Partial<ParsedActivity>]>([
    ['Acme -- asked for pricing', { account: 'Acme', notes: 'asked for pricing' }],
    ['Acme \u2014 asked for pricing', { account: 'Acme', notes: 'asked for pricing' }], // em dash
    ['Acme \u2013 asked for pricing', { account: 'Acme', notes: 'asked for pricing' }], // en dash
    ['-- notes only', { notes: 'notes only' }],
    ['\u2014 notes only', { notes: 'notes only' }],
    ['\u2013 notes only', { notes: 'notes only' }],
    ['Acme --', { account: 'Acme' }],
    ['Acme --    ', { account: 'Acme' }],
    ['Acme --   spaced out   ', { account: 'Acme', notes: 'spaced out' }],
    ['Acme -- a -- b', { account: 'Acme', notes: 'a -- b' }],
    ['Acme-Corp x2', { account: 'Acme-Corp', count: 2 }],
    ['Acme--Corp', { account: 'Acme--Corp' }],
    ['Acme -- x5 #busy 2026-01-01', { account: 'Acme', notes: 'x5 #busy 2026-01-01' }], // tokens in notes are text
    ['x2 #booked -- call back Tuesday', { count: 2, outcome: 'booked', notes: 'call back Tuesday' }],
  ])('%j', (text, value) => {
    expect(activity(`/log-call ${text}`)).toEqual(expected(value));
  });
});

describe('account and Slack escaping', () => {
  it.each<[string, Partial<ParsedActivity>]>([
    ['Acme   Corp', { account: 'Acme Corp' }],
    ['AT&amp;T', { account: 'AT&T' }],
    ['&lt;Acme&gt; Holdings', { account: '<Acme> Holdings' }],
    ['&amp;lt;', { account: '&lt;' }], // decoded once, not twice
    ['Acme -- Q&amp;A went well &lt;3', { account: 'Acme', notes: 'Q&A went well <3' }],
    ['<@U123ABC|bob> at Acme', { account: '@bob at Acme' }],
    ['Acme <@W0ANN|ann.lee>', { account: 'Acme @ann.lee' }],
    ['x3 Acme 10m Corp #booked yesterday -- hi', { account: 'Acme Corp', count: 3, durationMinutes: 10, outcome: 'booked', occurredAt: utc('2026-11-24T11:00:00Z'), dateGiven: true, notes: 'hi' }],
    ['#voicemail 5x Initech 2026-11-20 1.5h', { account: 'Initech', count: 5, outcome: 'voicemail', occurredAt: utc('2026-11-20T11:00:00Z'), dateGiven: true, durationMinutes: 90 }],
  ])('%j', (text, value) => {
    expect(activity(`/log-call ${text}`)).toEqual(expected(value));
  });
});

describe('/log with the type as the first word', () => {
  it.each<[string, Partial<ParsedActivity>]>([
    ['/log meeting', { type: 'meeting' }],
    ['/log Meeting Globex', { type: 'meeting', account: 'Globex' }],
    ['/log meetings Globex #no-show', { type: 'meeting', account: 'Globex', outcome: 'no-show' }],
    ['/log DEMO x2', { type: 'demo', count: 2 }],
    ['/log emails Initech #replied', { type: 'email', account: 'Initech', outcome: 'replied' }],
    ['/log call -- quick one', { type: 'call', notes: 'quick one' }],
  ])('%s', (line, value) => {
    expect(activity(line)).toEqual(expected(value));
  });
});

describe('errors', () => {
  it.each<[string, ParseErrorCode, string[]]>([
    ['/log-call x0', 'count_out_of_range', ['`x0`', '1 to 100']],
    ['/log-call x101', 'count_out_of_range', ['`x101`']],
    ['/log-call 0x', 'count_out_of_range', ['`0x`']],
    ['/log-call x5 x3', 'duplicate_count', ['`x5`', '`x3`']],
    ['/log-call 0m', 'duration_out_of_range', ['`0m`', 'shorter than a minute']],
    ['/log-call 0h', 'duration_out_of_range', ['`0h`']],
    ['/log-call 0.001h', 'duration_out_of_range', ['shorter than a minute']],
    ['/log-call 721m', 'duration_out_of_range', ['`721m`', 'longer than 12 hours']],
    ['/log-call 12h1m', 'duration_out_of_range', ['longer than 12 hours']],
    ['/log-call 13h', 'duration_out_of_range', ['`13h`']],
    ['/log-call 15m 1h', 'duplicate_duration', ['`15m`', '`1h`']],
    ['/log-call #busy', 'unknown_outcome', ['`#busy`', '`#connected`', '`#voicemail`', '`#no-answer`', '`#booked`']],
    ['/log-call <#C123>', 'unknown_outcome', ['`#connected`']],
    ['/log-call <#C123ABC|general>', 'unknown_outcome', ['`#general`']],
    ['/log-call #', 'unknown_outcome', ['`#connected`']],
    ['/log-email #connected', 'unknown_outcome', ['emails', '`#sent`', '`#replied`', '`#bounced`']],
    ['/log meeting #connected', 'unknown_outcome', ['meetings', '`#held`', '`#no-show`', '`#booked`', '`#rescheduled`']],
    ['/log-call #connected #voicemail', 'duplicate_outcome', ['`#connected`', '`#voicemail`']],
    ['/log-call <#C0CONNECT|connected> #booked', 'duplicate_outcome', ['`#connected`', '`#booked`']],
    ['/log-call 2026-11-26', 'future_date', ['2026-11-26', 'future']],
    ['/log-call 2026-10-25', 'too_old', ['at most 30 days back']],
    ['/log-call 2026-13-45', 'invalid_date', ['2026-13-45', 'YYYY-MM-DD']],
    ['/log-call 2026-02-30', 'invalid_date', ['2026-02-30']],
    ['/log-call 2026-02-29', 'invalid_date', ['2026-02-29']],
    ['/log-call 2026-00-10', 'invalid_date', ['2026-00-10']],
    ['/log-call yesterday mon', 'duplicate_date', ['`yesterday`', '`mon`']],
    ['/log-call today 2026-11-20', 'duplicate_date', ['`today`']],
    ['/log foo Acme', 'unknown_type', ['`foo`', '`call`', '`email`', '`meeting`', '`demo`', '`proposal`']],
    ['/log Acme Corp x2', 'unknown_type', ['`Acme`']],
    ['/log -- just notes', 'missing_type', ['`call`', '`proposal`']],
    ['/log-call x0 #busy', 'count_out_of_range', []], // the first problem wins
  ])('%s -> %s', (line, code, fragments) => {
    const error = errorOf(line);
    expect(error.code).toBe(code);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });

  it('writes the outcome error as a plain statement followed by a Try line', () => {
    expect(errorOf('/log-call #busy').message).toBe(
      ":warning: `#busy` isn't an outcome for calls. Use one of: `#connected`, `#voicemail`, `#no-answer`, `#booked`.\n" +
        'Try: `/log-call Acme Corp 15m #connected -- asked for pricing`',
    );
  });

  it.each<[string, string]>([
    ['/log-call x0', '/log-call Acme Corp 15m #connected -- asked for pricing'],
    ['/log-email #connected', '/log-email Initech -- sent proposal v2'],
    ['/log meeting 2026-13-45', '/log meeting Globex yesterday 1h #held'],
    ['/log foo', '/log call Acme Corp 15m #connected -- asked for pricing'],
  ])('%s suggests `%s`', (line, example) => {
    expect(errorOf(line).message).toContain(`\nTry: \`${example}\``);
  });

  it.each([
    '/log-call x0',
    '/log-call 15m 1h',
    '/log-call #busy',
    '/log-call 2026-13-45',
    '/log-demo x0',
    '/log-proposal #nope',
    '/log meeting #connected',
    '/log foo',
    '/log -- notes',
  ])('%s: starts with a warning, and the suggested command itself parses', (line) => {
    const { message } = errorOf(line);
    expect(message.startsWith(':warning: ')).toBe(true);
    const suggestion = /\nTry: `([^`]+)`$/.exec(message)?.[1];
    expect(suggestion).toBeDefined();
    expect(run(suggestion ?? '').kind).toBe('activity');
  });
});

describe('text length', () => {
  it.each<[string, number, ParseResult['kind']]>([
    ['exactly 3000 characters', 3000, 'activity'],
    ['3001 characters', 3001, 'error'],
  ])('%s -> %s', (_label, length, kind) => {
    const text = `Acme -- ${'n'.repeat(length - 8)}`;
    expect(text).toHaveLength(length);
    expect(parseActivityCommand(text, { command: '/log-call', fixedType: 'call' }, makeCtx()).kind).toBe(kind);
  });

  it.each([
    ['a long account', 'a'.repeat(3001)],
    ['help padded past the limit', `help${' '.repeat(2997)}`],
    ['a bad count padded past the limit', `x0 ${'a'.repeat(2998)}`],
  ])('checks the length before anything else: %s', (_label, text) => {
    const result = parseActivityCommand(text, { command: '/log-call', fixedType: 'call' }, makeCtx());
    expect(result).toMatchObject({ kind: 'error', error: { code: 'text_too_long' } });
    if (result.kind === 'error') expect(result.error.message).toContain('3000');
  });
});

describe('findActivityType', () => {
  it.each<[string, string | undefined]>([
    ['call', 'call'],
    ['Call', 'call'],
    ['CALLS', 'call'],
    ['Proposals', 'proposal'],
    [' demo ', 'demo'],
    ['calling', undefined],
    ['', undefined],
  ])('%j -> %s', (word, key) => {
    expect(findActivityType(BUILT_IN_ACTIVITY_TYPES, word)?.key).toBe(key);
  });
});

describe('resolveDay and validateOccurredDate (shared with the modal)', () => {
  it.each<[string, Date | ParseErrorCode | null]>([
    ['Acme', null],
    ['tomorrow', null],
    ['today', NOW],
    ['yesterday', utc('2026-11-24T11:00:00Z')],
    ['2026-11-20', utc('2026-11-20T11:00:00Z')],
    ['2026-02-30', 'invalid_date'],
    ['2026-11-26', 'future_date'],
  ])('resolveDay(%j)', (word, want) => {
    const got = resolveDay(word, makeCtx());
    if (typeof want === 'string') expect(got).toMatchObject({ code: want });
    else expect(got).toEqual(want);
  });

  it.each<[string, Date | ParseErrorCode]>([
    ['2026-11-25', NOW],
    ['2026-11-24', utc('2026-11-24T11:00:00Z')],
    ['2026-10-26', utc('2026-10-26T11:00:00Z')],
    ['2026-10-25', 'too_old'],
    ['2026-11-26', 'future_date'],
    ['2026-13-45', 'invalid_date'],
    ['not a date', 'invalid_date'],
  ])('validateOccurredDate(%j)', (isoDay, want) => {
    const got = validateOccurredDate(isoDay, makeCtx());
    if (typeof want === 'string') {
      expect(got).toMatchObject({ code: want });
      expect(got).not.toBeInstanceOf(Date);
      if (!(got instanceof Date)) expect(got.message).not.toMatch(/:warning:|Try:/);
    } else {
      expect(got).toEqual(want);
    }
  });
});

describe('parseDurationText (the modal duration field)', () => {
  it.each<[string, number | ParseErrorCode]>([
    ['15m', 15],
    ['45', 45],
    [' 1h 30m ', 90],
    ['1.5h', 90],
    ['2HRS', 120],
    ['720', 720],
    ['0', 'duration_out_of_range'],
    ['0m', 'duration_out_of_range'],
    ['13h', 'duration_out_of_range'],
    ['721', 'duration_out_of_range'],
    ['soon', 'invalid_duration'],
    ['1.5m', 'invalid_duration'],
    ['-5m', 'invalid_duration'],
  ])('%j -> %s', (text, want) => {
    const got = parseDurationText(text);
    if (typeof want === 'number') expect(got).toBe(want);
    else {
      expect(got).toMatchObject({ code: want });
      if (typeof got !== 'number') expect(got.message).not.toMatch(/:warning:|`/);
    }
  });
});

describe('usageText', () => {
  const examplesIn = (text: string, command: string) =>
    [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((s) => s.startsWith(`${command} `) && !s.includes('['));

  it('for /log-call lists the call outcomes and the examples', () => {
    const text = usageText('/log-call', BUILT_IN_ACTIVITY_TYPES, 'call');
    for (const outcome of ['`#connected`', '`#voicemail`', '`#no-answer`', '`#booked`']) expect(text).toContain(outcome);
    expect(text).toContain('`/log-call Acme Corp 15m #connected -- asked for pricing`');
    expect(text).toContain('`/log-call x12 #voicemail`');
    expect(text).toContain('at most 30 days back');
    expect(text).not.toContain('#held');
  });

  it('for /log-email uses an email example', () => {
    expect(usageText('/log-email', BUILT_IN_ACTIVITY_TYPES, 'email')).toContain('`/log-email Initech -- sent proposal v2`');
  });

  it('for /log lists every type with its outcomes', () => {
    const text = usageText('/log', BUILT_IN_ACTIVITY_TYPES);
    for (const type of BUILT_IN_ACTIVITY_TYPES) {
      expect(text).toContain(`\`${type.key}\``);
      for (const outcome of type.outcomes) expect(text).toContain(`\`#${outcome}\``);
    }
    expect(text).toContain('`/log meeting Globex yesterday 1h #held`');
  });

  it.each<[string, string | undefined]>([
    ['/log-call', 'call'],
    ['/log-email', 'email'],
    ['/log-meeting', 'meeting'],
    ['/log-demo', 'demo'],
    ['/log-proposal', 'proposal'],
    ['/log', undefined],
  ])('every example in the %s help parses, and the text fits a section', (command, fixedType) => {
    const text = usageText(command, BUILT_IN_ACTIVITY_TYPES, fixedType);
    expect(text.length).toBeLessThanOrEqual(3000);
    const examples = examplesIn(text, command);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(run(example).kind).toBe('activity');
  });
});
