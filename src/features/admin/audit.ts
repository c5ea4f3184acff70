/**
 * `/sales-admin audit [n]` (admins): the latest n administrative changes (default 20, at most 100), newest first:
 * when (in the admin's time zone), who, what, to what, and the value before → after.
 */
import { latestAudit, type AuditRow } from '../../org/index.js';
import { dateIn, formatIsoDate, timeIn } from '../../periods/calendar.js';
import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import type { AdminContext } from './context.js';

export const DEFAULT_AUDIT_ENTRIES = 20;
export const MAX_AUDIT_ENTRIES = 100;
/** A value (before or after) is cut to this many characters in the list; the export has it whole. */
const MAX_VALUE_CHARS = 300;

export const AUDIT_COUNT_ERROR = `:warning: Give how many entries to show, a whole number from 1 to ${MAX_AUDIT_ENTRIES}, for example \`/sales-admin audit 50\`. Without it you get the latest ${DEFAULT_AUDIT_ENTRIES}.`;

/** The count asked for: undefined words give the default; anything but 1..MAX_AUDIT_ENTRIES is an error (null). */
export function parseAuditCount(words: readonly string[]): number | null {
  if (words.length === 0) return DEFAULT_AUDIT_ENTRIES;
  if (words.length > 1 || !/^\d{1,3}$/.test(words[0]!)) return null;
  const n = Number(words[0]);
  return n >= 1 && n <= MAX_AUDIT_ENTRIES ? n : null;
}

export async function showAudit({ deps, args, admin, rest }: AdminContext): Promise<Message> {
  const n = parseAuditCount(rest);
  if (n === null) return noticeMessage(AUDIT_COUNT_ERROR);
  const rows = await latestAudit(deps.db, args.command.team_id, n);
  return auditMessage(rows, admin.timeZone);
}

/** A JSON value as one short line: strings as they are, the rest as JSON; "nothing" for null. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return truncate(text.replace(/\s+/g, ' '), MAX_VALUE_CHARS);
}

/** The subject as mrkdwn: user and channel mentions kept (they are ids, rendered by Slack), everything else escaped. */
function subjectText(subject: string): string {
  return subject
    .split(/(<[@#][UWCG][A-Z0-9]+>)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeMrkdwn(part)))
    .join('');
}

function when(at: Date, timeZone: string): string {
  const t = timeIn(at, timeZone);
  return `${formatIsoDate(dateIn(at, timeZone))} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/** The entries as a list message (pure); `timeZone` is the reader's. */
export function auditMessage(rows: readonly AuditRow[], timeZone: string): Message {
  if (rows.length === 0) return noticeMessage('No administrative changes are recorded yet. Changes to teams, roles, settings, rates, targets and schedules, and erasures, will show here.');
  const lines = rows.map((r) => {
    const change = r.before === null && r.after === null ? '' : `: \`${escapeMrkdwn(describeValue(r.before)).replace(/`/g, "'")}\` → \`${escapeMrkdwn(describeValue(r.after)).replace(/`/g, "'")}\``;
    return `• ${when(r.createdAt, timeZone)} <@${r.actorId}> *${escapeMrkdwn(r.action)}* ${subjectText(truncate(r.subject, 200))}${change}`;
  });
  return listMessage(
    `*Audit log*: the latest ${rows.length} ${rows.length === 1 ? 'change' : 'changes'}, newest first`,
    lines,
    `Times in ${timeZone}. All of them, with full values: \`/sales-admin export this year audit\`.`,
  );
}
