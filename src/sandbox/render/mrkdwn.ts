/**
 * Slack mrkdwn and plain_text as HTML. Pure: text and a RenderContext in, an HTML string out.
 *
 * Everything that reaches the page is escaped here: user text arrives either Slack-escaped (`&lt;script&gt;`)
 * or raw (`<script>`), and both come out as text. Links are only ever http(s) or mailto.
 */
import { attrs, decodeSlackEntities, escapeHtml, safeHref } from './escape.js';

/** What the renderer needs to know about the workspace. */
export interface RenderContext {
  /** Display name for `<@U123>`. */
  userName(id: string): string | undefined;
  /** Name without '#' for `<#C123>`. */
  channelName(id: string): string | undefined;
  /** Options for users_select / multi_users_select. */
  users: { id: string; name: string }[];
  /** Options for channels_select / conversations_select. */
  channels: { id: string; name: string }[];
  /** Where a file's bytes are served, e.g. /sandbox/files/F123. */
  fileUrl(fileId: string): string;
}

// ---------------------------------------------------------------------------------------------
// Emoji
// ---------------------------------------------------------------------------------------------

/**
 * The emoji shortcodes the sandbox shows as pictures: every one the bot uses, plus common ones people type.
 * Unknown shortcodes stay as text, as in a workspace without that custom emoji.
 */
const EMOJI: Readonly<Record<string, string>> = Object.freeze({
  // Used by the bot.
  tada: '🎉',
  car: '🚗',
  trophy: '🏆',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  telephone_receiver: '📞',
  email: '📧',
  'e-mail': '📧',
  handshake: '🤝',
  desktop_computer: '🖥️',
  page_facing_up: '📄',
  calendar: '📆',
  date: '📅',
  spiral_calendar_pad: '🗓️',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  fire: '🔥',
  moneybag: '💰',
  star: '⭐',
  star2: '🌟',
  rocket: '🚀',
  wave: '👋',
  memo: '📝',
  bar_chart: '📊',
  dart: '🎯',
  clock9: '🕘',
  eyes: '👀',
  bulb: '💡',
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  arrow_right: '➡️',
  small_red_triangle: '🔺',
  small_red_triangle_down: '🔻',
  first_place_medal: '🥇',
  second_place_medal: '🥈',
  third_place_medal: '🥉',
  sports_medal: '🏅',
  medal: '🏅',
  sparkles: '✨',
  muscle: '💪',
  zap: '⚡',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  mailbox_with_mail: '📬',
  seedling: '🌱',
  information_source: 'ℹ️',
  grey_question: '❔',
  question: '❓',
  grey_exclamation: '❕',
  exclamation: '❗',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  wastebasket: '🗑️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  straight_ruler: '📏',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  large_orange_circle: '🟠',
  red_circle: '🔴',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  // Common in people's own text.
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
  clap: '👏',
  raised_hands: '🙌',
  pray: '🙏',
  ok_hand: '👌',
  point_right: '👉',
  '100': '💯',
  heart: '❤️',
  smile: '😄',
  slightly_smiling_face: '🙂',
  grinning: '😀',
  joy: '😂',
  thinking_face: '🤔',
  sob: '😭',
  sunglasses: '😎',
  party_popper: '🎉',
  confetti_ball: '🎊',
  crown: '👑',
  gem: '💎',
  dollar: '💵',
  euro: '💶',
  pound: '💷',
  yen: '💴',
  money_with_wings: '💸',
  briefcase: '💼',
  phone: '☎️',
  telephone: '☎️',
  iphone: '📱',
  envelope: '✉️',
  incoming_envelope: '📨',
  inbox_tray: '📥',
  outbox_tray: '📤',
  speech_balloon: '💬',
  loudspeaker: '📢',
  mega: '📣',
  bell: '🔔',
  alarm_clock: '⏰',
  stopwatch: '⏱️',
  clipboard: '📋',
  pushpin: '📌',
  round_pushpin: '📍',
  link: '🔗',
  mag: '🔍',
  gear: '⚙️',
  hammer_and_wrench: '🛠️',
  computer: '💻',
  rotating_light: '🚨',
  new: '🆕',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
  coffee: '☕',
  sunny: '☀️',
});

/** The emoji for a shortcode name (without colons), if the sandbox knows it. */
export function emojiFor(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : undefined;
}

/** An emoji from a rich_text emoji element's `unicode` ("1f389", "1f468-200d-1f4bb"), if well formed. */
export function emojiFromCodePoints(unicode: string): string | undefined {
  if (!/^[0-9a-f]{2,6}(-[0-9a-f]{2,6})*$/i.test(unicode)) return undefined;
  try {
    return String.fromCodePoint(...unicode.split('-').map((hex) => parseInt(hex, 16)));
  } catch {
    return undefined;
  }
}

/** Text with each known `:shortcode:` handed to `onEmoji` and the text between to `onText`. */
function mapEmoji(text: string, onText: (s: string) => string, onEmoji: (emoji: string, name: string) => string): string {
  const re = /:([a-z0-9_+-]+):/g;
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const emoji = emojiFor(m[1]!);
    if (!emoji) {
      re.lastIndex = m.index + 1; // the closing colon may open the next shortcode
      continue;
    }
    out += onText(text.slice(last, m.index)) + onEmoji(emoji, m[1]!);
    last = re.lastIndex;
  }
  return out + onText(text.slice(last));
}

/** Known `:shortcodes:` replaced by their emoji; plain text in, plain text out (for <option>, titles). */
export function replaceEmoji(text: string): string {
  return mapEmoji(text, (s) => s, (emoji) => emoji);
}

export function emojiHtml(emoji: string, name: string): string {
  return `<span${attrs({ class: 'bk-emoji', role: 'img', 'aria-label': name, title: `:${name}:` })}>${escapeHtml(emoji)}</span>`;
}

/** Plain text as HTML with known emoji shown. */
function textWithEmoji(text: string): string {
  return mapEmoji(text, escapeHtml, emojiHtml);
}

// ---------------------------------------------------------------------------------------------
// Mentions and links (shared with rich_text)
// ---------------------------------------------------------------------------------------------

export function userMentionHtml(id: string, fallbackName: string | undefined, ctx: RenderContext): string {
  const name = ctx.userName(id) || fallbackName?.replace(/^@/, '') || id;
  return `<span${attrs({ class: 'bk-mention', 'data-user-id': id })}>@${escapeHtml(name)}</span>`;
}

export function channelMentionHtml(id: string, fallbackName: string | undefined, ctx: RenderContext): string {
  const name = ctx.channelName(id) || fallbackName?.replace(/^#/, '') || id;
  return `<span${attrs({ class: 'bk-mention bk-channel', 'data-channel-id': id })}>#${escapeHtml(name)}</span>`;
}

/** `@here`, `@channel`, `@everyone`, `@sales-team`. */
export function broadcastMentionHtml(label: string): string {
  return `<span class="bk-mention bk-broadcast">${escapeHtml(label)}</span>`;
}

/** A link opening in a new tab, or the label as text when the URL is not http(s)/mailto. */
export function linkHtml(url: string, labelHtml: string): string {
  const href = safeHref(url);
  if (!href) return labelHtml;
  return `<a${attrs({ class: 'bk-link', href, target: '_blank', rel: 'noopener noreferrer' })}>${labelHtml}</a>`;
}

/** A `<!date^…>` or rich_text date: the fallback text Slack sends, tagged with the moment. */
export function dateHtml(timestamp: number, fallback: string | undefined): string {
  const valid = Number.isFinite(timestamp) && Math.abs(timestamp) < 8.64e12;
  const iso = valid ? new Date(timestamp * 1000).toISOString() : undefined;
  const shown = fallback || (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');
  return `<time${attrs({ class: 'bk-date', datetime: iso })}>${escapeHtml(shown)}</time>`;
}

// ---------------------------------------------------------------------------------------------
// Inline mrkdwn: code, <…> sequences, bare URLs, emoji, then *bold* _italic_ ~strike~
// ---------------------------------------------------------------------------------------------

/** Private-use characters that stand in for already-rendered pieces while formatting runs. */
const OPEN = '\uE000';
const CLOSE = '\uE001';

/** The content of a `<…>` sequence as HTML; anything Slack would not recognise is shown as text. */
function angleHtml(inner: string, ctx: RenderContext): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : decodeSlackEntities(inner.slice(bar + 1));
  if (/^@[UWB][A-Z0-9]+$/.test(target)) return userMentionHtml(target.slice(1), label, ctx);
  if (/^#[CGD][A-Z0-9]+$/.test(target)) return channelMentionHtml(target.slice(1), label, ctx);
  if (target.startsWith('!')) return specialHtml(target.slice(1), label);
  const url = decodeSlackEntities(target);
  if (safeHref(url)) return linkHtml(url, label ? renderLabel(label) : escapeHtml(url));
  return escapeHtml(label ?? decodeSlackEntities(`<${inner}>`));
}

/** `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`, `<!date^ts^format|fallback>`. */
function specialHtml(command: string, label: string | undefined): string {
  const [name, ...args] = command.split('^');
  switch (name) {
    case 'here':
    case 'channel':
    case 'everyone':
      return broadcastMentionHtml(`@${name}`);
    case 'subteam':
      return broadcastMentionHtml(label || `@${args[0] ?? 'team'}`);
    case 'date':
      return dateHtml(Number(args[0]), label);
    default:
      return escapeHtml(label ?? `<!${command}>`);
  }
}

/** A bare URL's trailing punctuation belongs to the sentence, not the link. */
function trimUrl(url: string): string {
  return url.replace(/(?:&gt;|&lt;|[.,;:!?)\]'"])+$/, '');
}

/**
 * The line with every atomic piece (code span, <…>, bare URL, known emoji) rendered and replaced by a
 * placeholder, and the text between decoded from Slack's escaping.
 */
function extractAtoms(raw: string, ctx: RenderContext): { text: string; atoms: string[] } {
  const re = /`([^`\n]+)`|<([^<>\n]*)>|(?<![\w/])(https?:\/\/[^\s<>]+)|:([a-z0-9_+-]+):/g;
  const atoms: string[] = [];
  let text = '';
  let last = 0;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const [whole, code, angle, url, emojiName] = m;
    let html: string;
    let end = m.index + whole.length;
    if (code !== undefined) html = `<code class="bk-code">${escapeHtml(decodeSlackEntities(code))}</code>`;
    else if (angle !== undefined) html = angleHtml(angle, ctx);
    else if (url !== undefined) {
      const trimmed = trimUrl(url);
      const href = decodeSlackEntities(trimmed);
      html = linkHtml(href, escapeHtml(href));
      end = m.index + trimmed.length;
      re.lastIndex = end;
    } else {
      const emoji = emojiFor(emojiName!);
      if (!emoji) {
        re.lastIndex = m.index + 1;
        continue;
      }
      html = emojiHtml(emoji, emojiName!);
    }
    text += decodeSlackEntities(raw.slice(last, m.index)) + OPEN + atoms.length + CLOSE;
    atoms.push(html);
    last = end;
  }
  return { text: text + decodeSlackEntities(raw.slice(last)), atoms };
}

/**
 * The first *bold*, _italic_ or ~strike~ span. Like Slack, markers need a word boundary on the outside
 * (`a*b*c` is not bold), no space on the inside (`* not bold *`) and something besides markers (`***`).
 */
const FORMAT = /(?<![\p{L}\p{N}])([*_~])([*_~]*[^*_~\s](?:.*?\S)??)\1(?![\p{L}\p{N}])/u;
const FORMAT_TAGS: Readonly<Record<string, string>> = { '*': 'strong', _: 'em', '~': 's' };

/** Decoded text (with placeholders) as escaped HTML with formatting applied, nested spans included. */
function applyFormatting(text: string): string {
  const m = FORMAT.exec(text);
  if (!m) return escapeHtml(text);
  const tag = FORMAT_TAGS[m[1]!]!;
  const before = text.slice(0, m.index);
  const after = text.slice(m.index + m[0].length);
  return `${escapeHtml(before)}<${tag}>${applyFormatting(m[2]!)}</${tag}>${applyFormatting(after)}`;
}

/** Formatted text with the placeholders put back. */
function formatWithAtoms(text: string, atoms: string[]): string {
  const placeholder = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');
  return applyFormatting(text).replace(placeholder, (_, i: string) => atoms[Number(i)]!);
}

/** One line of mrkdwn (no newlines) as inline HTML. */
function renderInline(line: string, ctx: RenderContext): string {
  const { text, atoms } = extractAtoms(line, ctx);
  return formatWithAtoms(text, atoms);
}

/** A link's label (already decoded): formatting and emoji, but no nested links or mentions. */
function renderLabel(label: string): string {
  const atoms: string[] = [];
  const text = mapEmoji(
    label,
    (s) => s,
    (emoji, name) => `${OPEN}${atoms.push(emojiHtml(emoji, name)) - 1}${CLOSE}`,
  );
  return formatWithAtoms(text, atoms);
}

// ---------------------------------------------------------------------------------------------
// Lines: quotes, bulleted and numbered lists, ``` blocks
// ---------------------------------------------------------------------------------------------

type LineKind = 'text' | 'quote' | 'bullet' | 'number';
interface Line {
  kind: LineKind;
  content: string;
  number?: number;
}

const QUOTE = /^(?:&gt;|>) ?/;
const QUOTE_REST = /^(?:&gt;|>){3} ?/;
const BULLET = /^\s*[•◦▪‣-] +/;
const NUMBERED = /^\s*(\d{1,4})[.)] +/;

function classify(line: string): Line {
  const numbered = NUMBERED.exec(line);
  if (numbered) return { kind: 'number', content: line.slice(numbered[0].length), number: Number(numbered[1]) };
  if (BULLET.test(line)) return { kind: 'bullet', content: line.replace(BULLET, '') };
  if (QUOTE.test(line)) return { kind: 'quote', content: line.replace(QUOTE, '') };
  return { kind: 'text', content: line };
}

function renderGroup(group: Line[], ctx: RenderContext): string {
  const first = group[0]!;
  const items = () => group.map((l) => `<li>${renderInline(l.content, ctx)}</li>`).join('');
  switch (first.kind) {
    case 'quote':
      return `<blockquote class="bk-quote">${renderLines(group.map((l) => l.content), ctx)}</blockquote>`;
    case 'bullet':
      return `<ul class="bk-list">${items()}</ul>`;
    case 'number':
      return `<ol${attrs({ class: 'bk-list', start: first.number === 1 ? undefined : first.number })}>${items()}</ol>`;
    default:
      return group.map((l) => `<div class="bk-line">${renderInline(l.content, ctx) || '<br>'}</div>`).join('');
  }
}

/** Lines grouped into quotes, lists and plain lines. `&gt;&gt;&gt;` quotes everything after it. */
function renderLines(lines: string[], ctx: RenderContext): string {
  let out = '';
  let i = 0;
  while (i < lines.length) {
    if (QUOTE_REST.test(lines[i]!)) {
      const rest = [lines[i]!.replace(QUOTE_REST, ''), ...lines.slice(i + 1)];
      return `${out}<blockquote class="bk-quote">${renderLines(rest, ctx)}</blockquote>`;
    }
    const group = [classify(lines[i]!)];
    for (i += 1; i < lines.length && !QUOTE_REST.test(lines[i]!); i += 1) {
      const next = classify(lines[i]!);
      if (next.kind !== group[0]!.kind) break;
      group.push(next);
    }
    out += renderGroup(group, ctx);
  }
  return out;
}

interface Part {
  code: boolean;
  text: string;
}

/** ```pre``` blocks apart from the rest; the newline right inside or around a fence belongs to the fence. */
function splitCodeBlocks(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(/```([\s\S]*?)```/g)) {
    parts.push({ code: false, text: text.slice(last, m.index).replace(/\n$/, '') });
    parts.push({ code: true, text: m[1]!.replace(/^\n/, '').replace(/\n$/, '') });
    last = m.index + m[0].length;
  }
  parts.push({ code: false, text: last > 0 ? text.slice(last).replace(/^\n/, '') : text.slice(last) });
  return parts.filter((p) => p.code || p.text !== '' || parts.length === 1);
}

/** Slack mrkdwn as HTML. A single plain line comes back inline (no wrapper), anything more as block elements. */
export function renderMrkdwn(text: string, ctx: RenderContext): string {
  const clean = String(text ?? '').replace(/[\uE000\uE001]/g, '\uFFFD');
  const parts = splitCodeBlocks(clean);
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only && !only.code && !only.text.includes('\n') && classify(only.text).kind === 'text' && !QUOTE_REST.test(only.text)) {
    return renderInline(only.text, ctx);
  }
  return parts
    .map((p) => (p.code ? `<pre class="bk-pre">${escapeHtml(decodeSlackEntities(p.text))}</pre>` : renderLines(p.text.split('\n'), ctx)))
    .join('');
}

/**
 * A plain_text object's text as HTML: literal (no mrkdwn, no entity decoding), newlines kept, and known
 * `:emoji:` shown unless the object says `emoji: false`.
 */
export function renderPlainText(text: string, _ctx: RenderContext, opts: { emoji?: boolean } = {}): string {
  const s = String(text ?? '');
  const html = opts.emoji === false ? escapeHtml(s) : textWithEmoji(s);
  return html.replace(/\n/g, '<br>');
}
