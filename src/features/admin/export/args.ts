/**
 * The words of `/sales-admin export [period] [activities|deals|summary|audit] [team]`, pure: which kind of file,
 * the period's words (read by the one calendar's parser, src/periods) and the team, if one is named.
 *
 * - The kind is the first word that names one (`activity`, `deal` singular too); without one, `activities`.
 * - Words before the kind are the period (none: this week, as `/leaderboard`). Words after it name a team, quoted
 *   (`"East AEs"`, curly quotes too) or not.
 * - Without a kind word, a team name may still end the text: the longest run of last words (or a quoted name) that
 *   names a team; the words before it are the period.
 */
import { decodeEntities } from '../../../slack/command-text.js';
import { escapeMrkdwn } from '../../../slack/text.js';

export const EXPORT_KINDS = ['activities', 'deals', 'summary', 'audit'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const KIND_WORDS: Record<string, ExportKind> = {
  activities: 'activities',
  activity: 'activities',
  deals: 'deals',
  deal: 'deals',
  summary: 'summary',
  audit: 'audit',
};

export interface TeamName {
  id: string;
  name: string;
}

export type ExportArgs<T extends TeamName> = { ok: true; kind: ExportKind; periodText: string; team?: T } | { ok: false; error: string };

export const EXPORT_FORM = '/sales-admin export [period] [activities|deals|summary|audit] [team]';
export const EXPORT_EXAMPLE = '/sales-admin export last month deals "East AEs"';

const keyOf = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
const QUOTED_AT_END = /["“”]([^"“”]*)["“”]\s*$/;

export function parseExportArgs<T extends TeamName>(text: string, teams: readonly T[]): ExportArgs<T> {
  const typed = decodeEntities(text).trim();
  const words = typed.split(/\s+/).filter(Boolean);
  const kindAt = words.findIndex((w) => Object.prototype.hasOwnProperty.call(KIND_WORDS, w.toLowerCase()));
  if (kindAt >= 0) {
    const kind = KIND_WORDS[words[kindAt]!.toLowerCase()]!;
    const periodText = words.slice(0, kindAt).join(' ');
    const teamText = words
      .slice(kindAt + 1)
      .join(' ')
      .replace(/^["“”]|["“”]$/g, '')
      .trim();
    if (teamText === '') return { ok: true, kind, periodText };
    const team = teams.find((t) => keyOf(t.name) === keyOf(teamText));
    if (!team) return { ok: false, error: unknownTeam(teamText, teams) };
    return { ok: true, kind, periodText, team };
  }
  const quoted = QUOTED_AT_END.exec(typed);
  if (quoted) {
    const team = teams.find((t) => keyOf(t.name) === keyOf(quoted[1]!));
    if (!team) return { ok: false, error: unknownTeam(quoted[1]!, teams) };
    return { ok: true, kind: 'activities', periodText: typed.slice(0, quoted.index).trim(), team };
  }
  // The longest run of last words that names a team.
  for (let start = 0; start < words.length; start++) {
    const team = teams.find((t) => keyOf(t.name) === keyOf(words.slice(start).join(' ')));
    if (team) return { ok: true, kind: 'activities', periodText: words.slice(0, start).join(' '), team };
  }
  return { ok: true, kind: 'activities', periodText: words.join(' ') };
}

function unknownTeam(name: string, teams: readonly TeamName[]): string {
  const known = teams.length === 0 ? 'There are no teams yet.' : `The teams are ${teams.map((t) => `“${escapeMrkdwn(t.name)}”`).join(', ')}.`;
  return `:warning: There is no team called “${escapeMrkdwn(name.trim())}”. ${known}\nFor example: \`${EXPORT_EXAMPLE}\``;
}
