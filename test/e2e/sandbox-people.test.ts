/**
 * The sandbox with the real bot behind it, headless: what people do (commands, modal submissions, clicks,
 * opening Home) reaches the bot as Slack sends it, and what the bot answers lands where a person would see
 * it; the rows it stores are in the sandbox's database; a restart keeps it all. The page's HTTP routes are
 * checked with fetch: the page and its security header, the regions it shows, refused requests, the chart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activities, workspaces } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { SANDBOX_BOT, SANDBOX_PEOPLE, SANDBOX_TEAM_ID, type StoredMessage } from '../../src/sandbox/index.js';
import { SLACKBOT_ID } from '../../src/sandbox/people-actions.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start.js';

/** Friday 27 November 2026, 10:00 in New York; the sandbox's clock runs on from there. */
const START = Date.parse('2026-11-27T15:00:00Z');
const SALES = 'C0SPSALES';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const person = (handle: string) => SANDBOX_PEOPLE.find((p) => p.handle === handle)!.id;
const grace = person('grace'); // the workspace admin
const mia = person('mia'); // a manager
const ana = person('ana');
const ben = person('ben');
const priya = person('priya');
const jordan = person('jordan');
const lena = person('lena');
const tom = person('tom');

const logger = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
const shift = START - Date.now();
const baseClock = { now: () => new Date(Date.now() + shift) };

let dataDir: string;
let sandbox: RunningSandbox;

const start = () => startSandbox({ dataDir, port: 0, logLevel: 'warn', logger, baseClock, startScheduler: false });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sales-pulse-sandbox-people-'));
  sandbox = await start();
});

afterAll(async () => {
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const workspace = () => sandbox.slack.workspace;
const seen = (userId: string, channel = SALES): StoredMessage[] => workspace().visibleMessages(channel, userId);
const rowsOf = (userId: string) =>
  sandbox.database.db
    .select()
    .from(activities)
    .where(and(eq(activities.teamId, SANDBOX_TEAM_ID), eq(activities.userId, userId)));

/** Wait until `find` returns something (the bot answers after its ack, through the Web API or response_url). */
function eventually<T>(find: () => T | undefined | Promise<T | undefined>, timeout = 10_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const found = await find();
      if (found === undefined || found === null || found === false) throw new Error('not yet');
      return found;
    },
    { timeout, interval: 25 },
  );
}

/** The first message `userId` sees in #sales whose text matches. */
const messageSeenBy = (userId: string, text: RegExp, channel = SALES) => eventually(() => seen(userId, channel).find((m) => text.test(m.text)));

async function page(pathAndQuery: string, init?: RequestInit): Promise<Response> {
  return fetch(new URL(pathAndQuery, sandbox.url), init);
}

/** A POST with exactly these Host and Origin headers (fetch does not let a test choose the Host). */
function rawPost(pathname: string, body: string, headers: { host: string; origin: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: sandbox.slack.port, path: pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const postJson = (verb: string, body: unknown, headers: Record<string, string> = {}) =>
  page(`/sandbox/api/${verb}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('what people type, as Slack sends it with should_escape', () => {
  it.each([
    ['@ana', `<@${ana}|ana>`],
    ['#sales', `<#${SALES}|sales>`],
    ['#connected', '#connected'],
    ['a & b <c>', 'a &amp; b &lt;c&gt;'],
    ['@nobody', '@nobody'],
    ['Acme 15m #connected with @ben in #sales', `Acme 15m #connected with <@${ben}|ben> in <#${SALES}|sales>`],
  ])('%s is sent as %s', (typed, sent) => {
    expect(sandbox.actions.escapeCommandText(typed)).toBe(sent);
  });
});

describe('people and the bot in the sandbox', () => {
  it('/log-call Acme 15m #connected from a rep in #sales is stored, confirmed only to that rep', async () => {
    await sandbox.actions.command(ana, SALES, '/log-call Acme 15m #connected');

    const confirmation = await messageSeenBy(ana, /Logged 1 call/);
    expect(confirmation).toMatchObject({ user: SANDBOX_BOT.userId, ephemeralTo: ana });
    expect(seen(ben).some((m) => /Logged 1 call/.test(m.text))).toBe(false);
    const rows = await rowsOf(ana);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'call', account: 'Acme', outcome: 'connected', durationMinutes: 15, quantity: 1, source: 'slash_command', deletedAt: null });
    expect(rows[0]!.occurredAt.getTime()).toBeGreaterThanOrEqual(START);
  });

  it('an unknown command gets Slackbot’s “not a valid command” reply, only for that person, and stores nothing', async () => {
    await sandbox.actions.command(mia, SALES, '/log-cal Acme');
    const [reply] = seen(mia).filter((m) => m.user === SLACKBOT_ID);
    expect(reply).toMatchObject({ ephemeralTo: mia });
    expect(reply!.text).toContain('`/log-cal` is not a valid command');
    expect(seen(ben).some((m) => m.user === SLACKBOT_ID)).toBe(false);
    expect(await rowsOf(mia)).toEqual([]);
  });

  it('/log-call alone opens the log modal for that person; a bad count keeps it open with the error; valid values close it and store the row', async () => {
    await sandbox.actions.command(priya, SALES, '/log-call');
    const modal = await eventually(() => workspace().topModal(priya));
    expect(modal.view.callback_id).toBe('log_activity_modal');
    expect(workspace().topModal(ben)).toBeUndefined();

    await sandbox.actions.submitView(priya, modal.id, [
      { blockId: 'account_block', actionId: 'account_input', values: ['Globex'] },
      { blockId: 'count_block', actionId: 'count_input', values: ['0'] },
    ]);
    expect(workspace().topModal(priya)?.id).toBe(modal.id);
    expect(workspace().topModal(priya)!.errors?.count_block).toMatch(/whole number/);
    expect(await rowsOf(priya)).toEqual([]);

    await sandbox.actions.submitView(priya, modal.id, [
      { blockId: 'account_block', actionId: 'account_input', values: ['Globex'] },
      { blockId: 'count_block', actionId: 'count_input', values: ['3'] },
    ]);
    expect(workspace().topModal(priya)).toBeUndefined();
    const rows = await rowsOf(priya);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'call', account: 'Globex', quantity: 3, source: 'modal', deletedAt: null });
    await messageSeenBy(priya, /Logged 3 calls/);
  });

  it('the account field suggests the workspace’s accounts as the person types (a block_suggestion to the bot); a pick is stored', async () => {
    await sandbox.actions.command(lena, SALES, '/log-email Initech Systems');
    await eventually(async () => (await rowsOf(lena)).length === 1 || undefined);
    await sandbox.actions.command(lena, SALES, '/log-call');
    const modal = await eventually(() => workspace().topModal(lena));
    const suggest = async (value: string) => {
      const res = await postJson('suggest', { as: lena, viewId: modal.id, blockId: 'account_pick_block', actionId: 'account_pick_input', value });
      expect(res.status).toBe(200);
      return ((await res.json()) as { ok: boolean; options: Array<{ value: string }> }).options.map((o) => o.value);
    };
    expect(await suggest('INITECH sys')).toEqual(['Initech Systems']);
    expect(await suggest('no such account')).toEqual([]);
    // Another person cannot ask through someone else's modal.
    expect((await postJson('suggest', { as: ben, viewId: modal.id, blockId: 'account_pick_block', actionId: 'account_pick_input', value: '' })).status).toBe(400);

    await sandbox.actions.submitView(lena, modal.id, [{ blockId: 'account_pick_block', actionId: 'account_pick_input', values: ['Initech Systems'] }]);
    expect(workspace().topModal(lena)).toBeUndefined();
    const rows = await rowsOf(lena);
    expect(rows.map((r) => [r.typeKey, r.account, r.source]).sort()).toEqual([
      ['call', 'Initech Systems', 'modal'],
      ['email', 'Initech Systems', 'slash_command'],
    ]);
  });

  it('Undo on the confirmation undoes the entry and replaces the confirmation', async () => {
    await sandbox.actions.command(jordan, SALES, '/log-email Initech');
    const confirmation = await messageSeenBy(jordan, /Logged 1 email/);
    const [row] = await rowsOf(jordan);
    expect(row!.deletedAt).toBeNull();
    const undo = (confirmation.blocks as any[]).flatMap((b) => (b.type === 'actions' ? b.elements.map((e: any) => ({ block: b.block_id, ...e })) : [])).find((e) => e.text.text === 'Undo');
    expect(undo).toMatchObject({ block: 'activity_actions', action_id: 'activity_undo', value: row!.id });

    await sandbox.actions.messageAction(jordan, { channel: SALES, messageTs: confirmation.ts, blockId: undo.block, actionId: undo.action_id, values: [undo.value] });

    const [undone] = await eventually(async () => {
      const rows = await rowsOf(jordan);
      return rows[0]!.deletedAt ? rows : undefined;
    });
    expect(undone!.deletedAt).toBeInstanceOf(Date);
    const replaced = await eventually(() => {
      const m = workspace().findMessage(SALES, confirmation.ts);
      return m && /Undone/.test(m.text) ? m : undefined;
    });
    expect(replaced.text).toContain('Undone: 1 email');
    expect(JSON.stringify(replaced.blocks)).not.toContain('activity_undo');
    // Replaced in place: still one message from the bot for Jordan, not a second one.
    expect(seen(jordan).filter((m) => m.user === SANDBOX_BOT.userId)).toHaveLength(1);
  });

  it('opening Home publishes that person’s Home tab', async () => {
    expect(workspace().homeViews.get(ben)).toBeUndefined();
    await sandbox.actions.openHome(ben);
    const home = await eventually(() => workspace().homeViews.get(ben));
    expect(home).toMatchObject({ userId: ben, view: { type: 'home' } });
    expect(JSON.stringify(home.view.blocks)).toMatch(/Log activity/);
  });

  it('a rep’s /sales-admin celebrations #sales is refused and changes nothing; the admin’s is accepted', async () => {
    const celebrationsChannel = async () => {
      const [row] = await sandbox.database.db.select({ channel: workspaces.celebrationsChannel }).from(workspaces).where(eq(workspaces.teamId, SANDBOX_TEAM_ID));
      return row?.channel ?? null;
    };

    await sandbox.actions.command(lena, SALES, '/sales-admin celebrations #sales');
    const refusal = await messageSeenBy(lena, /Only Sales Pulse admins and team managers/);
    expect(refusal.ephemeralTo).toBe(lena);
    expect(await celebrationsChannel()).toBeNull();
    expect(seen(ben).some((m) => /celebrated/.test(m.text))).toBe(false);

    await sandbox.actions.command(grace, SALES, '/sales-admin celebrations #sales');
    await messageSeenBy(grace, /Won deals will be celebrated in/);
    expect(await celebrationsChannel()).toBe(SALES);
    // The channel is told, for everyone to see.
    expect(seen(ben).find((m) => /celebrated in this channel/.test(m.text))?.ephemeralTo).toBeUndefined();
  });

  it('after the clock is moved back (the page’s Reset), what is said next still shows last in the conversation', async () => {
    // A day ahead, the bot answers Ana; back at now, she types a message and Slackbot answers a mistyped command.
    sandbox.clock.set(new Date(START + 86_400_000));
    await sandbox.actions.command(ana, SALES, '/log-call Hooli');
    await messageSeenBy(ana, /Hooli/);
    sandbox.clock.reset();

    sandbox.actions.postMessage(ana, SALES, 'back to Friday');
    expect(seen(ana).at(-1)).toMatchObject({ user: ana, text: 'back to Friday' });
    await sandbox.actions.command(ana, SALES, '/log-cal Hooli');
    expect(seen(ana).at(-1)).toMatchObject({ user: SLACKBOT_ID, text: expect.stringContaining('is not a valid command') });
  });
});

describe('the sandbox page’s routes', () => {
  it('GET / is the page, with its Content-Security-Policy', async () => {
    const response = await page('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(await response.text()).toMatch(/<html/i);
  });

  it('/sandbox/ui shows a conversation as that person sees it', async () => {
    await messageSeenBy(ana, /Logged 1 call/);
    const asAna = (await (await page(`/sandbox/ui?as=${ana}&conv=${SALES}`)).json()) as { body: string };
    expect(asAna.body).toContain('Logged 1 call');
    const asBen = (await (await page(`/sandbox/ui?as=${ben}&conv=${SALES}`)).json()) as { body: string };
    expect(asBen.body).not.toContain('Logged 1 call');
  });

  it('a command request the page could not have sent is 400 with a clear error, and nothing happens', async () => {
    const before = seen(mia).length;
    for (const [body, field] of [
      [{ as: mia, conv: SALES }, 'text'],
      [{ as: mia, conv: SALES, text: 42 }, 'text'],
      [{ as: 'not a person', conv: SALES, text: '/log-call Acme' }, 'as'],
    ] as const) {
      const response = await postJson('command', body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { ok: boolean; error: string };
      expect(answer.ok).toBe(false);
      // The error names the field that is wrong.
      expect(answer.error).toMatch(new RegExp(`^That request was not understood: ${field} `));
    }
    const notJson = await page('/sandbox/api/command', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"as":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ ok: false, error: 'The request is not JSON' });
    expect(seen(mia)).toHaveLength(before);
    expect(await rowsOf(mia)).toEqual([]);
  });

  it('a request from another origin is refused 403 and nothing happens', async () => {
    const response = await postJson('command', { as: mia, conv: SALES, text: '/log-call Evil Corp' }, { origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ ok: false });
    expect(await rowsOf(mia)).toEqual([]);

    const sameOrigin = await postJson('command', { as: mia, conv: SALES, text: '/log-call Good Corp' }, { origin: sandbox.url });
    expect(sameOrigin.status).toBe(200);
    await eventually(async () => ((await rowsOf(mia)).length === 1 ? true : undefined));
  });

  it('a request from a foreign site that resolves to 127.0.0.1 (DNS rebinding) is refused 403 too', async () => {
    // The foreign site sends its own name as Host and as Origin: they agree with each other, not with the sandbox.
    const rebound = await rawPost('/sandbox/api/command', JSON.stringify({ as: tom, conv: SALES, text: '/log-call Rebound Corp' }), {
      host: `evil.example:${sandbox.slack.port}`,
      origin: `http://evil.example:${sandbox.slack.port}`,
    });
    expect(rebound.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rowsOf(tom)).toEqual([]);
  });

  it('with demo data, moving the clock to Monday 09:00 posts the leaderboard; its chart is served as a PNG', async () => {
    const demo = await postJson('demo', {});
    expect(demo.status).toBe(200);
    expect(await demo.json()).toMatchObject({ ok: true, notice: expect.stringMatching(/Loaded/) });
    const moved = await postJson('clock', { preset: 'next-monday-0900' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ ok: true, notice: expect.stringMatching(/Clock set to .*Ran what was due/) });

    const withChart = await eventually(() =>
      (workspace().messages.get(SALES) ?? []).find((m) => m.threadTs !== undefined && m.files?.some((f) => f.mimetype === 'image/png')),
    );
    const board = workspace().findMessage(SALES, withChart.threadTs!);
    expect(board?.text).toMatch(/Leaderboard/i);
    const chart = withChart.files!.find((f) => f.mimetype === 'image/png')!;
    const response = await page(`/sandbox/files/${chart.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(bytes.length).toBe(chart.size);
  }, 60_000);
});

describe('a restart of the sandbox', () => {
  it('keeps the messages, the Home tab, the rows and the clock', async () => {
    const movedTo = new Date('2026-12-02T17:30:00Z');
    sandbox.clock.set(movedTo);
    const offset = sandbox.clock.offsetMs;
    const messagesBefore = seen(ana).map((m) => [m.ts, m.text]);
    const homeBefore = workspace().homeViews.get(ben)!;
    const rowsBefore = (await rowsOf(priya)).map((r) => r.id);
    expect(messagesBefore.length).toBeGreaterThan(0);

    await sandbox.stop();
    sandbox = await start();

    expect(sandbox.clock.offsetMs).toBe(offset);
    expect(Math.abs(sandbox.clock.now().getTime() - movedTo.getTime())).toBeLessThan(30_000);
    expect(seen(ana).map((m) => [m.ts, m.text])).toEqual(messagesBefore);
    expect(workspace().homeViews.get(ben)).toMatchObject({ id: homeBefore.id, view: homeBefore.view });
    expect((await rowsOf(priya)).map((r) => r.id)).toEqual(rowsBefore);

    // And it carries on: a new confirmation comes after everything Ana saw before.
    await sandbox.actions.command(ana, SALES, '/log-call Umbrella');
    const latest = await messageSeenBy(ana, /Umbrella/);
    expect(seen(ana).at(-1)).toBe(latest);
  }, 60_000);
});
