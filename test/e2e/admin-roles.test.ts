/**
 * The Sales Pulse admin role end to end: `/sales-admin admin @x`, `admin remove @x` and `admins`; a granted admin can
 * do admin things and loses them when revoked; Slack's own admins cannot be revoked (said so); nobody revokes
 * themselves; a rep and a manager are refused and nothing is stored; the settings section `roles` round trip and
 * forged submissions.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { auditEntries, openSection, orgSnapshot, rolesFormState, salesAdmin, storedGrants, storedTeams, submitView } from '../helpers/org-ui.js';

const ADMIN = 'U0ADMIN01';
const OWNER = 'U0OWNER01';
const MIA = 'U0MIA0001';
const REP = 'U0REP0001';
const ZOE = 'U0ZOE0001';

const ADMIN_ONLY = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';

describeEachDb('admin: the Sales Pulse admin role', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: OWNER, name: 'olu', tz: 'Europe/London', is_owner: true });
    h.fake.addUser({ id: MIA, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: REP, name: 'rex', tz: 'America/New_York' });
    h.fake.addUser({ id: ZOE, name: 'zoe', tz: 'America/New_York' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  const admin = (text: string, userId = ADMIN) => {
    h.clock.advance(1000);
    return salesAdmin(h, text, userId);
  };
  /** Mia manages a team (so she is a manager, not a rep). */
  async function miaManages() {
    await admin('team create East');
    await admin(`team East manager <@${MIA}|mia>`);
  }

  it('granted: stored and audited; the new admin can do admin things; revoked: they cannot any more', async () => {
    expect(await admin(`admin <@${ZOE}|zoe>`)).toBe(`:white_check_mark: <@${ZOE}> is now a Sales Pulse admin: every setting, team and role.`);
    expect(await storedGrants(db())).toEqual([{ userId: ZOE, grantedBy: ADMIN }]);
    expect(await auditEntries(db())).toEqual([{ actorId: ADMIN, action: 'role.admin.grant', subject: `<@${ZOE}>`, before: { admin: false }, after: { admin: true } }]);

    expect(await admin('team create Zoes', ZOE)).toMatch(/^:white_check_mark: Created the team \*Zoes\*/);
    expect(await admin(`admin <@${REP}|rex>`, ZOE)).toBe(`:white_check_mark: <@${REP}> is now a Sales Pulse admin: every setting, team and role.`);

    expect(await admin(`admin remove <@${ZOE}|zoe>`)).toBe(`:white_check_mark: <@${ZOE}> is no longer a Sales Pulse admin.`);
    expect((await storedGrants(db())).map((g) => g.userId)).toEqual([REP]);
    expect((await auditEntries(db())).at(-1)).toEqual({ actorId: ADMIN, action: 'role.admin.revoke', subject: `<@${ZOE}>`, before: { admin: true }, after: { admin: false } });

    const before = await orgSnapshot(db());
    expect(await admin('team create Again', ZOE)).toBe(REP_REFUSAL);
    expect(await admin(`admin <@${ZOE}|zoe>`, ZOE)).toBe(REP_REFUSAL);
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('granting someone already admin, or revoking someone never made admin, changes nothing and records nothing', async () => {
    await admin(`admin <@${ZOE}|zoe>`);
    const before = await orgSnapshot(db());
    expect(await admin(`admin <@${ZOE}|zoe>`)).toBe(`:information_source: <@${ZOE}> already is a Sales Pulse admin: nothing changed.`);
    expect(await admin(`admin remove <@${REP}|rex>`)).toBe(`:information_source: <@${REP}> was not made admin in Sales Pulse: nothing to remove.`);
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('a Slack admin or owner cannot be revoked: the reply says so and nothing changes', async () => {
    const before = await orgSnapshot(db());
    expect(await admin(`admin remove <@${OWNER}|olu>`)).toBe(
      `:information_source: <@${OWNER}> is a Slack workspace admin or owner, and so a Sales Pulse admin automatically: that can’t be removed here, only in Slack.`,
    );
    expect(await orgSnapshot(db())).toEqual(before);
    // …and stays one.
    expect(await admin('team create Owned', OWNER)).toMatch(/^:white_check_mark: Created the team \*Owned\*/);
  });

  it('nobody can revoke their own admin role', async () => {
    await admin(`admin <@${ZOE}|zoe>`);
    const before = await orgSnapshot(db());
    expect(await admin(`admin remove <@${ZOE}|zoe>`, ZOE)).toBe(':warning: You can’t remove your own admin role. Ask another admin to do it.');
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('bad admin commands get a clear message and store nothing', async () => {
    const before = await orgSnapshot(db());
    expect(await admin('admin')).toBe(':warning: Name the people to make admins with @.\nTry: `/sales-admin admin @mia`');
    expect(await admin('admin @zoe')).toBe(
      ':warning: `@zoe` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.\nTry: `/sales-admin admin @mia`',
    );
    expect(await admin('admin remove')).toBe(':warning: Name at least one person with @.\nTry: `/sales-admin admin remove @mia`');
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('a manager is refused admin and admins, a rep everything; nothing is stored', async () => {
    await miaManages();
    const before = await orgSnapshot(db());
    expect(await admin(`admin <@${MIA}|mia>`, MIA)).toBe(ADMIN_ONLY);
    expect(await admin(`admin remove <@${ADMIN}|ada>`, MIA)).toBe(ADMIN_ONLY);
    expect(await admin('admins', MIA)).toBe(ADMIN_ONLY);
    expect(await admin(`admin <@${REP}|rex>`, REP)).toBe(REP_REFUSAL);
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('/sales-admin admins lists the granted admins and the Slack admins Sales Pulse knows', async () => {
    await admin(`admin <@${ZOE}|zoe>`);
    await admin('teams', OWNER); // Sales Pulse has now seen the owner
    expect(await admin('admins')).toBe(
      [`*Sales Pulse admins*`, `• <@${ZOE}> (made admin by <@${ADMIN}>)`, `• <@${ADMIN}> (Slack workspace admin or owner: automatic)`, `• <@${OWNER}> (Slack workspace admin or owner: automatic)`].join('\n'),
    );
  });

  // -------------------------------------------------------------------------------------------
  // the settings section

  it('settings: the roles view lists the granted admins (editable) and the Slack admins; Save grants and revokes the differences', async () => {
    await admin(`admin <@${ZOE}|zoe>`);
    const roles = await openSection(h, ADMIN, 'roles');
    expect(roles.view.title.text).toBe('Roles');
    const picker = roles.view.blocks.find((b: { block_id: string }) => b.block_id === 'settings_roles_admins');
    expect(picker.element.type).toBe('multi_users_select');
    expect(picker.element.initial_users).toEqual([ZOE]);
    expect(JSON.stringify(roles.view.blocks)).toContain(`*Admins automatically* (Slack workspace admins and owners; change them in Slack): <@${ADMIN}>`);

    h.clock.advance(1000);
    const ack = await submitView(h, { callbackId: roles.view.callback_id, viewId: roles.id, userId: ADMIN, values: rolesFormState([MIA, REP]) });
    expect(ack?.response_action).toBe('update');
    expect(JSON.stringify(ack?.view)).toContain(`:white_check_mark: Saved. Now admin: <@${MIA}>, <@${REP}>. No longer admin: <@${ZOE}>.`);
    expect(ack?.view.blocks.find((b: { block_id: string }) => b.block_id === 'settings_roles_admins').element.initial_users).toEqual([MIA, REP]);

    expect((await storedGrants(db())).map((g) => g.userId)).toEqual([MIA, REP]);
    expect((await auditEntries(db())).slice(1).map((a) => [a.action, a.subject])).toEqual([
      ['role.admin.grant', `<@${MIA}>`],
      ['role.admin.grant', `<@${REP}>`],
      ['role.admin.revoke', `<@${ZOE}>`],
    ]);
    // the change takes effect at once
    expect(await admin('team create Reps', REP)).toMatch(/^:white_check_mark: Created the team \*Reps\*/);
  });

  it('settings: removing yourself is refused under the field and nothing changes', async () => {
    await admin(`admin <@${ZOE}|zoe>`);
    const roles = await openSection(h, ZOE, 'roles');
    const before = await orgSnapshot(db());
    const ack = await submitView(h, { callbackId: roles.view.callback_id, viewId: roles.id, userId: ZOE, values: rolesFormState([MIA]) });
    expect(ack).toEqual({ response_action: 'errors', errors: { settings_roles_admins: 'You can’t remove your own admin role. Ask another admin to do it.' } });
    expect(await orgSnapshot(db())).toEqual(before);
  });

  it('a forged roles submission from a rep or a manager is answered with an error and grants nothing', async () => {
    await miaManages();
    const before = await orgSnapshot(db());
    for (const forger of [REP, MIA]) {
      const ack = await submitView(h, { callbackId: 'settings_roles_save', userId: forger, values: rolesFormState([forger]) });
      expect(ack).toEqual({ response_action: 'errors', errors: { settings_roles_admins: 'Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.' } });
    }
    expect(await orgSnapshot(db())).toEqual(before);
    expect((await storedTeams(db())).map((t) => t.managers)).toEqual([[MIA]]);
  });

  it('a forged roles submission with ids that are not Slack users is refused under the field', async () => {
    const before = await orgSnapshot(db());
    const ack = await submitView(h, { callbackId: 'settings_roles_save', userId: ADMIN, values: rolesFormState(['<@U1>']) });
    expect(ack).toEqual({ response_action: 'errors', errors: { settings_roles_admins: "`<@U1>` is not a Slack user. Pick people with @ so Slack links them." } });
    expect(await orgSnapshot(db())).toEqual(before);
  });
});
