/**
 * Slash-command text as Slack sends it (with `should_escape`): words, mentions, ` -- ` notes, and the
 * `Try:` form every command error takes. Pure; each command keeps its own grammar on top of these.
 */

/** The most text a slash command takes before we answer with "open the form instead". */
export const MAX_COMMAND_TEXT_LENGTH = 3000;

/** Whitespace-separated words, keeping a Slack reference like `<@U1|ann lee>` in one piece. */
export function tokenize(text: string): string[] {
  return text.match(/(?:<[^<>]*>|\S)+/g) ?? [];
}

const NOTES_SEPARATOR = /(?:^|\s)(?:--|\u2014|\u2013)(?:\s|$)/;

/** Splits at the first ` -- ` (or em/en dash), also allowed at the very start. Empty notes are null. */
export function splitNotes(text: string): { head: string; notes: string | null } {
  const match = NOTES_SEPARATOR.exec(text);
  if (!match) return { head: text, notes: null };
  const notes = text.slice(match.index + match[0].length).trim();
  return { head: text.slice(0, match.index), notes: notes === '' ? null : notes };
}

/** Slack escapes `&`, `<`, `>` in command text. One pass, so `&amp;lt;` becomes `&lt;`. */
export function decodeEntities(text: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => entities[name]);
}

/**
 * Free text from leftover words (an account name): user mentions as `@name`, with `channels` also channel
 * references as `#name`, Slack's escapes decoded. Null when there are no words.
 */
export function wordsAsText(words: string[], options: { channels: boolean }): string | null {
  if (words.length === 0) return null;
  let text = words.join(' ').replace(/<@[A-Z0-9]+\|([^>]+)>/gi, '@$1');
  if (options.channels) text = text.replace(/<#[A-Z0-9]+\|([^>]+)>/gi, '#$1');
  return decodeEntities(text);
}

/** User text shown inside inline code: a backtick would end the code span early. */
export function codeSafe(text: string): string {
  return text.replace(/`/g, "'");
}

/** A command error (mrkdwn): what was wrong, then a `Try:` line with a correct example. */
export function tryMessage(problem: string, example: string): string {
  return `:warning: ${problem}\nTry: \`${example}\``;
}

/** A command parser's error result in the `Try:` form. */
export function commandError<C extends string>(code: C, problem: string, example: string): { kind: 'error'; error: { code: C; message: string } } {
  return { kind: 'error', error: { code, message: tryMessage(problem, example) } };
}

/** Why text over MAX_COMMAND_TEXT_LENGTH is refused, pointing at `command`'s form. */
export function textTooLongProblem(length: number, command: string): string {
  return `That's ${length} characters; the most a command can take is ${MAX_COMMAND_TEXT_LENGTH}. For long notes, send \`${command}\` alone to open the form.`;
}
