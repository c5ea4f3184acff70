/**
 * Sales teams end to end: `/sales-admin team …` and `/sales-admin teams` (what is stored, answered, announced and
 * audited, with before and after), every refusal storing nothing, the settings section `teams` (create and edit
 * through the form, errors under the fields), and forged clicks and submissions from a rep or a manager.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { leaderboardSchedules, salesTeams } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { auditEntries, openSection, orgSnapshot, pressInModal, salesAdmin, storedTeams, submitView, teamFormState } from '../helpers/org-ui.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import type { OpenModal } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // a rep in Slack; manager of East once made so
const REP = 'U0REP0001';
const ANA = 'U0ANA0001';
const BEN = 'U0BEN0001';
const EAST = 'C0EAST01';
const WEST = 'C0WEST01';

const ADMIN_ONLY = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const announcement = (team: string, by = ADMIN) =>
  `:busts_in_silhouette: This is now the home channel of the sales team *${team}* (set by <@${by}>). Its leaderboard is posted here by default.`;
const CREATED_EAST =
  ':white_check_mark: Created the team *East AEs* with home channel <#C0EAST01>.\n' +
  'Add people with `/sales-admin team "East AEs" add @ana @ben` and a manager with `/sales-admin team "East AEs" manager @mia`.';

describeEachDb('admin: sales teams', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MIA, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: REP, name: 'rex', tz: 'America/New_York' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  /** `/sales-admin <text>` (by the admin unless said), a second later than the last: audit entries keep their order. */
  const admin = (text: string, userId = ADMIN) => {
    h.clock.advance(1000);
    return salesAdmin(h, text, userId);
  };
  const posts = (channel: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

  async function eastWithPeople() {
    expect(await admin(`team create "East AEs" <#${EAST}|sales-east>`)).toBe(CREATED_EAST);
    await admin(`team "East AEs" add <@${ANA}|ana> <@${BEN}|ben>`);
    await admin(`team "East AEs" manager <@${MIA}|mia>`);
    return (await storedTeams(db()))[0]!;
  }

  // -------------------------------------------------------------------------------------------
  // text commands

  it('team create: stored with its home channel, announced there, confirmed privately and audited', async () => {
    expect(await admin(`team create “East AEs” <#${EAST}|sales-east>`)).toBe(CREATED_EAST);

    expect(await storedTeams(db())).toEqual([{ id: expect.any(String), name: 'East AEs', channelId: EAST, createdBy: ADMIN, managers: [], members: [] }]);
    expect(posts(EAST).map((c) => c.args.text)).toEqual([announcement('East AEs')]);
    expect(await auditEntries(db())).toEqual([{ actorId: ADMIN, action: 'team.create', subject: 'East AEs', before: null, after: { name: 'East AEs', channelId: EAST } }]);
  });

  it('team create without a channel: stored without one, and the reply says how to set it', async () => {
    expect(await admin('team create West')).toBe(
      ':white_check_mark: Created the team *West*. It has no home channel yet: set one with `/sales-admin team "West" channel #channel`.\n' +
        'Add people with `/sales-admin team "West" add @ana @ben` and a manager with `/sales-admin team "West" manager @mia`.',
    );
    expect((await storedTeams(db())).map((t) => [t.name, t.channelId])).toEqual([['West', null]]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('bad creates are refused with a clear message and store nothing', async () => {
    await admin(`team create "East AEs" <#${EAST}|sales-east>`);
    const before = await orgSnapshot(db());
    h.fake.reset();
    h.fake.channelsWithoutBot.add('C0PRIV01');

    const cases: Array<[string, string]> = [
      [`team create "EAST   aes" <#${WEST}|west>`, ':warning: There is already a team called *East AEs*. Pick another name.'],
      [`team create "${'x'.repeat(51)}"`, ':warning: A team name can be at most 50 characters; that one has 51.'],
      ['team create "   "', ':warning: The team name between the quotes is empty.\nTry: `/sales-admin team create "East AEs" #sales-east`'],
      [`team create East AEs <#${WEST}|west>`, ':warning: Put a team name with spaces in quotes.\nTry: `/sales-admin team create "East AEs" #sales-east`'],
      ['team create "West" <#C0PRIV01|private>', ":wave: I'm not in <#C0PRIV01> yet. Type `/invite @Sales Pulse` in that channel, then run this command again."],
    ];
    for (const [text, expected] of cases) expect(await admin(text), text).toBe(expected);

    expect(await orgSnapshot(db())).toEqual(before);
    expect(posts(WEST)).toEqual([]);
  });

  it('add, remove, manager and manager remove: stored, answered, audited with the list before and after', async () => {
    await admin(`team create "East AEs" <#${EAST}|sales-east>`);

    expect(await admin(`team "east aes" add <@${ANA}|ana> <@${BEN}|ben lee>`)).toBe(`:white_check_mark: Added <@${ANA}>, <@${BEN}> to *East AEs*.`);
    expect(await admin(`team "East AEs" manager <@${MIA}|mia>`)).toBe(`:white_check_mark: <@${MIA}> now manages *East AEs*.`);
    expect(await admin(`team "East AEs" remove <@${BEN}|ben>`)).toBe(`:white_check_mark: Removed <@${BEN}> from *East AEs*.`);
    expect(await admin(`team "East AEs" manager add <@${ANA}|ana>`)).toBe(`:white_check_mark: <@${ANA}> now manages *East AEs*.`);
    expect(await admin(`team "East AEs" manager remove <@${MIA}|mia>`)).toBe(`:white_check_mark: <@${MIA}> no longer manages *East AEs*.`);

    const [east] = await storedTeams(db());
    expect(east).toMatchObject({ name: 'East AEs', members: [ANA], managers: [ANA] });
    expect((await auditEntries(db())).slice(1)).toEqual([
      { actorId: ADMIN, action: 'team.member.add', subject: 'East AEs', before: { members: [] }, after: { members: [ANA, BEN] } },
      { actorId: ADMIN, action: 'team.manager.add', subject: 'East AEs', before: { managers: [] }, after: { managers: [MIA] } },
      { actorId: ADMIN, action: 'team.member.remove', subject: 'East AEs', before: { members: [ANA, BEN] }, after: { members: [ANA] } },
      { actorId: ADMIN, action: 'team.manager.add', subject: 'East AEs', before: { managers: [MIA] }, after: { managers: [ANA, MIA] } },
      { actorId: ADMIN, action: 'team.manager.remove', subject: 'East AEs', before: { managers: [ANA, MIA] }, after: { managers: [ANA] } },
    ]);
  });

  it('adding someone already there (or removing someone not there) is a friendly no-op with no audit entry', async () => {
    await eastWithPeople();
    const before = await orgSnapshot(db());

    expect(await admin(`team "East AEs" add <@${ANA}|ana>`)).toBe(`:information_source: <@${ANA}> is already in *East AEs*: nothing changed.`);
    expect(await admin(`team "East AEs" manager <@${MIA}|mia>`)).toBe(`:information_source: <@${MIA}> is already managing *East AEs*: nothing changed.`);
    expect(await admin(`team "East AEs" remove <@${REP}|rex>`)).toBe(`:information_source: <@${REP}> is not a member of *East AEs*, so nothing changed.`);
    expect(await orgSnapshot(db())).toEqual(before);

    expect(await admin(`team "East AEs" add <@${ANA}|ana> <@${REP}|rex>`)).toBe(`:white_check_mark: Added <@${REP}> to *East AEs*. <@${ANA}> is already in *East AEs*.`);
    expect((await auditEntries(db())).at(-1)).toMatchObject({ action: 'team.member.add', before: { members: [ANA, BEN] }, after: { members: [ANA, BEN, REP] } });
  });

  it('channel: announced in the new channel, stored and audited; a channel the bot is not in changes nothing', async () => {
    await eastWithPeople();
    h.fake.reset();

    expect(await admin(`team "East AEs" channel <#${WEST}|west>`)).toBe(`:white_check_mark: The home channel of *East AEs* is now <#${WEST}>.`);
    expect(posts(WEST).map((c) => c.args.text)).toEqual([announcement('East AEs')]);
    expect((await storedTeams(db()))[0]!.channelId).toBe(WEST);
    expect((await auditEntries(db())).at(-1)).toEqual({ actorId: ADMIN, action: 'team.channel', subject: 'East AEs', before: { channelId: EAST }, after: { channelId: WEST } });

    expect(await admin(`team "East AEs" channel <#${WEST}|west>`)).toBe(`:information_source: <#${WEST}> already is the home channel of *East AEs*: nothing changed.`);
    h.fake.channelsWithoutBot.add('C0ARCH01');
    const before = await orgSnapshot(db());
    expect(await admin('team "East AEs" channel <#C0ARCH01|old>')).toBe(":wave: I'm not in <#C0ARCH01> yet. Type `/invite @Sales Pulse` in that channel, then run this command again.");
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('rename: stored and audited; a taken name or a name too long is refused and changes nothing', async () => {
    await eastWithPeople();
    await admin('team create West');

    expect(await admin('team "East AEs" rename "East Enterprise"')).toBe(':white_check_mark: Renamed *East AEs* to *East Enterprise*.');
    expect((await storedTeams(db())).map((t) => t.name)).toEqual(['East Enterprise', 'West']);
    expect((await auditEntries(db())).at(-1)).toEqual({ actorId: ADMIN, action: 'team.rename', subject: 'East Enterprise', before: { name: 'East AEs' }, after: { name: 'East Enterprise' } });

    const before = await orgSnapshot(db());
    expect(await admin('team "East Enterprise" rename west')).toBe(':warning: There is already a team called *West*. Pick another name.');
    expect(await admin(`team West rename "${'y'.repeat(60)}"`)).toBe(':warning: A team name can be at most 50 characters; that one has 60.');
    expect(await admin('team Nowhere rename Somewhere')).toBe(':warning: There is no team called *Nowhere*. See them all with `/sales-admin teams`.');
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('delete: the team and its people go, audited with what it was; refused while a scheduled board belongs to it', async () => {
    const east = await eastWithPeople();
    await db().insert(leaderboardSchedules).values({ teamId: DEFAULT_TEAM_ID, channelId: EAST, salesTeamId: east.id, cadence: 'weekly', timeOfDay: '09:00', timeZone: 'UTC', createdBy: ADMIN });
    const before = await orgSnapshot(db());
    expect(await admin('team "East AEs" delete')).toBe(
      `:warning: *East AEs* has a scheduled leaderboard in <#${EAST}>. Stop it first with \`/sales-admin leaderboard #channel off\`, then delete the team.`,
    );
    expect(await orgSnapshot(db())).toEqual(before);

    await db().delete(leaderboardSchedules);
    expect(await admin('team "East AEs" delete')).toBe(':white_check_mark: Deleted the team *East AEs*. Its people keep their entries and still count on the workspace board.');
    expect(await storedTeams(db())).toEqual([]);
    expect((await auditEntries(db())).at(-1)).toEqual({
      actorId: ADMIN,
      action: 'team.delete',
      subject: 'East AEs',
      before: { name: 'East AEs', channelId: EAST, managers: [MIA], members: [ANA, BEN] },
      after: null,
    });
  });

  it('/sales-admin teams lists every team with managers, members and channel, for an admin and for a manager', async () => {
    expect(await admin('teams')).toBe('No sales teams yet. Create one with `/sales-admin team create "East AEs" #sales-east`.');
    await eastWithPeople();
    await admin('team create West');
    const expected = [
      '*Sales teams* (2)',
      `• *East AEs* in <#${EAST}>\n    Managers: <@${MIA}>\n    Members (2): <@${ANA}>, <@${BEN}>`,
      '• *West* in no home channel\n    Managers: none yet\n    Members (0): none yet',
    ].join('\n');
    expect(await admin('teams')).toBe(expected);
    expect(await admin('teams', MIA)).toBe(expected);
  });

  // -------------------------------------------------------------------------------------------
  // permissions (text)

  it('a rep is refused every team command and nothing is stored or posted', async () => {
    await eastWithPeople();
    const before = await orgSnapshot(db());
    h.fake.reset();
    for (const text of [`team create "Rogue" <#${WEST}|west>`, `team "East AEs" add <@${REP}|rex>`, 'team "East AEs" delete', 'teams']) {
      expect(await admin(text, REP), text).toBe(REP_REFUSAL);
    }
    expect(await orgSnapshot(db())).toEqual(before);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a manager is refused team create and changes to teams, even their own', async () => {
    await eastWithPeople();
    const before = await orgSnapshot(db());
    h.fake.reset();
    for (const text of [`team create "Mia's team" <#${WEST}|west>`, `team "East AEs" add <@${REP}|rex>`, `team "East AEs" manager remove <@${MIA}|mia>`, 'team "East AEs" delete']) {
      expect(await admin(text, MIA), text).toBe(ADMIN_ONLY);
    }
    expect(await orgSnapshot(db())).toEqual(before);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // the settings section

  /** The teams list pushed over the settings home, by `userId`. */
  const teamsList = (userId = ADMIN) => openSection(h, userId, 'teams');
  const updatedList = (listId: string) => h.fake.waitFor('views.update', (c) => c.args.view_id === listId);

  it('settings: New team creates it through the form and the list under it shows it', async () => {
    const list = await teamsList();
    expect(list.view.title.text).toBe('Teams');
    expect(JSON.stringify(list.view.blocks)).toContain('No teams yet.');

    const form = await pressInModal(h, list, { actionId: 'settings_teams_new', value: 'new', userId: ADMIN, blockId: 'settings_teams_intro' });
    expect(form.view.title.text).toBe('New team');
    expect(form.view.blocks.map((b: { block_id: string }) => b.block_id)).toEqual(['settings_team_name', 'settings_team_channel', 'settings_team_managers', 'settings_team_members']);

    h.clock.advance(1000);
    const ack = await submitView(h, {
      callbackId: form.view.callback_id,
      privateMetadata: form.view.private_metadata,
      viewId: form.id,
      userId: ADMIN,
      values: teamFormState({ name: '  East   AEs ', channel: EAST, managers: [MIA], members: [ANA, BEN] }),
    });
    expect(ack).toBeNull(); // the form closes

    expect(await storedTeams(db())).toEqual([{ id: expect.any(String), name: 'East AEs', channelId: EAST, createdBy: ADMIN, managers: [MIA], members: [ANA, BEN] }]);
    expect(posts(EAST).map((c) => c.args.text)).toEqual([announcement('East AEs')]);
    expect((await auditEntries(db())).map((a) => a.action)).toEqual(['team.create', 'team.manager.add', 'team.member.add']);

    const refreshed = await updatedList(list.id);
    const text = JSON.stringify(refreshed.args.view);
    expect(text).toContain(':white_check_mark: Created *East AEs*.');
    expect(text).toContain(`*East AEs* in <#${EAST}>\\nManagers: <@${MIA}>\\nMembers (2): <@${ANA}>, <@${BEN}>`);
  });

  it('settings: Edit opens the form filled in; Save applies only the differences, audited', async () => {
    const east = await eastWithPeople();
    const list = await teamsList();
    const form = await pressInModal(h, list, { actionId: 'settings_teams_edit_0', value: east.id, userId: ADMIN, blockId: 'settings_team_0' });
    expect(form.view.title.text).toBe('Edit team');
    const element = (block: string) => form.view.blocks.find((b: { block_id: string }) => b.block_id === block).element;
    expect(element('settings_team_name').initial_value).toBe('East AEs');
    expect(element('settings_team_channel').initial_conversation).toBe(EAST);
    expect(element('settings_team_managers').initial_users).toEqual([MIA]);
    expect(element('settings_team_members').initial_users).toEqual([ANA, BEN]);

    const auditBefore = (await auditEntries(db())).length;
    h.clock.advance(1000);
    const ack = await submitView(h, {
      callbackId: form.view.callback_id,
      privateMetadata: form.view.private_metadata,
      viewId: form.id,
      userId: ADMIN,
      values: teamFormState({ name: 'East AEs', channel: EAST, managers: [MIA], members: [BEN, REP] }),
    });
    expect(ack).toBeNull();
    expect((await storedTeams(db()))[0]).toMatchObject({ name: 'East AEs', channelId: EAST, managers: [MIA], members: [BEN, REP] });
    expect((await auditEntries(db())).slice(auditBefore)).toEqual([
      { actorId: ADMIN, action: 'team.member.add', subject: 'East AEs', before: { members: [ANA, BEN] }, after: { members: [ANA, BEN, REP] } },
      { actorId: ADMIN, action: 'team.member.remove', subject: 'East AEs', before: { members: [ANA, BEN, REP] }, after: { members: [BEN, REP] } },
    ]);
    expect(posts(EAST)).toHaveLength(1); // the channel did not change: announced once, at create
    expect(JSON.stringify((await updatedList(list.id)).args.view)).toContain(':white_check_mark: Saved *East AEs*.');
  });

  it('settings: bad input gives errors under the fields and stores nothing', async () => {
    const east = await eastWithPeople();
    await admin('team create West');
    h.fake.channelsWithoutBot.add('C0PRIV01');
    const list = await teamsList();
    const form = await pressInModal(h, list, { actionId: 'settings_teams_edit_0', value: east.id, userId: ADMIN, blockId: 'settings_team_0' });
    const before = await orgSnapshot(db());
    const submit = (values: ReturnType<typeof teamFormState>) =>
      submitView(h, { callbackId: form.view.callback_id, privateMetadata: form.view.private_metadata, viewId: form.id, userId: ADMIN, values });

    expect(await submit(teamFormState({ name: 'west', channel: EAST, managers: [MIA], members: [ANA] }))).toEqual({
      response_action: 'errors',
      errors: { settings_team_name: 'There is already a team called West. Pick another name.' },
    });
    expect(await submit(teamFormState({ name: '', channel: 'C0PRIV01', managers: ['not-a-user'], members: [ANA] }))).toEqual({
      response_action: 'errors',
      errors: {
        settings_team_name: 'Give the team a name.',
        settings_team_managers: '`not-a-user` is not a Slack user. Pick people with @ so Slack links them.',
      },
    });
    expect(await submit(teamFormState({ name: 'East AEs', channel: 'C0PRIV01', managers: [MIA], members: [ANA] }))).toEqual({
      response_action: 'errors',
      errors: { settings_team_channel: "I'm not in that channel yet. Type `/invite @Sales Pulse` in that channel, then press Save again." },
    });
    expect(await orgSnapshot(db())).toEqual(before);
  });

  // -------------------------------------------------------------------------------------------
  // forged interactions

  it('a forged team form from a rep or a manager is answered with an error and changes nothing', async () => {
    const east = await eastWithPeople();
    const before = await orgSnapshot(db());
    h.fake.reset();
    for (const forger of [REP, MIA]) {
      for (const meta of [JSON.stringify({ t: east.id }), '']) {
        const ack = await submitView(h, {
          callbackId: 'settings_teams_save',
          privateMetadata: meta,
          userId: forger,
          values: teamFormState({ name: 'Hijacked', channel: WEST, managers: [forger], members: [forger] }),
        });
        expect(ack).toEqual({ response_action: 'errors', errors: { settings_team_name: 'Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.' } });
      }
    }
    expect(await orgSnapshot(db())).toEqual(before);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('forged Edit and New team clicks from a rep or a manager push a refusal, never the form', async () => {
    const east = await eastWithPeople();
    const list: OpenModal = { view: { callback_id: 'settings_teams', private_metadata: '' }, id: 'V0FORGED1', hash: 'h' };
    for (const forger of [REP, MIA]) {
      for (const [actionId, value] of [['settings_teams_edit_0', east.id], ['settings_teams_new', 'new']] as const) {
        const pushed = await pressInModal(h, list, { actionId, value, userId: forger });
        expect(pushed.view.callback_id).toBe('settings_teams_notice');
        expect(JSON.stringify(pushed.view)).toContain(ADMIN_ONLY);
      }
    }
  });

  it('a team id from another workspace, or one that is not a team, opens nothing and saves nothing', async () => {
    await eastWithPeople();
    // A team of another workspace: its id names nothing here.
    await ensureWorkspace(db(), 'T0OTHER01');
    const [foreign] = await db().insert(salesTeams).values({ teamId: 'T0OTHER01', name: 'Theirs', nameKey: 'theirs', createdBy: 'U0THEM001' }).returning();
    const list: OpenModal = { view: { callback_id: 'settings_teams', private_metadata: '' }, id: 'V0LIST001', hash: 'h' };
    for (const value of [foreign!.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', "'; drop table sales_teams; --"]) {
      const pushed = await pressInModal(h, list, { actionId: 'settings_teams_edit_0', value, userId: ADMIN });
      expect(JSON.stringify(pushed.view)).toContain('This team no longer exists');
    }
    const before = await orgSnapshot(db());
    const ack = await submitView(h, {
      callbackId: 'settings_teams_save',
      privateMetadata: JSON.stringify({ t: foreign!.id }),
      userId: ADMIN,
      values: teamFormState({ name: 'Ghost', managers: [], members: [] }),
    });
    expect(ack).toEqual({ response_action: 'errors', errors: { settings_team_name: 'This team no longer exists: someone deleted it. Go back to see the teams as they are now.' } });
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('the forged-click helper really sends a click the app answers (a real admin gets the form)', async () => {
    const east = await eastWithPeople();
    const list: OpenModal = { view: { callback_id: 'settings_teams', private_metadata: '' }, id: 'V0LIST002', hash: 'h' };
    const pushed = await pressInModal(h, list, { actionId: 'settings_teams_edit_0', value: east.id, userId: ADMIN });
    expect(pushed.view.callback_id).toBe('settings_teams_save');
  });
});
