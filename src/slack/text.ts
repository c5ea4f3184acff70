/** Escape user text for Slack mrkdwn: `&`, `<` and `>` are control characters there. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut text to at most `max` characters, ending with an ellipsis when cut (Slack rejects over-long text objects). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A non-empty string: Slack rejects empty text objects. */
export function nonEmpty(text: string | null | undefined, fallback = ' '): string {
  return text && text.trim() !== '' ? text : fallback;
}
