/**
 * Pure parser for the activity-logging slash commands (`/log-call ...`, `/log meeting ...`).
 * No I/O and no clock: `now` and the user's time zone come in through `ParseContext`.
 *
 * Grammar (every part optional, any order, notes last):
 *   [account words] [x5 | 5x] [15m | 1h30m | 1.5h] [#outcome | <#C123|outcome>]
 *   [today | yesterday | mon..sun | YYYY-MM-DD] [-- notes]
 */
import { resolveEntryDay, validateEntryDay } from '../../entries/entry-date.js';
import {
  codeSafe as safe,
  commandError,
  decodeEntities,
  MAX_COMMAND_TEXT_LENGTH,
  splitNotes,
  textTooLongProblem,
  tokenize,
  wordsAsText,
} from '../../slack/command-text.js';
import { type ActivityTypeDef, findActivityType, findOutcome } from '../../entries/activity-types.js';

export const DEFAULT_BACKDATE_DAYS = 30;
export const MAX_TEXT_LENGTH = MAX_COMMAND_TEXT_LENGTH;
export const MAX_COUNT = 100;
export const MAX_DURATION_MINUTES = 12 * 60;

export interface ParseContext {
  types: ActivityTypeDef[];
  now: Date;
  /** IANA zone of the user, e.g. 'Europe/Berlin'. Must be valid (TZDate throws otherwise). */
  timeZone: string;
  /** How many local calendar days back a date may be (inclusive). Usually DEFAULT_BACKDATE_DAYS. */
  backdateDays: number;
}

export interface ParsedActivity {
  type: string;
  count: number;
  durationMinutes: number | null;
  outcome: string | null;
  occurredAt: Date;
  dateGiven: boolean;
  account: string | null;
  notes: string | null;
}

export type ParseErrorCode =
  | 'text_too_long'
  | 'missing_type'
  | 'unknown_type'
  | 'count_out_of_range'
  | 'duplicate_count'
  | 'duration_out_of_range'
  | 'invalid_duration' // only from parseDurationText (free-text field); in a command a non-duration is an account word
  | 'duplicate_duration'
  | 'unknown_outcome'
  | 'duplicate_outcome'
  | 'invalid_date'
  | 'future_date'
  | 'too_old'
  | 'duplicate_date';

export interface ParseError {
  code: ParseErrorCode;
  /** Slack mrkdwn: what was wrong, then (for commands) a `Try:` line with a correct example. */
  message: string;
}

export type ParseResult =
  | { kind: 'help' }
  | { kind: 'empty' }
  | { kind: 'activity'; value: ParsedActivity }
  | { kind: 'error'; error: ParseError };

export interface CommandOptions {
  /** The type for a dedicated command (`'call'` for `/log-call`); undefined for `/log <type> ...`. */
  fixedType?: string;
  /** The command as the user typed it, used in messages. */
  command: string;
}

// ---------------------------------------------------------------------------
// Entry point

export function parseActivityCommand(text: string, opts: CommandOptions, ctx: ParseContext): ParseResult {
  if (text.length > MAX_TEXT_LENGTH) {
    const example = exampleCommand(opts.command, exampleType(ctx.types, opts.fixedType), opts.fixedType !== undefined);
    return commandError('text_too_long', textTooLongProblem(text.length, opts.command), example);
  }
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.toLowerCase() === 'help') return { kind: 'help' };

  const { head, notes } = splitNotes(trimmed);
  const tokens = tokenize(head);

  const resolved = resolveType(tokens, opts, ctx.types);
  if ('code' in resolved) return resolved.error;
  const { type, rest } = resolved;

  const example = exampleCommand(opts.command, type, opts.fixedType !== undefined);
  const parsed = parseTokens(rest, type, ctx);
  if ('code' in parsed) return commandError(parsed.code, parsed.text, example);

  return {
    kind: 'activity',
    value: {
      type: type.key,
      count: parsed.count ?? 1,
      durationMinutes: parsed.durationMinutes ?? null,
      outcome: parsed.outcome ?? null,
      occurredAt: parsed.occurredAt ?? new Date(ctx.now.getTime()),
      dateGiven: parsed.occurredAt !== undefined,
      account: wordsAsText(parsed.accountWords, { channels: false }),
      notes: notes === null ? null : decodeEntities(notes),
    },
  };
}

// ---------------------------------------------------------------------------
// The activity type

type TypeResolution = { type: ActivityTypeDef; rest: string[] } | { code: ParseErrorCode; error: ParseResult };

function resolveType(tokens: string[], opts: CommandOptions, types: ActivityTypeDef[]): TypeResolution {
  const visible = types.filter((t) => !t.hidden);
  const example = exampleCommand(opts.command, exampleType(visible, undefined), false);
  if (opts.fixedType !== undefined) {
    const fixed = findActivityType(types, opts.fixedType);
    if (fixed && !fixed.hidden) return { type: fixed, rest: tokens };
    const generic = exampleCommand(opts.command, undefined, true);
    if (fixed) return failType('unknown_type', hiddenTypeText(fixed, visible), generic);
    return failType('unknown_type', `\`${safe(opts.fixedType)}\` isn't an activity type here. ${typeList(visible)}`, generic);
  }
  const [first] = tokens;
  if (first === undefined) {
    return failType('missing_type', `Start with the kind of activity. ${typeList(visible)}`, example);
  }
  // The longest run of leading words naming a type: `site visit Acme` is a site visit with Acme.
  for (let n = Math.min(MAX_TYPE_WORDS, tokens.length); n >= 1; n--) {
    const type = findActivityType(types, tokens.slice(0, n).join(' '));
    if (!type) continue;
    if (type.hidden) return failType('unknown_type', hiddenTypeText(type, visible), example);
    return { type, rest: tokens.slice(n) };
  }
  return failType('unknown_type', `\`${safe(first)}\` isn't an activity type. ${typeList(visible)}`, example);
}

/** How many words a type's name may have (`site visit`). */
const MAX_TYPE_WORDS = 4;

/** The answer for a type an admin hid: not logged, and what to use instead. */
function hiddenTypeText(type: ActivityTypeDef, visible: ActivityTypeDef[]): string {
  return `${type.label} is no longer logged here (a Sales Pulse admin hid it), so nothing was logged. ${typeList(visible)}`;
}

function failType(code: ParseErrorCode, text: string, example: string): TypeResolution {
  return { code, error: commandError(code, text, example) };
}

function typeList(types: ActivityTypeDef[]): string {
  return `Use one of: ${types.map((t) => `\`${t.key}\``).join(', ')}.`;
}

// ---------------------------------------------------------------------------
// Tokens: count, duration, outcome, date, or a word of the account

interface Problem {
  code: ParseErrorCode;
  text: string;
}

type SlotField = 'count' | 'durationMinutes' | 'outcome' | 'occurredAt';

type Slot =
  | { field: 'count'; value: number }
  | { field: 'durationMinutes'; value: number }
  | { field: 'outcome'; value: string }
  | { field: 'occurredAt'; value: Date };

interface ParsedTokens {
  count?: number;
  durationMinutes?: number;
  outcome?: string;
  occurredAt?: Date;
  accountWords: string[];
}

type Matcher = (token: string, type: ActivityTypeDef, ctx: ParseContext) => Slot | Problem | undefined;

const MATCHERS: readonly Matcher[] = [matchCount, matchDuration, matchOutcome, matchDate];

const DUPLICATES: Record<SlotField, { code: ParseErrorCode; noun: string }> = {
  count: { code: 'duplicate_count', noun: 'counts' },
  durationMinutes: { code: 'duplicate_duration', noun: 'durations' },
  outcome: { code: 'duplicate_outcome', noun: 'outcomes' },
  occurredAt: { code: 'duplicate_date', noun: 'dates' },
};

function parseTokens(tokens: string[], type: ActivityTypeDef, ctx: ParseContext): ParsedTokens | Problem {
  const result: ParsedTokens = { accountWords: [] };
  const seen = new Map<SlotField, string>();
  for (const token of tokens) {
    const match = matchToken(token, type, ctx);
    if (match === undefined) {
      result.accountWords.push(token);
      continue;
    }
    if ('code' in match) return match;
    const earlier = seen.get(match.field);
    if (earlier !== undefined) {
      const { code, noun } = DUPLICATES[match.field];
      return { code, text: `You gave two ${noun}: \`${shown(earlier)}\` and \`${shown(token)}\`. Give at most one.` };
    }
    seen.set(match.field, token);
    Object.assign(result, { [match.field]: match.value });
  }
  return result;
}

function matchToken(token: string, type: ActivityTypeDef, ctx: ParseContext): Slot | Problem | undefined {
  for (const matcher of MATCHERS) {
    const match = matcher(token, type, ctx);
    if (match !== undefined) return match;
  }
  return undefined;
}

function matchCount(token: string): Slot | Problem | undefined {
  const m = /^(?:x(\d+)|(\d+)x)$/i.exec(token);
  if (!m) return undefined;
  const count = Number(m[1] ?? m[2]);
  if (count < 1 || count > MAX_COUNT) {
    return { code: 'count_out_of_range', text: `\`${safe(token)}\` is out of range: the count must be from 1 to ${MAX_COUNT}, like \`x5\`.` };
  }
  return { field: 'count', value: count };
}

const DURATION =
  /^(?:(\d+(?:\.\d+)?|\.\d+)(?:h|hr|hrs|hour|hours))?(?:(\d+)(?:m|min|mins|minute|minutes))?$/i;

/** Whole minutes for a duration word (`15m`, `45min`, `1h30m`, `1.5h`), not range-checked; undefined if it isn't one. */
function durationWordMinutes(token: string): number | undefined {
  const m = DURATION.exec(token);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Math.round(Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0));
}

/** Why `minutes` is not an allowed duration, or undefined when it is. */
function durationRangeProblem(minutes: number): string | undefined {
  if (minutes < 1) return 'is shorter than a minute';
  if (minutes > MAX_DURATION_MINUTES) return 'is longer than 12 hours';
  return undefined;
}

function matchDuration(token: string): Slot | Problem | undefined {
  const minutes = durationWordMinutes(token);
  if (minutes === undefined) return undefined;
  const why = durationRangeProblem(minutes);
  if (why !== undefined) {
    return {
      code: 'duration_out_of_range',
      text: `The duration \`${safe(token)}\` ${why}. Use minutes or hours up to 12h, like \`15m\`, \`1h30m\` or \`1.5h\`.`,
    };
  }
  return { field: 'durationMinutes', value: minutes };
}

/**
 * Reads a typed duration (e.g. the modal's text field) with the command's rules: `15m`, `1h30m`,
 * `1.5h`, `1h 30m`, or a bare number of minutes. The error message is plain text.
 */
export function parseDurationText(text: string): number | ParseError {
  const compact = text.replace(/\s+/g, '');
  const minutes = /^\d+$/.test(compact) ? Number(compact) : durationWordMinutes(compact);
  if (minutes === undefined) {
    return { code: 'invalid_duration', message: `"${text.trim()}" isn't a duration. Write it like 15m, 1h30m or 1.5h.` };
  }
  const why = durationRangeProblem(minutes);
  if (why !== undefined) {
    return { code: 'duration_out_of_range', message: `That duration ${why}. Use up to 12 hours, like 15m, 1h30m or 1.5h.` };
  }
  return minutes;
}

/** `#name`, or Slack's escaped channel form `<#C123|name>` (`<#C123>` has no name). */
function outcomeName(token: string): string | undefined {
  const channel = /^<#[A-Z0-9]+(?:\|([^>]*))?>$/i.exec(token);
  if (channel) return channel[1] ?? '';
  const hashtag = /^#(.*)$/.exec(token);
  return hashtag ? hashtag[1] : undefined;
}

function matchOutcome(token: string, type: ActivityTypeDef): Slot | Problem | undefined {
  const name = outcomeName(token);
  if (name === undefined) return undefined;
  const outcome = findOutcome(type, name);
  if (outcome !== undefined) return { field: 'outcome', value: outcome };
  const shown = name === '' ? 'That channel' : `\`#${safe(name)}\``;
  if (type.outcomes.length === 0) {
    return { code: 'unknown_outcome', text: `${shown} isn't an outcome: ${type.plural} don't take one.` };
  }
  return {
    code: 'unknown_outcome',
    text: `${shown} isn't an outcome for ${type.plural}. Use one of: ${outcomeList(type)}.`,
  };
}

function outcomeList(type: ActivityTypeDef): string {
  return type.outcomes.map((o) => `\`#${o}\``).join(', ');
}

function matchDate(token: string, _type: ActivityTypeDef, ctx: ParseContext): Slot | Problem | undefined {
  const resolved = resolveDay(token, ctx);
  if (resolved === null) return undefined;
  if ('code' in resolved) return { code: resolved.code, text: resolved.message };
  return { field: 'occurredAt', value: resolved };
}

// ---------------------------------------------------------------------------
// Dates (the rules every logged entry shares) and messages

/**
 * Resolves a date word (`today`, `yesterday`, `mon`..`sun`, `monday`.., `YYYY-MM-DD`) to the
 * moment an activity on that day is recorded at, or a ParseError (plain text, no command line).
 * Returns null when the word is not a date word at all.
 */
export const resolveDay: (word: string, ctx: ParseContext) => Date | ParseError | null = resolveEntryDay;

/**
 * Applies the command's date rules to a `YYYY-MM-DD` day (e.g. a modal's datepicker value):
 * today gives `ctx.now`; an earlier day within the window gives 12:00 local time on that day.
 * The error message is plain text (no mrkdwn), usable as a modal field error too.
 */
export const validateOccurredDate: (isoDay: string, ctx: ParseContext) => Date | ParseError = validateEntryDay;

/** A token as the user saw it: Slack's `<#C123|name>` is shown as `#name`. */
function shown(token: string): string {
  return safe(token.replace(/^<#[A-Z0-9]+\|([^>]*)>$/i, '#$1'));
}

const EXAMPLE_ARGS: Record<string, string> = {
  call: 'Acme Corp 15m #connected -- asked for pricing',
  email: 'Initech -- sent proposal v2',
  meeting: 'Globex yesterday 1h #held',
  demo: 'Globex 45m #held -- loved the dashboards',
  proposal: 'Initech #sent -- 3-year plan',
};

function exampleArgs(type: ActivityTypeDef): string {
  const builtIn = EXAMPLE_ARGS[type.key];
  if (builtIn !== undefined) return builtIn;
  const outcome = type.outcomes[0] === undefined ? '' : ` #${type.outcomes[0]}`;
  return `Acme Corp${outcome} -- notes`;
}

function exampleCommand(command: string, type: ActivityTypeDef | undefined, fixed: boolean): string {
  if (type === undefined) return `${command} Acme Corp -- notes`;
  return fixed ? `${command} ${exampleArgs(type)}` : `${command} ${type.key} ${exampleArgs(type)}`;
}

function exampleType(types: ActivityTypeDef[], fixedType: string | undefined): ActivityTypeDef | undefined {
  return (fixedType === undefined ? undefined : findActivityType(types, fixedType)) ?? types[0];
}

/** Help text (mrkdwn): the syntax, examples, and the outcomes of the type (or of every type for `/log`). */
export function usageText(
  command: string,
  allTypes: ActivityTypeDef[],
  fixedType?: string,
  backdateDays: number = DEFAULT_BACKDATE_DAYS,
): string {
  const types = allTypes.filter((t) => !t.hidden); // hidden types are not offered
  const fixed = fixedType === undefined ? undefined : findActivityType(types, fixedType);
  const typeSlot = fixed ? '' : ' &lt;type&gt;'; // mrkdwn: a bare <type> is a Slack control sequence
  const lines = [
    fixed ? `*Log ${article(fixed.label)} ${fixed.label.toLowerCase()}*` : '*Log an activity*',
    `\`${command}${typeSlot} [account] [x5] [15m] [#outcome] [date] [-- notes]\``,
    'Every part is optional and the order is free; notes go last, after ` -- `.',
    `• *Count:* \`x5\` or \`5x\` (1 to ${MAX_COUNT})`,
    '• *Duration:* `15m`, `45min`, `1h`, `1h30m`, `1.5h` (up to 12 hours)',
    ...outcomeLines(types, fixed),
    `• *Date:* \`today\` (the default), \`yesterday\`, a weekday like \`mon\`, or \`2026-11-27\`; at most ${backdateDays} days back`,
    '*Examples*',
    ...exampleLines(command, types, fixed),
    `Send \`${command}\` alone to open a form.`,
  ];
  return lines.join('\n');
}

function outcomeLines(types: ActivityTypeDef[], fixed: ActivityTypeDef | undefined): string[] {
  if (fixed) return [`• *Outcome:* ${fixed.outcomes.length ? outcomeList(fixed) : '(none for this type)'}`];
  return [
    `• *Type:* ${types.map((t) => `\`${t.key}\``).join(', ')}`,
    '• *Outcome* depends on the type:',
    ...types.map((t) => `    ${t.label}: ${t.outcomes.length ? outcomeList(t) : '(none)'}`),
  ];
}

function exampleLines(command: string, types: ActivityTypeDef[], fixed: ActivityTypeDef | undefined): string[] {
  if (fixed) {
    const extra = fixed.key === 'call' ? [`• \`${command} x12 #voicemail\``] : [];
    return [`• \`${exampleCommand(command, fixed, true)}\``, ...extra];
  }
  return types.slice(0, 3).map((t) => `• \`${exampleCommand(command, t, false)}\``);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
