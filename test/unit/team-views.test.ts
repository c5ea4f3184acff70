/**
 * The teams and roles settings views (pure): structure, the metadata round trip, reading a submitted form, and
 * Slack's limits with many teams, long names and many people.
 */
import { describe, expect, it } from 'vitest';
import type { SalesTeam } from '../../src/org/index.js';
import { rolesView, readRolesForm } from '../../src/features/admin/settings/roles.view.js';
import {
  decodeTeamFormMetadata,
  readTeamForm,
  slackFieldText,
  teamFormErrors,
  teamFormView,
  teamsListView,
} from '../../src/features/admin/settings/teams.view.js';
import { viewProblems } from '../../src/sandbox/block-kit-checks.js';

const ID = '0b6f8a52-3f5e-4c1e-9c35-1d2e3f4a5b6c';
const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `U${prefix}${String(i).padStart(6, '0')}`);
const team = (i: number, over: Partial<SalesTeam> = {}): SalesTeam => ({
  id: ID.slice(0, -4) + String(i).padStart(4, '0'),
  name: `Team ${i}`,
  channelId: 'C0EAST01',
  digestDefault: null,
  managers: ['U0MIA0001'],
  members: ['U0ANA0001'],
  ...over,
});

describe('teamsListView', () => {
  it('one section with an Edit button per team, its id the value, within Slack’s limits', () => {
    const view = teamsListView([team(1), team(2, { channelId: null, managers: [], members: [] })], ':white_check_mark: Saved *Team 1*.');
    expect(viewProblems(view, ['modal'])).toEqual([]);
    const sections = view.blocks.filter((b) => b.block_id?.startsWith('settings_team_'));
    expect(sections.map((b) => (b as { accessory: { action_id: string; value: string } }).accessory)).toMatchObject([
      { action_id: 'settings_teams_edit_0', value: team(1).id },
      { action_id: 'settings_teams_edit_1', value: team(2).id },
    ]);
    expect(JSON.stringify(view.blocks)).toContain('*Team 2* in no home channel\\nManagers: none yet\\nMembers (0): none yet');
    expect(JSON.stringify(view.blocks[0])).toContain('Saved *Team 1*');
  });

  it('150 teams with long names and 400 members each: at most 100 blocks, the rest counted, every text within limits', () => {
    const teams = Array.from({ length: 150 }, (_, i) => team(i, { name: `${'&<>'.repeat(16)}${i}`, members: people(400, 'A'), managers: people(30, 'M') }));
    const view = teamsListView(teams, 'notice');
    expect(viewProblems(view, ['modal'])).toEqual([]);
    expect(view.blocks).toHaveLength(99);
    const shown = view.blocks.filter((b) => b.block_id?.startsWith('settings_team_')).length;
    expect(JSON.stringify(view.blocks.at(-1))).toContain(`And ${150 - shown} more: see them all with`);
    expect(JSON.stringify(view.blocks)).not.toContain('<>&');
  });
});

describe('teamFormView', () => {
  it('a new team: empty fields, Create; an edited one: its values filled in, Save, its id in the metadata', () => {
    const created = teamFormView({ listViewId: 'V0LIST' });
    expect(viewProblems(created, ['modal'])).toEqual([]);
    expect(created.submit?.text).toBe('Create');
    expect(decodeTeamFormMetadata(created.private_metadata)).toEqual({ salesTeamId: undefined, listViewId: 'V0LIST' });

    const edited = teamFormView({ team: team(1, { managers: people(100, 'M'), members: people(500, 'A') }), listViewId: 'V0LIST' });
    expect(viewProblems(edited, ['modal'])).toEqual([]);
    expect(edited.title.text).toBe('Edit team');
    expect(decodeTeamFormMetadata(edited.private_metadata)).toEqual({ salesTeamId: team(1).id, listViewId: 'V0LIST' });
    expect(JSON.stringify(edited.blocks)).toContain('"initial_conversation":"C0EAST01"');
  });

  it('metadata that is not ours decodes to nothing', () => {
    for (const raw of ['', 'not json', '[]', '{"t": 5}', `{"t":"${'x'.repeat(100)}"}`, undefined]) expect(decodeTeamFormMetadata(raw)).toEqual({});
  });

  it('reads a submitted form, ignoring malformed element states', () => {
    expect(
      readTeamForm({
        settings_team_name: { name: { type: 'plain_text_input', value: ' East ' } },
        settings_team_channel: { channel: { type: 'conversations_select', selected_conversation: 'C0EAST01' } },
        settings_team_managers: { managers: { type: 'multi_users_select', selected_users: ['U0MIA0001'] } },
        settings_team_members: { members: { type: 'multi_users_select', selected_users: ['U0ANA0001', 'U0BEN0001'] } },
      }),
    ).toEqual({ name: ' East ', channelId: 'C0EAST01', managers: ['U0MIA0001'], members: ['U0ANA0001', 'U0BEN0001'] });
    expect(readTeamForm({ settings_team_members: { members: { selected_users: 'U0ANA0001' } }, settings_team_name: { name: { value: 5 } } })).toEqual({
      name: '',
      channelId: null,
      managers: [],
      members: [],
    });
  });

  it('errors go under their field, as plain text, the first one per field', () => {
    expect(
      teamFormErrors([
        { field: 'name', message: 'There is already a team called *R&amp;D*. Pick another name.' },
        { field: 'team', message: 'second for the name' },
        { field: 'channel', message: ":wave: I'm not in <#C0PRIV01> yet. Type `/invite @Sales Pulse` in that channel, then run this command again." },
        { field: 'members', message: 'bad member' },
      ]),
    ).toEqual({
      settings_team_name: 'There is already a team called R&D. Pick another name.',
      settings_team_channel: "I'm not in that channel yet. Type `/invite @Sales Pulse` in that channel, then press Save again.",
      settings_team_members: 'bad member',
    });
    expect(slackFieldText(':lock: Only admins.')).toBe('Only admins.');
  });
});

describe('rolesView', () => {
  it('the granted admins in the picker, Slack admins listed once as automatic, within limits', () => {
    const view = rolesView({ granted: ['U0ZOE0001'], slackAdmins: ['U0ADMIN01', 'U0ZOE0001'], notice: 'Saved.' });
    expect(viewProblems(view, ['modal'])).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('"initial_users":["U0ZOE0001"]');
    expect(text).toContain('change them in Slack): <@U0ADMIN01>"');
    const many = rolesView({ granted: people(300, 'G'), slackAdmins: people(200, 'S') });
    expect(viewProblems(many, ['modal'])).toEqual([]);
  });

  it('reads the people picked', () => {
    expect(readRolesForm({ settings_roles_admins: { admins: { selected_users: ['U0ZOE0001'] } } })).toEqual(['U0ZOE0001']);
    expect(readRolesForm({})).toEqual([]);
  });
});
