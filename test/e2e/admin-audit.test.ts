/**
 * `/sales-admin audit [n]` end to end: the latest entries, newest first, with who, what, the subject and the values
 * before → after, times in the admin's own zone; a list message within Block Kit limits however many entries and
 * however long their values; admins only; a bad count answered clearly. Entries come from a command that records
 * (forget) and from rows written as the other admin commands write them.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditLog, salesTeamMembers, salesTeams, workspaces } from '../../src/db/schema/index.js';
import { FORGET_ACTION, FORGET_BLOCK } from '../../src/features/admin/forget.blocks.js';
import { blockKitProblems } from '../helpers/fake-slack.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID as TEAM, DEFAULT_USER_ID as ANA } from '../helpers/signed-request.js';
import { ackReply, clickButton, type Block } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const SYDNEY_ADMIN = 'U0ADMIN02';
const ADMIN_ONLY = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';

describeEachDb('admin: audit log', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: SYDNEY_ADMIN, name: 'syd', tz: 'Australia/Sydney', is_owner: true });
    await db().insert(workspaces).values({ teamId: TEAM });
  });
  afterEach(async () => {
    await h.stop();
  });

  const audit = (text: string, userId = ADMIN) => ackReply(h, { command: '/sales-admin', text, userId });
  /** Every line of the list's sections, in order. */
  const lines = (reply: Block): string[] =>
    reply.blocks
      .slice(1)
      .filter((b: Block) => b.type === 'section')
      .flatMap((b: Block) => (b.text.text as string).split('\n'));

  it('shows an erasure recorded by /sales-admin forget, newest first, with its counts', async () => {
    await db().insert(auditLog).values({ teamId: TEAM, actorId: ADMIN, action: 'settings.update', subject: 'backdate_days', before: 30, after: 7, createdAt: new Date('2026-11-20T14:05:00Z') });
    await ackReply(h, { command: '/sales-admin', text: `forget <@${ANA}|ana>`, userId: ADMIN });
    const { reply } = await clickButton(h, { actionId: FORGET_ACTION, blockId: FORGET_BLOCK, value: ANA, userId: ADMIN });
    await reply();

    const shown = await audit('audit');
    expect(shown.blocks[0].text.text).toBe('*Audit log*: the latest 2 changes, newest first');
    // The harness's clock: 2026-11-27 15:00 UTC, 10:00 in New York.
    const [erasure, setting, ...more] = lines(shown);
    expect(more).toEqual([]);
    const prefix = `• 2026-11-27 10:00 <@${ADMIN}> *person.erase* <@${ANA}>: \`nothing\` → \``;
    expect(erasure!.startsWith(prefix)).toBe(true);
    // The counts as stored (jsonb keeps its own key order), never the data.
    expect(JSON.parse(erasure!.slice(prefix.length, -1))).toEqual({
      activities: 0,
      deals: 0,
      celebrations: 0,
      targets: 0,
      digestSubscriptions: 0,
      profiles: 0,
      teamMemberships: 0,
      adminGrants: 0,
    });
    expect(setting).toBe(`• 2026-11-20 09:05 <@${ADMIN}> *settings.update* backdate_days: \`30\` → \`7\``);
    expect(shown.blocks.at(-1).elements[0].text).toContain('Times in America/New_York.');
  });

  it('shows times in the reader’s zone, escapes subjects but keeps mentions, and shows changes without values plainly', async () => {
    await db()
      .insert(auditLog)
      .values([
        { teamId: TEAM, actorId: ADMIN, action: 'team.create', subject: '<b>East</b> & co', before: null, after: { name: 'East' }, createdAt: new Date('2026-11-26T23:30:00Z') },
        { teamId: TEAM, actorId: ADMIN, action: 'secret.rotate', subject: 'webhook secret', createdAt: new Date('2026-11-26T23:00:00Z') },
        { teamId: 'T0OTHER', actorId: ADMIN, action: 'team.create', subject: 'Not ours', createdAt: new Date('2026-11-26T23:45:00Z') },
      ]);
    const shown = await audit('audit', SYDNEY_ADMIN);
    expect(lines(shown)).toEqual([
      `• 2026-11-27 10:30 <@${ADMIN}> *team.create* &lt;b&gt;East&lt;/b&gt; &amp; co: \`nothing\` → \`{"name":"East"}\``,
      `• 2026-11-27 10:00 <@${ADMIN}> *secret.rotate* webhook secret`,
    ]);
    expect(shown.blocks.at(-1).elements[0].text).toContain('Times in Australia/Sydney.');
  });

  it('takes a count up to 100 and stays within Block Kit limits with long values', async () => {
    const long = 'x'.repeat(5_000);
    await db()
      .insert(auditLog)
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          teamId: TEAM,
          actorId: ADMIN,
          action: 'settings.update',
          subject: `setting ${i}`,
          before: long,
          after: { value: long },
          createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)),
        })),
      );
    const three = await audit('audit 3');
    expect(lines(three).map((l) => /setting \d+/.exec(l)![0])).toEqual(['setting 119', 'setting 118', 'setting 117']);

    const hundred = await audit('audit 100');
    expect(hundred.blocks[0].text.text).toBe('*Audit log*: the latest 100 changes, newest first');
    expect(blockKitProblems(hundred.blocks, '/blocks', 50)).toEqual([]);
    expect(hundred.blocks.length).toBeLessThanOrEqual(50);
    expect(lines(hundred)).toHaveLength(100);
    expect(hundred.text.length).toBeLessThanOrEqual(3000);

    const byDefault = await audit('audit');
    expect(lines(byDefault)).toHaveLength(20);
  });

  it('says so when nothing is recorded yet', async () => {
    const shown = await audit('audit');
    expect(shown.text).toContain('No administrative changes are recorded yet.');
  });

  it.each([['audit 0'], ['audit 101'], ['audit ten'], ['audit 5 6'], ['audit -3']])('%j is answered with how to use it', async (text) => {
    await db().insert(auditLog).values({ teamId: TEAM, actorId: ADMIN, action: 'settings.update', subject: 'x', createdAt: new Date('2026-11-20T00:00:00Z') });
    const shown = await audit(text);
    expect(shown.text).toBe(
      ':warning: Give how many entries to show, a whole number from 1 to 100, for example `/sales-admin audit 50`. Without it you get the latest 20.',
    );
  });

  it('is for admins only: a manager and a rep are refused', async () => {
    await db().insert(auditLog).values({ teamId: TEAM, actorId: ADMIN, action: 'settings.update', subject: 'secret thing', createdAt: new Date('2026-11-20T00:00:00Z') });
    const [team] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'East', nameKey: 'east', createdBy: ADMIN }).returning();
    h.fake.addUser({ id: 'U0MIA0001', name: 'mia', tz: 'UTC' });
    await db().insert(salesTeamMembers).values({ salesTeamId: team!.id, teamId: TEAM, userId: 'U0MIA0001', role: 'manager' });

    const manager = await audit('audit', 'U0MIA0001');
    expect(manager.text).toBe(ADMIN_ONLY);
    const rep = await audit('audit', ANA);
    expect(rep.text).toBe(REP_REFUSAL);
    expect(JSON.stringify([manager, rep])).not.toContain('secret thing');
  });
});
