/** The words of `/sales-admin export …` and `/sales-admin audit [n]`, table-driven. */
import { describe, expect, it } from 'vitest';
import { parseAuditCount } from '../../src/features/admin/audit.js';
import { parseExportArgs } from '../../src/features/admin/export/args.js';

const EAST = { id: 'e', name: 'East AEs' };
const WEST = { id: 'w', name: 'West' };
const TEAMS = [EAST, WEST];

describe('parseExportArgs', () => {
  it.each([
    ['', 'activities', '', undefined],
    ['deals', 'deals', '', undefined],
    ['last month deals', 'deals', 'last month', undefined],
    ['last month DEALS "East AEs"', 'deals', 'last month', 'e'],
    ['q3 summary east aes', 'summary', 'q3', 'e'],
    ['2026-10-01..2026-10-31 activity “East AEs”', 'activities', '2026-10-01..2026-10-31', 'e'],
    ['this year audit', 'audit', 'this year', undefined],
    ['last week', 'activities', 'last week', undefined],
    ['last week West', 'activities', 'last week', 'w'],
    ['last week "East AEs"', 'activities', 'last week', 'e'],
    ['East AEs', 'activities', '', 'e'],
  ])('%j -> %s, period %j, team %s', (text, kind, periodText, teamId) => {
    const parsed = parseExportArgs(text, TEAMS);
    expect(parsed).toEqual({ ok: true, kind, periodText, ...(teamId ? { team: TEAMS.find((t) => t.id === teamId) } : {}) });
  });

  it.each([
    ['deals "North"', 'There is no team called “North”. The teams are “East AEs”, “West”.'],
    ['last month summary Nowhere Team', 'There is no team called “Nowhere Team”.'],
    ['last week "R&amp;D"', 'There is no team called “R&amp;D”.'],
  ])('%j is refused, naming the teams', (text, message) => {
    const parsed = parseExportArgs(text, TEAMS);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('says so when there are no teams at all', () => {
    const parsed = parseExportArgs('deals East', []);
    expect(parsed).toEqual({ ok: false, error: expect.stringContaining('There are no teams yet.') });
  });
});

describe('parseAuditCount', () => {
  it.each([
    [[], 20],
    [['1'], 1],
    [['50'], 50],
    [['100'], 100],
    [['0'], null],
    [['101'], null],
    [['-5'], null],
    [['2.5'], null],
    [['ten'], null],
    [['10', '20'], null],
    [['1000'], null],
  ])('%j -> %s', (words, expected) => {
    expect(parseAuditCount(words)).toBe(expected);
  });
});
