/**
 * `/sales-admin team …` and `/sales-admin admin …` parsing: names quoted (straight or curly) or one word, Slack's
 * escaped mentions and channels, and a clear message with the right form for every malformed command.
 */
import { describe, expect, it } from 'vitest';
import { parseAdminRoleCommand, parseTeamCommand, TEAM_EXAMPLES, type AdminRoleCommand, type TeamCommand } from '../../src/features/admin/team-parse.js';

const ANA = '<@U0ANA0001|ana>';
const BEN = '<@U0BEN0001|ben lee>';
const MIA = '<@W0MIA0001>';
const EAST = '<#C0EAST01|sales-east>';

describe('parseTeamCommand: what it understands', () => {
  const cases: Array<[string, TeamCommand]> = [
    [`create "East AEs" ${EAST}`, { kind: 'create', name: 'East AEs', channelId: 'C0EAST01' }],
    [`create “East AEs” ${EAST}`, { kind: 'create', name: 'East AEs', channelId: 'C0EAST01' }],
    [`CREATE ”East AEs” <#G0PRIV01>`, { kind: 'create', name: 'East AEs', channelId: 'G0PRIV01' }],
    ['create "East AEs"', { kind: 'create', name: 'East AEs', channelId: null }],
    [`create East ${EAST}`, { kind: 'create', name: 'East', channelId: 'C0EAST01' }],
    ['create "  R&amp;D   team "', { kind: 'create', name: 'R&D   team', channelId: null }],
    [`"East AEs" add ${ANA} ${BEN}`, { kind: 'add', team: 'East AEs', userIds: ['U0ANA0001', 'U0BEN0001'] }],
    [`“East AEs” add ${ANA} ${ANA}`, { kind: 'add', team: 'East AEs', userIds: ['U0ANA0001'] }],
    [`East ADD ${ANA}`, { kind: 'add', team: 'East', userIds: ['U0ANA0001'] }],
    [`"East AEs" remove ${BEN}`, { kind: 'remove', team: 'East AEs', userIds: ['U0BEN0001'] }],
    [`"East AEs" manager ${MIA}`, { kind: 'manager-add', team: 'East AEs', userIds: ['W0MIA0001'] }],
    [`"East AEs" managers add ${MIA} ${ANA}`, { kind: 'manager-add', team: 'East AEs', userIds: ['W0MIA0001', 'U0ANA0001'] }],
    [`"East AEs" manager remove ${MIA}`, { kind: 'manager-remove', team: 'East AEs', userIds: ['W0MIA0001'] }],
    [`"East AEs" channel ${EAST}`, { kind: 'channel', team: 'East AEs', channelId: 'C0EAST01' }],
    ['"East AEs" rename "East Enterprise"', { kind: 'rename', team: 'East AEs', name: 'East Enterprise' }],
    ['"East AEs" rename Enterprise', { kind: 'rename', team: 'East AEs', name: 'Enterprise' }],
    ['"East AEs" rename “East 2”', { kind: 'rename', team: 'East AEs', name: 'East 2' }],
    ['"East AEs" delete', { kind: 'delete', team: 'East AEs' }],
    ['East delete', { kind: 'delete', team: 'East' }],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseTeamCommand(text)).toEqual(expected);
  });
});

describe('parseTeamCommand: every malformed command says what is wrong and shows the form', () => {
  const cases: Array<[string, string, string]> = [
    ['', 'Say what to do with which team.', TEAM_EXAMPLES.create],
    ['create', 'Name the team.', TEAM_EXAMPLES.create],
    ['create "East AEs', 'The team name has no closing quote.', TEAM_EXAMPLES.create],
    ['create ""', 'The team name between the quotes is empty.', TEAM_EXAMPLES.create],
    ['create "East"AEs', 'Put a space after the team name’s closing quote.', TEAM_EXAMPLES.create],
    [`create East AEs ${EAST}`, 'Put a team name with spaces in quotes.', TEAM_EXAMPLES.create],
    ['create "East AEs" #sales-east', '`#sales-east` is not a linked channel. Pick the channel from Slack’s list as you type #, so Slack links it.', TEAM_EXAMPLES.create],
    [`create "East AEs" ${EAST} <#C0OTHER1>`, 'Name one channel only.', TEAM_EXAMPLES.create],
    [`create ${EAST}`, 'Name the team first, before any person or channel.', TEAM_EXAMPLES.create],
    [`${ANA} add ${BEN}`, 'Name the team first, before any person or channel.', TEAM_EXAMPLES.add],
    ['"East AEs"', 'Say what to do with the team: `add`, `remove`, `manager`, `manager remove`, `channel`, `rename` or `delete`.', TEAM_EXAMPLES.add],
    ['"East AEs" add', 'Name at least one person with @.', TEAM_EXAMPLES.add],
    ['"East AEs" add @ana', '`@ana` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.', TEAM_EXAMPLES.add],
    [`"East AEs" add ${ANA} ben`, '`ben` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.', TEAM_EXAMPLES.add],
    [`"East AEs" add ${EAST}`, '`sales-east` is not a person. Name people with @.', TEAM_EXAMPLES.add],
    ['"East AEs" remove', 'Name at least one person with @.', TEAM_EXAMPLES.remove],
    ['"East AEs" manager', 'Name at least one person with @.', TEAM_EXAMPLES.manager],
    ['"East AEs" manager remove', 'Name at least one person with @.', TEAM_EXAMPLES.managerRemove],
    ['"East AEs" channel', 'Name the home channel with #.', TEAM_EXAMPLES.channel],
    ['"East AEs" channel sales', '`sales` is not a linked channel. Pick the channel from Slack’s list as you type #, so Slack links it.', TEAM_EXAMPLES.channel],
    ['"East AEs" rename', 'Name the team.', TEAM_EXAMPLES.rename],
    ['"East AEs" rename East Enterprise', 'Put a new name with spaces in quotes.', TEAM_EXAMPLES.rename],
    ['"East AEs" rename "East', 'The team name has no closing quote.', TEAM_EXAMPLES.rename],
    ['"East AEs" delete now', '`delete` takes nothing after it.', TEAM_EXAMPLES.delete],
    ['"East AEs" invite @ana', "I don't know `invite` for a team. Use `add`, `remove`, `manager`, `manager remove`, `channel`, `rename` or `delete`.", TEAM_EXAMPLES.add],
    [
      `East AEs add ${ANA}`,
      "I don't know `AEs` for a team. Use `add`, `remove`, `manager`, `manager remove`, `channel`, `rename` or `delete`; put a team name with spaces in quotes.",
      TEAM_EXAMPLES.add,
    ],
    ['"East AEs" `drop`', "I don't know `'drop'` for a team. Use `add`, `remove`, `manager`, `manager remove`, `channel`, `rename` or `delete`.", TEAM_EXAMPLES.add],
  ];
  it.each(cases)('%j', (text, problem, example) => {
    expect(parseTeamCommand(text)).toEqual({ kind: 'error', message: `:warning: ${problem}\nTry: \`${example}\`` });
  });
});

describe('parseAdminRoleCommand', () => {
  const cases: Array<[string, AdminRoleCommand]> = [
    [ANA, { kind: 'grant', userIds: ['U0ANA0001'] }],
    [`${ANA} ${BEN}`, { kind: 'grant', userIds: ['U0ANA0001', 'U0BEN0001'] }],
    [`add ${MIA}`, { kind: 'grant', userIds: ['W0MIA0001'] }],
    [`remove ${ANA}`, { kind: 'revoke', userIds: ['U0ANA0001'] }],
    [`REMOVE ${ANA} ${BEN}`, { kind: 'revoke', userIds: ['U0ANA0001', 'U0BEN0001'] }],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseAdminRoleCommand(text)).toEqual(expected);
  });

  const errors: Array<[string, string, string]> = [
    ['', 'Name the people to make admins with @.', TEAM_EXAMPLES.grant],
    ['remove', 'Name at least one person with @.', TEAM_EXAMPLES.revoke],
    ['@ana', '`@ana` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.', TEAM_EXAMPLES.grant],
    [`remove ${ANA} everyone`, '`everyone` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.', TEAM_EXAMPLES.revoke],
    [EAST, '`sales-east` is not a person. Name people with @.', TEAM_EXAMPLES.grant],
  ];
  it.each(errors)('%j is refused', (text, problem, example) => {
    expect(parseAdminRoleCommand(text)).toEqual({ kind: 'error', message: `:warning: ${problem}\nTry: \`${example}\`` });
  });
});
