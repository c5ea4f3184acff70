/**
 * Property tests of the activity-logging parser (`/log-call …`, `/log <type> …`, the form's duration field): for any
 * text it returns a result or a structured error, never throws, and what it accepts keeps the rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import {
  MAX_COUNT,
  MAX_DURATION_MINUTES,
  MAX_TEXT_LENGTH,
  parseActivityCommand,
  parseDurationText,
  type ParseContext,
  type ParseErrorCode,
} from '../../src/features/logging/parse.js';
import { anyText, dayWord, instant, numberWord, parserInput, runs, slackReference, zone } from '../helpers/arbitraries.js';

const CUSTOM: ActivityTypeDef = { key: 'rnd_call', label: 'R&D call', plural: 'R&D calls', outcomes: ['won-over', 'Lost'] };
const TYPES = [...BUILT_IN_ACTIVITY_TYPES, CUSTOM];
const DAY_MS = 86_400_000;

const ERROR_CODES: ParseErrorCode[] = [
  'text_too_long', 'missing_type', 'unknown_type', 'count_out_of_range', 'duplicate_count', 'duration_out_of_range',
  'invalid_duration', 'duplicate_duration', 'unknown_outcome', 'duplicate_outcome', 'invalid_date', 'future_date', 'too_old', 'duplicate_date',
];

/** The command and its fixed type: the dedicated commands, `/log`, and a command whose type the workspace lacks. */
const commands = fc.constantFrom<[string, string | undefined]>(
  ['/log-call', 'call'],
  ['/log-email', 'email'],
  ['/log-meeting', 'meeting'],
  ['/log-demo', 'demo'],
  ['/log', undefined],
  ['/log-webinar', 'webinar'],
);

const typeWord = fc.constantFrom('call', 'Calls', 'email', 'MEETING', 'demo', 'proposal', 'R&amp;D call', 'r&d calls', 'webinar');

/** The words of the grammar: types, accounts, counts, durations, outcomes, dates, notes, and near misses of each. */
function words(now: Date): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('call', 'Calls', 'email', 'MEETING', 'demo', 'proposal', 'R&amp;D', 'R&D call', 'webinar', 'help', 'HELP'),
    fc.constantFrom('Acme', 'Corp', 'Globex', 'IBM', '3M', 'x', 'xx', 'x5x', 'Acme-Corp', 'O’Brien'),
    numberWord([MAX_COUNT]).chain((n) => fc.constantFrom(`x${n}`, `${n}x`, `X${n}`, `${n}X`)),
    fc.oneof(
      numberWord([MAX_DURATION_MINUTES]).chain((n) => fc.constantFrom(`${n}m`, `${n}min`, `${n}h`, `${n}hrs`, `${n}h30m`, `1h${n}m`, `${n}minutes`)),
      fc.constantFrom('.5h', '1.5h', '0.001h', '12h', '12h1m', '1.h', 'h', 'm', '1h60m', '0m', '1e2m'),
    ),
    fc.constantFrom('#connected', '#CONNECTED', '#voicemail', '#no-answer', '#held', '#sent', '#won-over', '#lost', '#', '#nope', '<#C0CONNECT|connected>', '<#C0CONNECT>', '<#C1|>', '##connected'),
    fc.oneof(fc.constantFrom('today', 'Yesterday', 'mon', 'tue', 'wednesday', 'Sun', 'sat', 'tomorrow'), dayWord(now)),
    fc.constantFrom('--', '—', '–', '-- asked for pricing', '—notes', '-'),
    slackReference(),
    anyText(6),
  );
}

const contexts = fc.record({ now: instant(), timeZone: zone(), backdateDays: fc.constantFrom(0, 1, 7, 30, 365) });

describe('parseActivityCommand on any text', () => {
  it(`returns a result or a structured error, never throws; what it accepts keeps the rules (${runs().numRuns} inputs)`, () => {
    // `/log` takes its type first: most of its inputs start with a type word, so they get past it.
    const input = contexts.chain((c) =>
      commands.chain((command) => {
        const text = parserInput(words(c.now));
        const typed = command[1] === undefined ? fc.oneof(fc.tuple(typeWord, text).map(([t, rest]) => `${t} ${rest}`), text) : text;
        return fc.tuple(fc.constant(c), fc.constant(command), typed);
      }),
    );
    fc.assert(
      fc.property(input, ([c, [command, fixedType], text]) => {
        const ctx: ParseContext = { types: TYPES, ...c };
        const result = parseActivityCommand(text, { command, fixedType }, ctx);
        switch (result.kind) {
          case 'help':
            expect(text.trim().toLowerCase()).toBe('help');
            break;
          case 'empty':
            expect(text.trim()).toBe('');
            break;
          case 'error':
            expect(ERROR_CODES).toContain(result.error.code);
            expect(result.error.message).toMatch(/^:warning: [^]+\nTry: `\/log[^`]*`$/);
            if (text.length > MAX_TEXT_LENGTH) expect(result.error.code).toBe('text_too_long');
            break;
          case 'activity': {
            const a = result.value;
            expect(text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
            const type = TYPES.find((t) => t.key === a.type);
            expect(type).toBeDefined();
            if (fixedType !== undefined) expect(a.type).toBe(fixedType);
            expect(Number.isInteger(a.count) && a.count >= 1 && a.count <= MAX_COUNT).toBe(true);
            if (a.durationMinutes !== null) expect(Number.isInteger(a.durationMinutes) && a.durationMinutes >= 1 && a.durationMinutes <= MAX_DURATION_MINUTES).toBe(true);
            if (a.outcome !== null) expect(type!.outcomes).toContain(a.outcome);
            // Today is `now`; an earlier day, noon local time within the window; never in the future.
            expect(Number.isNaN(a.occurredAt.getTime())).toBe(false);
            expect(a.occurredAt.getTime()).toBeLessThanOrEqual(c.now.getTime());
            expect(a.occurredAt.getTime()).toBeGreaterThan(c.now.getTime() - (c.backdateDays + 2) * DAY_MS);
            if (!a.dateGiven) expect(a.occurredAt.getTime()).toBe(c.now.getTime());
            if (a.account !== null) expect(a.account.trim()).not.toBe('');
            if (a.notes !== null) expect(a.notes.trim()).not.toBe('');
            break;
          }
          default:
            throw new Error(`unexpected result ${JSON.stringify(result)}`);
        }
      }),
      runs(),
    );
  });

  it('a count written in any of its forms is read as that number, or refused as out of range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('x{n}', '{n}x', 'X{n}'), contexts, (n, form, c) => {
        const result = parseActivityCommand(`Acme ${form.replace('{n}', String(n))}`, { command: '/log-call', fixedType: 'call' }, { types: TYPES, ...c });
        if (n >= 1 && n <= MAX_COUNT) expect(result).toMatchObject({ kind: 'activity', value: { count: n, account: 'Acme' } });
        else expect(result).toMatchObject({ kind: 'error', error: { code: 'count_out_of_range' } });
      }),
      runs(),
    );
  });
});

describe('parseDurationText (the form field) on any text', () => {
  it(`returns whole minutes within 1..${MAX_DURATION_MINUTES} or a structured error, never throws`, () => {
    const durations = parserInput(
      fc.oneof(
        numberWord([MAX_DURATION_MINUTES]),
        numberWord([12]).chain((n) => fc.constantFrom(`${n}m`, `${n}h`, `${n}h 30m`, `1h ${n}min`, `${n}.5h`, `.${n}h`)),
      ),
      3,
    );
    fc.assert(
      fc.property(durations, (text) => {
        const result = parseDurationText(text);
        if (typeof result === 'number') {
          expect(Number.isInteger(result) && result >= 1 && result <= MAX_DURATION_MINUTES).toBe(true);
        } else {
          expect(['invalid_duration', 'duration_out_of_range']).toContain(result.code);
          expect(result.message).not.toBe('');
        }
      }),
      runs(),
    );
  });
});
