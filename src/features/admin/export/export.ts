/**
 * `/sales-admin export [period] [activities|deals|summary|audit] [team]`: a CSV file, sent to the person by DM.
 *
 * The ack answers at once ("Exporting … I'll DM you the file"); the file is built after it, one export at a time per
 * process (queue.ts), read a page of rows at a time and capped (csv.ts), then uploaded into the person's DM. A
 * failure after the ack is told to the person through the command's response_url.
 *
 * Who may export what: admins anything; a team manager activities, deals and the summary of a team they manage (its
 * members' rows only), never the audit log. The period is read by the one calendar's parser, in the workspace's
 * time zone (the zone every date in the file is written in), default this week as `/leaderboard`.
 */
import type { webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { listSalesTeams, managesTeam, NOT_YOUR_TEAM_TEXT, type SalesTeam } from '../../../org/index.js';
import { dateIn, formatIsoDate } from '../../../periods/calendar.js';
import { parsePeriod } from '../../../periods/parse-period.js';
import type { BoardPeriod } from '../../../periods/types.js';
import { noticeMessage, type Message } from '../../../slack/blocks.js';
import { sendThroughRateLimits } from '../../../slack/posting-client.js';
import { escapeMrkdwn } from '../../../slack/text.js';
import { describeFailure } from '../../../slack/web-api-errors.js';
import { ensureWorkspace } from '../../../slack/workspace.js';
import { loadBoard, periodSettings } from '../../leaderboard/index.js';
import type { AdminContext } from '../context.js';
import { EXPORT_EXAMPLE, EXPORT_FORM, parseExportArgs, type ExportKind } from './args.js';
import { CsvFile, MAX_EXPORT_ROWS } from './csv.js';
import { ExportQueue } from './queue.js';
import { ACTIVITY_COLUMNS, activityRows, AUDIT_COLUMNS, auditRows, DEAL_COLUMNS, dealRows, type RowsQuery } from './rows.js';
import { summaryTable } from './summary.js';

export const AUDIT_EXPORT_ADMIN_ONLY_TEXT = ':lock: Only Sales Pulse admins can export the audit log.';
export const EXPORT_BUSY_TEXT = ':hourglass_flowing_sand: Your previous export is still being prepared: it will arrive by DM in a moment. Ask for the next one after it.';
export const EXPORTS_FULL_TEXT = ':hourglass_flowing_sand: Sales Pulse is preparing several exports right now. Please ask again in a few minutes.';
/** Uploading a large file takes longer than an ordinary call. */
const UPLOAD_TIMEOUT_MS = 120_000;

const KIND_WORDS: Record<ExportKind, string> = {
  activities: 'activities',
  deals: 'deals',
  summary: 'the per-rep summary',
  audit: 'the audit log',
};

/** One queue per app (Deps is built once per app and never changed). */
const exporters = new WeakMap<Deps, { queue: ExportQueue }>();

function exporterOf(deps: Deps) {
  let found = exporters.get(deps);
  if (!found) {
    found = { queue: new ExportQueue() };
    exporters.set(deps, found);
  }
  return found;
}

interface ExportJob {
  teamId: string;
  userId: string;
  kind: ExportKind;
  period: BoardPeriod;
  team?: SalesTeam;
  timeZone: string;
}

export async function exportData(ctx: AdminContext): Promise<Message> {
  const { deps, args, role, rest } = ctx;
  const { command } = args;
  const teamId = command.team_id;
  const teams = await listSalesTeams(deps.db, teamId);
  const parsed = parseExportArgs(rest.join(' '), teams);
  if (!parsed.ok) return noticeMessage(parsed.error);
  let team = parsed.team;
  if (parsed.kind === 'audit') {
    if (role.kind !== 'admin') return noticeMessage(AUDIT_EXPORT_ADMIN_ONLY_TEXT);
    if (team) return noticeMessage(':warning: The audit log covers the whole workspace: leave out the team, for example `/sales-admin export last month audit`.');
  }
  if (role.kind !== 'admin') {
    if (team && !managesTeam(role, team.id)) return noticeMessage(NOT_YOUR_TEAM_TEXT);
    if (!team) {
      const mine = teams.filter((t) => managesTeam(role, t.id));
      if (mine.length !== 1) {
        const names = mine.map((t) => `“${escapeMrkdwn(t.name)}”`).join(', ');
        return noticeMessage(`:warning: You manage several teams (${names}): name the one to export, for example \`/sales-admin export last month deals "${escapeMrkdwn(mine[0]?.name ?? 'East AEs')}"\`.`);
      }
      team = mine[0];
    }
  }
  const workspace = await ensureWorkspace(deps.db, teamId);
  const timeZone = workspace.defaultTimeZone;
  const period = parsePeriod(parsed.periodText, deps.clock.now(), periodSettings(workspace, timeZone));
  if (!period.ok) return noticeMessage(`:warning: ${period.error}\nThe form: \`${EXPORT_FORM}\`, for example \`${EXPORT_EXAMPLE}\`.`);

  const job: ExportJob = { teamId, userId: command.user_id, kind: parsed.kind, period: period.period, team, timeZone };
  const exporter = exporterOf(deps);
  const place = exporter.queue.reserve(`${teamId}:${command.user_id}`);
  if (place.kind === 'busy') return noticeMessage(EXPORT_BUSY_TEXT);
  if (place.kind === 'full') return noticeMessage(EXPORTS_FULL_TEXT);
  ctx.afterAck(() =>
    place.run(async () => {
      try {
        await sendExport(deps, args.client, job);
      } catch (error) {
        deps.logger.error({ err: error, kind: job.kind }, 'an export could not be built or sent');
        await args
          .respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...noticeMessage(`:warning: I could not send your export (${escapeMrkdwn(describeFailure(error))}). Nothing was sent. Please ask again in a moment.`),
          })
          .catch((e: unknown) => deps.logger.warn({ err: e }, 'could not tell the person their export failed'));
      }
    }),
  );
  return noticeMessage(
    `:inbox_tray: Exporting ${KIND_WORDS[job.kind]} for ${escapeMrkdwn(period.period.current.label)}${scopeWords(job)}… I'll DM you the file in a moment.`,
  );
}

function scopeWords(job: Pick<ExportJob, 'kind' | 'team'>): string {
  if (job.kind === 'audit') return '';
  return job.team ? ` (team “${escapeMrkdwn(job.team.name)}”, its members only)` : ' (the whole workspace)';
}

/** `sales-pulse-deals-2026-10-01-to-2026-10-31.csv` (the last day is the one before the period's exclusive end). */
export function exportFilename(kind: ExportKind, period: BoardPeriod): string {
  const first = formatIsoDate(dateIn(period.current.start, period.timeZone));
  const last = formatIsoDate(dateIn(new Date(period.current.end.getTime() - 1), period.timeZone));
  return `sales-pulse-${kind}-${first === last ? first : `${first}-to-${last}`}.csv`;
}

async function buildFile(deps: Deps, client: webApi.WebClient, job: ExportJob): Promise<CsvFile> {
  if (job.kind === 'summary') {
    const board = await loadBoard(deps, client, { teamId: job.teamId, period: job.period, salesTeam: job.team ? { id: job.team.id, name: job.team.name } : undefined });
    const table = summaryTable(board);
    const file = new CsvFile(table.header);
    file.add(table.rows);
    return file;
  }
  const query: RowsQuery = { teamId: job.teamId, period: job.period.current, timeZone: job.timeZone, salesTeamId: job.team?.id };
  const [columns, pages] =
    job.kind === 'activities'
      ? [ACTIVITY_COLUMNS, activityRows(deps.db, query)]
      : job.kind === 'deals'
        ? [DEAL_COLUMNS, dealRows(deps.db, query)]
        : [AUDIT_COLUMNS, auditRows(deps.db, query)];
  const file = new CsvFile(columns);
  for await (const page of pages) {
    if (!file.add(page)) break;
  }
  return file;
}

async function sendExport(deps: Deps, client: webApi.WebClient, job: ExportJob): Promise<void> {
  // Uploads post: through the workspace's posting client (retries off), so a late answer never shares the file twice.
  const postingClient = await deps.slack.posting(job.teamId, { timeoutMs: UPLOAD_TIMEOUT_MS });
  const file = await buildFile(deps, client, job);
  const label = job.period.current.label;
  const rows = file.rows === 0 ? 'No rows: nothing in this period, so the file has the column names only.' : `${file.rows.toLocaleString('en-US')} rows.`;
  const notes = [
    `:page_facing_up: Your Sales Pulse export: ${KIND_WORDS[job.kind]}, ${label}${scopeWords(job)}. ${rows}`,
    job.kind === 'summary' ? '' : `Dates and times are in ${job.timeZone}, the workspace’s time zone.`,
    file.cut
      ? `:warning: The file stops at ${file.rows.toLocaleString('en-US')} rows (at most ${MAX_EXPORT_ROWS.toLocaleString('en-US')}, and 50 MB): export a shorter period${job.team || job.kind === 'audit' ? '' : ' or one team'} for the rest.`
      : '',
  ].filter(Boolean);
  const opened = await client.conversations.open({ users: job.userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  const title = `Sales Pulse ${job.kind}, ${label}${job.team ? `, ${job.team.name}` : ''}`;
  await sendThroughRateLimits(() =>
    postingClient.files.uploadV2({
      channel_id: channel,
      file: file.toBuffer(),
      filename: exportFilename(job.kind, job.period),
      title,
      initial_comment: notes.join('\n'),
    }),
  );
}
