/**
 * fast-check arbitraries for the property tests of the parsers (test/unit/*.property.test.ts): random text of every
 * kind (any code point, lone surrogates, odd whitespace, very long), and near-valid input built from a grammar's
 * words and then mutated, so the deep paths of a parser are reached too, not only its first "I don't understand".
 *
 * Runs use a fixed seed, so CI is deterministic; FC_SEED=<n> replays another, FC_SEED=random draws a new one each
 * run. A failure names its seed and counterexample path (fast-check's report), to replay it exactly.
 */
import fc from 'fast-check';

/** The runs every parser property gets. */
export const PARSER_RUNS = 10_000;

const SEED_SETTING = process.env.FC_SEED;
const SEED = SEED_SETTING === 'random' ? undefined : SEED_SETTING ? Number(SEED_SETTING) : 0x5a1e5;

/** fc.assert's options: `numRuns` runs from the suite's seed. */
export function runs<T = unknown>(numRuns = PARSER_RUNS): fc.Parameters<T> {
  return { numRuns, ...(SEED === undefined ? {} : { seed: SEED }) };
}

/** Characters that trip text handling: separators, zero-width and bidi marks, Slack's escapes, quotes, dashes. */
const AWKWARD = [
  ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\u200b', '\u200e', '\ufeff', '\u3000',
  '&amp;', '&lt;', '&gt;', '&', '<', '>', '`', '"', "'", '\\', '|', '#', '@', '--', '—', '–', '−', '/', '..', ',', '.',
  '\u0000', '\u001f', '\ud800', '\udfff', '😀', '👩🏽‍💻', 'é', 'e\u0301', 'İ', 'ß', '٣', '１', '₹', '€', '£', '¥', '$',
];

/** One awkward character or sequence. */
export const awkward = (): fc.Arbitrary<string> => fc.constantFrom(...AWKWARD);

/** Random text of every kind: full Unicode (lone surrogates too), graphemes, ASCII, awkward runs, and long text. */
export function anyText(maxLength = 80): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 2, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.array(fc.oneof(awkward(), fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')) },
    // Around the commands' 3000-character limit, and well past it.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(2999, 3000, 3001, 5000), fc.string({ minLength: 1, maxLength: 3 })).map(([n, s]) => s.repeat(n).slice(0, n)) },
  );
}

/** Whitespace between words, as people (and Slack) send it. */
const separator = (): fc.Arbitrary<string> => fc.constantFrom(' ', ' ', ' ', '  ', '\t', '\n', '\u00a0', ' \u200b');

/** Words from a grammar, in any order, some repeated, joined with varied whitespace. */
export function sentence(words: fc.Arbitrary<string>, maxWords = 7): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(words, separator()), { maxLength: maxWords })
    .map((pairs) => pairs.map(([w, s], i) => (i === 0 ? w : s + w)).join(''));
}

type Mutation = (text: string, at: number, extra: string) => string;

const MUTATIONS: Mutation[] = [
  (t, at, extra) => t.slice(0, at) + extra + t.slice(at), // insert
  (t, at) => t.slice(0, at) + t.slice(at + 1), // delete one
  (t, at) => t.slice(0, at) + t.slice(at, at + 3) + t.slice(at), // duplicate a run
  (t, at) => t.slice(0, at), // truncate
  (t, at, extra) => t.slice(0, at) + extra + t.slice(at + 1), // replace one
  (t, at) => t.slice(0, at) + t.slice(at).toUpperCase(), // shout
  (t) => `${t} ${t}`, // everything twice
  (t, at) => (at % 2 ? t.replace(/\d/g, (d) => String((Number(d) + at) % 10)) : t.replace(/\s+/, '')), // change digits, glue words
];

/** `text` with up to `max` random edits (inserts, deletions, truncations, case, digits, awkward characters). */
export function mutated(text: fc.Arbitrary<string>, max = 3): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(MUTATIONS.length - 1), fc.nat(200), fc.oneof(awkward(), fc.string({ unit: 'binary', maxLength: 2 })));
  return fc.tuple(text, fc.array(edit, { maxLength: max })).map(([t, edits]) =>
    edits.reduce((acc, [m, at, extra]) => MUTATIONS[m]!(acc, acc.length === 0 ? 0 : at % (acc.length + 1), extra), t),
  );
}

/**
 * What a parser is fed: mostly near-valid sentences of its grammar (some mutated), plus random text. The grammar
 * carries the weight, so most runs get past the first token.
 */
export function parserInput(words: fc.Arbitrary<string>, maxWords = 7): fc.Arbitrary<string> {
  const valid = sentence(words, maxWords);
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 3, arbitrary: mutated(valid) }, { weight: 2, arbitrary: anyText() });
}

/** Whole numbers around the edges: 0, 1, limits, huge, leading zeros. */
export function numberWord(limits: number[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat(1000).map(String),
    fc.constantFrom('0', '00', '01', '007', '99999999999999999999', '1e3', '-1', '1.5', '٣', ...limits.flatMap((n) => [String(n - 1), String(n), String(n + 1)])),
    fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  );
}

/** A YYYY-MM-DD day near `now` (the backdating window and a little past it), or a malformed or impossible one. */
export function dayWord(now: Date, spanDays = 60): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -spanDays, max: 5 }).map((d) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10)) },
    { weight: 1, arbitrary: fc.constantFrom('2026-02-29', '2024-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-1', '0000-01-01', '0001-01-01', '9999-12-31', '1970-01-01', '2026-11-27T10:00') },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([y, m, d]) => `${y}-${m}-${d}`) },
  );
}

/** IANA zones with odd offsets, DST at midnight, the date line, and plain UTC. */
export const ZONES = [
  'UTC',
  'America/New_York',
  'America/Santiago',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Asia/Beirut',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Europe/Berlin',
] as const;

export const zone = (): fc.Arbitrary<string> => fc.constantFrom(...ZONES);

/** An instant between 1971 and 2200 (no invalid dates). */
export const instant = (): fc.Arbitrary<Date> => fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });

/** Slack's escaped references, well-formed and not. */
export const slackReference = (): fc.Arbitrary<string> =>
  fc.constantFrom('<@U0ANA0001|ana>', '<@U0ANA0001>', '<@W0ENT0001|ent ann>', '<@u0lower|x>', '<@U1|>', '<#C0SALES|sales>', '<#C0SALES>', '<#G0PRIV|priv>', '<!here>', '<http://x.y|x>', '<>', '<@', '>');
