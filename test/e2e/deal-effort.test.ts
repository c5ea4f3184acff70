/**
 * The effort behind each win, end to end: "won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings,
 * 1 demo)" in the /log-deal confirmation (answered in the ack), in the modal's confirmation and in the celebration;
 * nothing shown without an account or matching activity; a confirmation that goes out without it when the effort
 * cannot be read in time (never "not saved"). And the forms' account field: suggestions for an external_select
 * (block_suggestion) from this workspace only, a picked account stored, exactly one of picked and typed.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { activities, deals, workspaces } from '../../src/db/schema/index.js';
import { BOTH_ACCOUNTS_ERROR } from '../../src/entries/account-field.js';
import { ACCOUNT_FIELD } from '../../src/features/logging/modal.view.js';
import { DEAL_ACCOUNT_FIELD, DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { blockSuggestion, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply, modalSubmission, openModalWithCommand } from '../helpers/slack-ui.js';

const WINS = 'C0WINS';
const OTHER_TEAM = 'T0OTHER';
const TEAMMATE = 'U0SDR0001';
const EFFORT = 'Won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings, 1 demo).';
const day = (d: string) => new Date(`${d}T15:00:00Z`);

describeEachDb('deals: the effort behind each win', (getDb) => {
  let h: Harness = undefined!;
  afterEach(async () => {
    await h?.stop();
    h = undefined!;
  });
  const db = () => getDb().database.db;

  /** The harness (clock: Friday 2026-11-27 15:00 UTC), the workspace celebrating wins in #wins. */
  async function start(): Promise<Harness> {
    await db().insert(workspaces).values([{ teamId: DEFAULT_TEAM_ID, celebrationsChannel: WINS }, { teamId: OTHER_TEAM }]);
    h = await startHarness({ db: getDb() });
    return h;
  }

  async function activity(a: { type: string; quantity?: number; at: Date; account: string; userId?: string; teamId?: string }) {
    await db()
      .insert(activities)
      .values({ teamId: a.teamId ?? DEFAULT_TEAM_ID, userId: a.userId ?? DEFAULT_USER_ID, typeKey: a.type, quantity: a.quantity ?? 1, occurredAt: a.at, account: a.account, source: 'import' });
  }

  /** 14 activities on Acme Corp, spelled three ways, the first 21 days before today; and others that must not count. */
  async function acmeHistory() {
    await activity({ type: 'call', quantity: 4, at: day('2026-11-06'), account: 'ACME Corp.' });
    await activity({ type: 'email', quantity: 3, at: day('2026-11-10'), account: 'acme corp', userId: TEAMMATE });
    await activity({ type: 'call', quantity: 2, at: day('2026-11-12'), account: 'Acme Corp' });
    await activity({ type: 'email', quantity: 2, at: day('2026-11-18'), account: 'Acme-Corp' });
    await activity({ type: 'meeting', quantity: 2, at: day('2026-11-20'), account: 'Acme Corp' });
    await activity({ type: 'demo', at: day('2026-11-24'), account: 'Acme Corp' });
    // Not Acme Corp: another account, and another workspace's.
    await activity({ type: 'call', quantity: 9, at: day('2026-11-01'), account: 'Acme Labs' });
    await activity({ type: 'call', quantity: 9, at: day('2026-11-01'), account: 'Acme Corp', teamId: OTHER_TEAM });
  }

  const storedDeals = () => db().select().from(deals).where(eq(deals.teamId, DEFAULT_TEAM_ID)).orderBy(asc(deals.createdAt));
  const celebrations = () => h.fake.workspace.conversation(WINS).filter((m) => m.text.includes(' closed '));
  const textOf = (message: { text?: string; blocks?: unknown }) =>
    [message.text, ...((message.blocks ?? []) as Array<{ text?: { text?: string } }>).map((b) => b.text?.text)].join('\n');

  it('/log-deal won with an account: the ack’s confirmation and the celebration say the effort behind it', async () => {
    await start();
    await acmeHistory();
    const reply = await ackReply(h, { command: '/log-deal', text: 'won $12,500 acme corp' });
    expect(reply.blocks[0].text.text).toContain(`:chart_with_upwards_trend: ${EFFORT}`);
    expect(reply.text).toContain(EFFORT);
    expect(await storedDeals()).toMatchObject([{ status: 'won', account: 'acme corp', amountMinor: 1_250_000n }]);

    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === WINS);
    expect(celebrations()).toHaveLength(1);
    expect(textOf(celebrations()[0]!)).toContain(`:tada: <@${DEFAULT_USER_ID}> closed $12,500.00 with acme corp!\n:chart_with_upwards_trend: ${EFFORT}`);
  });

  it('shows no effort without an account, without matching activity, for a lost deal, or for a deal after the account’s previous one', async () => {
    await start();
    await acmeHistory();
    for (const text of ['won $1,000', 'won $1,000 Umbrella', 'lost Acme Corp']) {
      const reply = await ackReply(h, { command: '/log-deal', text });
      expect(textOf(reply)).not.toMatch(/won after|chart_with_upwards_trend/i);
    }
    // The lost deal closed Acme Corp's run: a win right after it has no activity since.
    const win = await ackReply(h, { command: '/log-deal', text: 'won $2,000 Acme Corp' });
    expect(textOf(win)).not.toMatch(/won after/i);
    await h.settle();
    expect(await storedDeals()).toHaveLength(4);
    expect(celebrations().map((m) => m.text).join('\n')).not.toMatch(/won after/i);
  });

  it('the modal: an existing account picked from the suggestions is stored, and the confirmation says its effort', async () => {
    await start();
    await acmeHistory();
    const modal = await openModalWithCommand(h, '/log-deal');
    const pick = modal.view.blocks.find((b: { block_id: string }) => b.block_id === DEAL_BLOCK.accountPick);
    expect(pick.element).toMatchObject({ type: 'external_select', action_id: DEAL_ACCOUNT_FIELD.pick.actionId });

    const res = await h.slack.interaction(modalSubmission(modal, { [DEAL_BLOCK.amount]: '12,500', [DEAL_BLOCK.accountPick]: 'Acme Corp' }));
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    expect(textOf(confirmation.args)).toContain(EFFORT);
    expect(await storedDeals()).toMatchObject([{ status: 'won', account: 'Acme Corp' }]);
  });

  it('the modal: an account both picked and typed is refused under the field, and nothing is stored', async () => {
    await start();
    const modal = await openModalWithCommand(h, '/log-deal');
    const res = await h.slack.interaction(
      modalSubmission(modal, { [DEAL_BLOCK.amount]: '12,500', [DEAL_BLOCK.accountPick]: 'Acme Corp', [DEAL_BLOCK.account]: 'Globex' }),
    );
    expect(res.json()).toEqual({ response_action: 'errors', errors: { [DEAL_BLOCK.account]: BOTH_ACCOUNTS_ERROR } });
    await h.settle();
    expect(await storedDeals()).toHaveLength(0);
  });

  it('the activity modal: a picked account is stored; both picked and typed is refused, nothing stored', async () => {
    await start();
    const modal = await openModalWithCommand(h, '/log-call');
    const both = await h.slack.interaction(modalSubmission(modal, { [ACCOUNT_FIELD.pick.blockId]: 'Initech', [ACCOUNT_FIELD.typed.blockId]: 'Initech Ltd' }));
    expect(both.json()).toEqual({ response_action: 'errors', errors: { [ACCOUNT_FIELD.typed.blockId]: BOTH_ACCOUNTS_ERROR } });
    const stored = () => db().select().from(activities).where(eq(activities.teamId, DEFAULT_TEAM_ID));
    expect(await stored()).toHaveLength(0);
    const picked = await h.slack.interaction(modalSubmission(modal, { [ACCOUNT_FIELD.pick.blockId]: 'Initech' }));
    expect(picked.body).toBe('');
    await h.settle();
    expect(await stored()).toMatchObject([{ typeKey: 'call', account: 'Initech', source: 'modal' }]);
  });

  it('suggests this workspace’s accounts as you type: one per account, latest spelling, matching case and punctuation insensitively', async () => {
    await start();
    await acmeHistory();
    await activity({ type: 'call', at: day('2026-11-02'), account: 'Globex' });
    await activity({ type: 'call', at: day('2026-11-25'), account: 'Initech' });
    await activity({ type: 'call', at: day('2026-11-01'), account: 'Only Elsewhere Inc', teamId: OTHER_TEAM });
    await db().insert(deals).values({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'lost', closedAt: day('2026-11-26'), account: 'Hooli', source: 'slack' });
    await db().insert(deals).values({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'won', amountMinor: 1n, currency: 'USD', closedAt: day('2026-11-03'), account: 'x'.repeat(76), source: 'slack' });

    const suggest = async (actionId: string, blockId: string, value: string) => {
      const res = await h.slack.interaction(blockSuggestion({ ...h.slack.team, actionId, blockId, value }));
      expect(res.status).toBe(200);
      const body = res.json() as { options: Array<{ text: { type: string; text: string }; value: string }> };
      for (const o of body.options) expect(o.text).toEqual({ type: 'plain_text', text: o.value });
      return body.options.map((o) => o.value);
    };
    const deal = (value: string) => suggest(DEAL_ACCOUNT_FIELD.pick.actionId, DEAL_ACCOUNT_FIELD.pick.blockId, value);
    // Most recently used first; "Acme Corp" once, as last spelled (Nov 24); another workspace's never; a name longer
    // than an option can hold is left out (it can still be typed).
    expect(await deal('')).toEqual(['Hooli', 'Initech', 'Acme Corp', 'Globex', 'Acme Labs']);
    // Case and punctuation insensitive; names starting with it first.
    expect(await deal('ACME-')).toEqual(['Acme Corp', 'Acme Labs']);
    expect(await deal('me co')).toEqual(['Acme Corp']);
    expect(await deal('labs')).toEqual(['Acme Labs']);
    expect(await deal('elsewhere')).toEqual([]);
    // The activity form's field answers the same.
    expect(await suggest(ACCOUNT_FIELD.pick.actionId, ACCOUNT_FIELD.pick.blockId, 'glo')).toEqual(['Globex']);
  });

  it('at most 100 suggestions', async () => {
    await start();
    await db()
      .insert(activities)
      .values(Array.from({ length: 130 }, (_, i) => ({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, typeKey: 'call', occurredAt: day('2026-11-02'), account: `Account ${i}`, source: 'import' as const })));
    const res = await h.slack.interaction(blockSuggestion({ ...h.slack.team, actionId: DEAL_ACCOUNT_FIELD.pick.actionId, blockId: DEAL_ACCOUNT_FIELD.pick.blockId, value: 'account' }));
    expect((res.json() as { options: unknown[] }).options).toHaveLength(100);
  });

  it('when the effort cannot be read in time, the deal is stored and confirmed without it (PostgreSQL: a reader can be blocked)', async (ctx) => {
    if (getDb().kind !== 'postgres') return ctx.skip(); // PGlite's one connection would block the store too
    await start();
    await acmeHistory();
    // Another connection holds activities in ACCESS EXCLUSIVE mode: reading them waits; deals are free.
    const other = openAnotherConnection(getDb());
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = other.db.transaction(async (tx) => {
      await tx.execute(sql.raw('lock table activities in access exclusive mode'));
      locked();
      await released;
    });
    await isLocked;
    try {
      const reply = await ackReply(h, { command: '/log-deal', text: 'won $12,500 Acme Corp' });
      expect(reply.blocks[0].text.text).toMatch(/^:moneybag: Logged a won deal: Acme Corp, \$12,500\.00/);
      expect(textOf(reply)).not.toMatch(/won after|not saved/i);
      expect(await storedDeals()).toMatchObject([{ status: 'won', account: 'Acme Corp' }]);
    } finally {
      release();
      await holder;
      await other.close();
    }
  });
});
