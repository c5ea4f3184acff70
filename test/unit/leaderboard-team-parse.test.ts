/** parseTeamPrefix: a sales team named first in `/leaderboard [team] [period]` and the admin commands. Table-driven. */
import { describe, expect, it } from 'vitest';
import { parseTeamPrefix, teamNamesList } from '../../src/features/leaderboard/team-parse.js';

const TEAMS = [
  { id: 't-east', name: 'East AEs' },
  { id: 't-east-ent', name: 'East AEs Enterprise' },
  { id: 't-west', name: 'West' },
  { id: 't-rd', name: 'R&D  Sales' },
];

describe('parseTeamPrefix', () => {
  const cases: [string, string, ReturnType<typeof summary>][] = [
    ['straight quotes', '"East AEs" last week', { kind: 'team', id: 't-east', rest: 'last week', quoted: true }],
    ['curly quotes', '“East AEs” last month', { kind: 'team', id: 't-east', rest: 'last month', quoted: true }],
    ['quoted, any case and spacing', '"  east   aes " ', { kind: 'team', id: 't-east', rest: '', quoted: true }],
    ['quoted, nothing after', '"West"', { kind: 'team', id: 't-west', rest: '', quoted: true }],
    ['quoted name wins over a longer unquoted match', '"East AEs" Enterprise', { kind: 'team', id: 't-east', rest: 'Enterprise', quoted: true }],
    ['unquoted, case-insensitive', 'east aes last week', { kind: 'team', id: 't-east', rest: 'last week', quoted: false }],
    ['unquoted: the longest name that prefixes the text wins', 'East AEs Enterprise this month', { kind: 'team', id: 't-east-ent', rest: 'this month', quoted: false }],
    ['unquoted, extra spaces', '  WEST    this   quarter', { kind: 'team', id: 't-west', rest: 'this quarter', quoted: false }],
    ['whole words only: "Western" is not "West"', 'Western last week', { kind: 'none', rest: 'Western last week' }],
    ['no team: the text is a period', 'last week', { kind: 'none', rest: 'last week' }],
    ['empty text', '', { kind: 'none', rest: '' }],
    ['Slack’s escapes are decoded: R&amp;D', 'r&amp;d sales last week', { kind: 'team', id: 't-rd', rest: 'last week', quoted: false }],
    ['quoted unknown team', '"North" last week', { kind: 'unknown', name: 'North', rest: 'last week' }],
    ['quoted unknown, curly', '“East  Reps” ', { kind: 'unknown', name: 'East Reps', rest: '' }],
    ['quote never closed', '"East AEs last week', { kind: 'unclosed' }],
  ];
  it.each(cases)('%s: %j', (_title, text, expected) => {
    expect(summary(parseTeamPrefix(text, TEAMS))).toEqual(expected);
  });

  it('with no teams, nothing is a team', () => {
    expect(summary(parseTeamPrefix('East AEs last week', []))).toEqual({ kind: 'none', rest: 'East AEs last week' });
    expect(summary(parseTeamPrefix('"East AEs" last week', []))).toEqual({ kind: 'unknown', name: 'East AEs', rest: 'last week' });
  });
});

describe('teamNamesList', () => {
  it.each([
    [[], 'there are no teams yet'],
    [[{ id: '1', name: 'East' }], '“East”'],
    [[{ id: '1', name: 'A<b>' }, { id: '2', name: 'C&D' }], '“A&lt;b&gt;”, “C&amp;D”'],
    [Array.from({ length: 22 }, (_, i) => ({ id: String(i), name: `T${i}` })), `${Array.from({ length: 20 }, (_, i) => `“T${i}”`).join(', ')} and 2 more`],
  ])('%j -> %s', (teams, expected) => {
    expect(teamNamesList(teams)).toBe(expected);
  });
});

function summary(p: ReturnType<typeof parseTeamPrefix<(typeof TEAMS)[number]>>) {
  switch (p.kind) {
    case 'team':
      return { kind: p.kind, id: p.team.id, rest: p.rest, quoted: p.quoted };
    case 'none':
      return { kind: p.kind, rest: p.rest };
    case 'unknown':
      return { kind: p.kind, name: p.name, rest: p.rest };
    case 'unclosed':
      return { kind: p.kind };
  }
}
