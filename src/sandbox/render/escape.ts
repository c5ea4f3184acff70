/** HTML escaping and the URL checks every renderer goes through. Pure. */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute value as HTML: escapes & < > " '. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const SLACK_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>' };

/**
 * Slack's mrkdwn escapes only `&`, `<` and `>` (as &amp; &lt; &gt;). Decode those three, in one pass so
 * `&amp;lt;` stays `&lt;`, before the text is escaped again for HTML.
 */
export function decodeSlackEntities(s: string): string {
  return s.replace(/&(amp|lt|gt);/g, (_, name: string) => SLACK_ENTITIES[name]!);
}

/** A link target that is safe to put in an href: http(s) or mailto only. */
export function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(trimmed) ? trimmed : undefined;
}

/** An image or file source: http(s), or a path on this server ("/sandbox/files/F1"), never "//host" or a script. */
export function safeSrc(url: string): string | undefined {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  return /^\/(?![/\\])/.test(trimmed) ? trimmed : undefined;
}

/** HTML attributes from a map: undefined, null and false are left out, true is a bare attribute; values escaped. */
export function attrs(map: Readonly<Record<string, string | number | boolean | null | undefined>>): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined || value === null || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}
