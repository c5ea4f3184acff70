/**
 * A sales team named at the start of a command's text, pure: `/leaderboard "East AEs" last week`,
 * `/leaderboard east aes last week`, `/sales-admin leaderboard “East AEs” #sales-east`, `target team East AEs …`.
 *
 * - Quoted (straight `"` or curly `“ ”` quotes): the words up to the closing quote name the team, whatever follows;
 *   a name that matches no team is `unknown` (the caller lists the teams), a quote never closed is `unclosed`.
 * - Unquoted: the longest team name (case-insensitive, spaces collapsed) that the text starts with, as whole words;
 *   `none` when no team name fits (the whole text is for the caller, e.g. a period).
 * Slack's escapes (`&amp;` …) are decoded before matching, so "R&D" matches.
 */
import { decodeEntities } from '../../slack/command-text.js';
import { escapeMrkdwn } from '../../slack/text.js';

export interface NamedTeam {
  id: string;
  name: string;
}

export type TeamPrefix<T extends NamedTeam> =
  | { kind: 'team'; team: T; rest: string; quoted: boolean }
  | { kind: 'none'; rest: string }
  | { kind: 'unknown'; name: string; rest: string }
  | { kind: 'unclosed' };

const OPENING = /^["“”]/;
const CLOSING = /["“”]/;

/** The key names are compared by: case-insensitive, inner whitespace collapsed (as teams.name_key). */
function keyOf(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function parseTeamPrefix<T extends NamedTeam>(text: string, teams: readonly T[]): TeamPrefix<T> {
  const trimmed = decodeEntities(text).trim();
  if (OPENING.test(trimmed)) {
    const body = trimmed.slice(1);
    const close = CLOSING.exec(body);
    if (!close) return { kind: 'unclosed' };
    const name = body.slice(0, close.index).trim().replace(/\s+/g, ' ');
    const rest = body.slice(close.index + 1).trim();
    const team = teams.find((t) => keyOf(t.name) === keyOf(name));
    return team ? { kind: 'team', team, rest, quoted: true } : { kind: 'unknown', name, rest };
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  const lowered = words.map((w) => w.toLowerCase());
  let best: { team: T; used: number } | undefined;
  for (const team of teams) {
    const key = keyOf(team.name);
    if (key === '') continue;
    const teamWords = key.split(' ');
    if (teamWords.length > lowered.length) continue;
    if (teamWords.every((w, i) => lowered[i] === w) && (!best || teamWords.length > best.used)) best = { team, used: teamWords.length };
  }
  if (!best) return { kind: 'none', rest: trimmed };
  return { kind: 'team', team: best.team, rest: words.slice(best.used).join(' '), quoted: false };
}

/** "“East AEs”, “West AEs”" for an error message (mrkdwn, names escaped), or words saying there are none. */
export function teamNamesList(teams: readonly NamedTeam[], max = 20): string {
  if (teams.length === 0) return 'there are no teams yet';
  const names = teams.slice(0, max).map((t) => `“${escapeMrkdwn(t.name)}”`);
  return names.join(', ') + (teams.length > max ? ` and ${teams.length - max} more` : '');
}
