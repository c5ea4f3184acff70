/**
 * Two workspaces served by one deployment, whose people and channels have THE SAME ids (U01SAMEID, U02SAMEID,
 * C01SAMEID), each installed through the OAuth flow with its own bot token. Both are filled the way their people and
 * operators fill them: the CLI (`import --workspace`, the same external id in both), the settings' webhook-secret
 * button, slash commands (teams, targets, schedules, celebrations, digests, logging, deals), the CRM webhook signed
 * with each workspace's own secret (one email, a different person in each workspace). Then
 * every surface of one is read back and must show its own data and nothing of the other: /leaderboard (and its Post
 * to channel button, and a team board), /my-stats, the Home tab, the scheduled board and the DM digest (one scheduler
 * tick for both), win celebrations in the shared channel id, the export file, the audit log, the imported rows.
 * Undo and Edit buttons and a modal submission naming an entry of the other workspace, pressed by the same user id,
 * fail cleanly and change nothing; the other workspace's webhook secret is refused.
 *
 * What "shows nothing of the other" means here: everything the bot sent to Slack with a workspace's token (every Web
 * API call's arguments), every answer in an ack or a response_url of that workspace, and every file it uploaded there,
 * is searched for the other workspace's markers: its people's names and account names (Alpha… / Bravo…) and its
 * amounts (distinct per workspace, as are the sums a board shows). Each surface is also checked for its own data, so
 * a surface that showed nothing at all would fail too.
 *
 * The CLI runs as an operator runs it (node dist/cli.js) before the bot starts: the embedded database is one process's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import { openPglite, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { fixedClock } from '../../src/lib/clock.js';
import { runCli } from '../helpers/built.js';
import { createTestDb, DB_KINDS, type TestDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack, type RecordedCall } from '../helpers/fake-slack.js';
import { capturedLogger, SIGNING_SECRET, TEST_ENCRYPTION_KEY, viewState } from '../helpers/harness.js';
import { blockAction, slackSender, viewSubmission, type SlackSender } from '../helpers/signed-request.js';
import { sendDealWebhook } from '../helpers/webhook-signer.js';

type Json = Record<string, any>;

// The same ids in both workspaces.
const U1 = 'U01SAMEID';
const U2 = 'U02SAMEID';
const C1 = 'C01SAMEID';
const CHANNEL = `<#${C1}|sales>`;
const mention = (userId: string, name: string) => `<@${userId}|${name}>`;

const CLIENT_ID = '1234.5678';
const CLIENT_SECRET = 'isolation-client-secret';
const STATE_SECRET = 'isolation-state-secret';

/** Friday Nov 27 2026, 15:00 UTC (everyone here is in UTC). This week: Mon Nov 23 – Sun Nov 29. */
const NOW = new Date('2026-11-27T15:00:00Z');
/** The weekly digest's slot (Fridays 16:00 local) and the weekly board's (Mondays 09:00), both this week's. */
const DIGEST_SLOT = new Date('2026-11-27T16:00:00Z');
const BOARD_SLOT = new Date('2026-11-30T09:00:00Z');

interface Spec {
  teamId: string;
  teamName: string;
  /** The word in every name of this workspace (its people, accounts, second sales team). */
  word: 'Alpha' | 'Bravo';
  /** U1's and U2's names in this workspace. */
  names: [string, string];
  /** ana@example.com is U1 in Alpha, but U2 in Bravo: the same email, another person. */
  anaIs: string;
  calls: number;
  /** Minor units (USD): U1's /log-deal, the CRM webhook's deal (for ana@), the imported deal (U2's). */
  logged: number;
  crm: number;
  imported: number;
  callTarget: number;
}

const ALPHA: Spec = { teamId: 'T0ALPHA01', teamName: 'Alpha Corp', word: 'Alpha', names: ['Ana Alpha', 'Cy Alpha'], anaIs: U1, calls: 3, logged: 110_000, crm: 303_000, imported: 500_500, callTarget: 7 };
const BRAVO: Spec = { teamId: 'T0BRAVO02', teamName: 'Bravo Corp', word: 'Bravo', names: ['Bo Bravo', 'Di Bravo'], anaIs: U2, calls: 5, logged: 220_000, crm: 404_000, imported: 600_600, callTarget: 9 };

const usd = (minor: number) => `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
const plain = (minor: number) => (minor / 100).toFixed(2);
/** Every amount of a workspace as a board, a confirmation or a file writes it, per deal and summed per rep and in total. */
function amountsOf(s: Spec): number[] {
  const byRep = s.anaIs === U1 ? [s.logged + s.crm, s.imported] : [s.logged, s.crm + s.imported];
  return [s.logged, s.crm, s.imported, ...byRep, s.logged + s.crm + s.imported];
}
const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What of workspace `s` must never appear in the other one. */
function markersOf(s: Spec): RegExp {
  const amounts = amountsOf(s).flatMap((m) => [escapeRe(usd(m)), `\\b${escapeRe(plain(m))}\\b`]);
  return new RegExp([`\\b${s.word}\\b`, ...amounts].join('|'));
}

/** `npm run cli -- …` as an operator runs it: node dist/cli.js with only the database and key settings. */
for (const kind of DB_KINDS) {
  describe(`workspace isolation: two workspaces with the same user and channel ids [${kind}]`, () => {
    let dir: string;
    let testDb: TestDb | undefined;
    let database: Database;
    let fake: FakeSlack;
    let bot: SalesPulseApp;
    let baseUrl: string;
    const clock = fixedClock(NOW);

    /** One workspace as the test sees it: its sender, its webhook secret, every answer it got. */
    interface Side extends Spec {
      slack: SlackSender;
      secret: string;
      /** Ack bodies of this workspace's commands (response_url answers are in the fake's calls, by team). */
      acks: Json[];
      other: () => Side;
    }
    const side = {} as { a: Side; b: Side };

    let responseUrls = 0;
    const responseUrlIn = (s: Side) => {
      const id = `${s.teamId}-${++responseUrls}`;
      return { id, url: fake.responseUrl(id, undefined, s.teamId) };
    };

    /** A slash command by `userId` in workspace `s`: its answer (the ack's body, or what it sent to its response_url). */
    async function command(s: Side, name: string, text: string, userId = U1): Promise<Json> {
      const url = responseUrlIn(s);
      const res = await s.slack.command({ command: name, text, userId, channelId: C1, responseUrl: url.url });
      expect(res.status).toBe(200);
      const body = res.json() as Json | null;
      if (body && Object.keys(body).length > 0) {
        s.acks.push(body);
        // A command that answered "working on it" in its ack follows with the real answer.
        if (!/on its way|working on it/i.test(String(body.text ?? ''))) return body;
      }
      return (await fake.waitFor('response_url', (c) => c.responseUrlId === url.id, 10_000)).args as Json;
    }
    const textOf = (message: Json) => JSON.stringify([message.text, message.blocks]);

    /** Press a button by `userId` in workspace `s`; the reply it sent to the response_url. */
    async function press(s: Side, actionId: string, value: string, userId = U1): Promise<Json> {
      const url = responseUrlIn(s);
      const res = await s.slack.interaction(blockAction({ ...s.slack.team, actionId, value, userId, channelId: C1, responseUrl: url.url }));
      expect(res.status).toBe(200);
      return (await fake.waitFor('response_url', (c) => c.responseUrlId === url.id, 10_000)).args as Json;
    }

    /** Successful Web API calls made with workspace `s`'s token. */
    const callsIn = (s: Side, method: string) => fake.callsTo(method, s.teamId).filter((c) => c.ok);

    /** Every CSV file the bot uploaded in workspace `s`. */
    function csvFilesIn(s: Side): { name: string; text: string }[] {
      return callsIn(s, 'files.completeUploadExternal').flatMap((c) =>
        (c.response as { files: { id: string; name: string }[] }).files
          .filter((f) => f.name.endsWith('.csv'))
          .map((f) => ({ name: f.name, text: fake.workspaceOf(s.teamId).readFile(f.id)!.toString('utf8') })),
      );
    }

    /** Everything workspace `s` was shown: every call made with its token, every answer in its acks and response_urls, its files. */
    function everythingSeenIn(s: Side): string {
      const calls = fake.calls.filter((c) => c.teamId === s.teamId && c.method !== 'file_upload').map((c: RecordedCall) => [c.method, c.args]);
      return JSON.stringify([calls, s.acks, csvFilesIn(s).map((f) => f.text)]);
    }

    /** `/sales-admin` opens the settings; its Notifications section's button makes the webhook secret, shown in the modal. */
    async function createWebhookSecret(s: Side): Promise<string> {
      const res = await s.slack.command({ command: '/sales-admin', text: '', userId: U1, channelId: C1, responseUrl: responseUrlIn(s).url });
      expect(res.status).toBe(200);
      const opened = await fake.waitFor('views.open', (c) => c.teamId === s.teamId && c.args.trigger_id === res.triggerId, 10_000);
      const view = (opened.response as { view: Json }).view;
      const click = blockAction({ ...s.slack.team, actionId: 'settings_notify_rotate_secret', userId: U1, view });
      expect((await s.slack.interaction(click)).status).toBe(200);
      const updated = await fake.waitFor('views.update', (c) => c.teamId === s.teamId && c.args.view_id === view.id, 10_000);
      return /spwh_[A-Za-z0-9_-]+/.exec(JSON.stringify(updated.args.view))![0];
    }

    async function installThroughOAuth(s: Spec): Promise<void> {
      const page = await fetch(`${baseUrl}/slack/install`);
      expect(page.status).toBe(200);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const html = await page.text();
      const authorizeUrl = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      // U1 of that workspace approves on Slack's consent page; Slack sends the browser back with a code.
      const back = new URL(fake.approve(authorizeUrl, { teamId: s.teamId, teamName: s.teamName, userId: U1 }));
      const done = await fetch(`${baseUrl}${back.pathname}${back.search}`, { headers: { cookie } });
      expect(done.status, await done.text()).toBe(200);
    }

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-isolation-'));
      // 1. The operator, before the bot's first start: each workspace's CRM history, named by --workspace.
      let env: Record<string, string>;
      if (kind === 'pglite') env = { DATA_DIR: path.join(dir, 'data') };
      else {
        testDb = await createTestDb('postgres');
        env = { DATABASE_URL: testDb.database.url! };
      }
      for (const s of [ALPHA, BRAVO]) {
        // The same external id in both workspaces: one row in each, never an update of the other's.
        const file = path.join(dir, `${s.teamId}-deals.csv`);
        fs.writeFileSync(file, `external_id,user_id,status,amount,currency,closed_at,account,notes\nIMP-1,${U2},won,${plain(s.imported)},USD,2026-11-23,${s.word} Imported,\n`);
        const imported = await runCli(['import', file, '--workspace', s.teamId, '--kind', 'deals'], { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env });
        expect(imported.stderr).toBe('');
        expect(imported.stdout.trim()).toBe(`Imported 1 deal (1 new, 0 updated) into ${s.teamId}.`);
      }
      database = testDb ? testDb.database : await openPglite(env.DATA_DIR!);
      await runMigrations(database);

      // 2. Slack: two workspaces with the same user and channel ids, different people behind them.
      fake = await startFakeSlack({ scopes: manifestBotScopes(), oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: 'http://bot.invalid/slack/oauth_redirect' } });
      for (const s of [ALPHA, BRAVO]) {
        fake.addTeam({ teamId: s.teamId, teamName: s.teamName });
        const email = (userId: string) => (userId === s.anaIs ? 'ana@example.com' : `someone.${s.word.toLowerCase()}@example.com`);
        fake.addUser({ id: U1, name: s.names[0].toLowerCase().replace(' ', '.'), real_name: s.names[0], tz: 'UTC', is_admin: true, profile: { display_name: s.names[0], email: email(U1) } }, s.teamId);
        fake.addUser({ id: U2, name: s.names[1].toLowerCase().replace(' ', '.'), real_name: s.names[1], tz: 'UTC', profile: { display_name: s.names[1], email: email(U2) } }, s.teamId);
      }

      // 3. The bot in OAuth mode (no SLACK_BOT_TOKEN): each request is authorized with its workspace's installation.
      const config = configSchema.parse({
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_STATE_SECRET: STATE_SECRET,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: '0',
        LOG_LEVEL: 'debug',
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      });
      bot = buildApp({ config, database, clock, logger: capturedLogger().logger, clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } } });
      const { port } = await bot.start(0);
      baseUrl = `http://127.0.0.1:${port}`;
      for (const s of [ALPHA, BRAVO]) await installThroughOAuth(s);

      for (const [key, s] of [['a', ALPHA], ['b', BRAVO]] as const) {
        side[key] = {
          ...s,
          slack: slackSender({ url: `${baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, teamId: s.teamId, teamDomain: s.word.toLowerCase() }),
          secret: '',
          acks: [],
          other: () => (key === 'a' ? side.b : side.a),
        };
      }

      // 4. Each workspace's admin makes its webhook secret in the settings (shown once, in that workspace's modal).
      for (const s of [side.a, side.b]) s.secret = await createWebhookSecret(s);
      expect(side.a.secret).not.toBe(side.b.secret);

      // 5. Each workspace's admin (U1 in both) sets it up: a sales team of the same name, one named after the
      //    workspace, a target, a weekly board and celebrations in the same channel id, U1's digest.
      for (const s of [side.a, side.b]) {
        expect(textOf(await command(s, '/sales-admin', `team create "Closers" ${CHANNEL}`))).toContain('Closers');
        await command(s, '/sales-admin', `team "Closers" add ${mention(U1, 'u1')}${s === side.a ? ` ${mention(U2, 'u2')}` : ''}`);
        await command(s, '/sales-admin', `team create "${s.word} Squad"`);
        await command(s, '/sales-admin', `target ${mention(U1, 'u1')} calls ${s.callTarget}/week`);
        await command(s, '/sales-admin', `leaderboard ${CHANNEL} weekly mon 09:00 UTC`);
        await command(s, '/sales-admin', `celebrations ${CHANNEL}`);
        await command(s, '/my-stats', 'subscribe');
      }
      // 6. U1 logs in each, in turn: calls (distinct counts and accounts).
      for (const s of [side.a, side.b]) {
        const reply = await command(s, '/log-call', `${s.word} Industries x${s.calls}`);
        expect(textOf(reply)).toContain(`${s.word} Industries`);
      }
      // 7. Deals: Alpha's win, Bravo's win, then each CRM's deal for ana@ (U1 in Alpha, U2 in Bravo), within the
      //    celebration spacing: the channel id and the user id are the same in both workspaces, the posts must not be.
      const a = side.a;
      const b = side.b;
      const [aReply, bReply] = await Promise.all([
        command(a, '/log-deal', `won ${usd(a.logged)} ${a.word} Industries`),
        command(b, '/log-deal', `won ${usd(b.logged)} ${b.word} Holdings`),
      ]);
      expect(textOf(aReply)).toContain(usd(a.logged));
      expect(textOf(bReply)).toContain(usd(b.logged));
      for (const s of [a, b]) {
        const answer = await sendDealWebhook(
          { external_id: 'CRM-1', email: 'ana@example.com', status: 'won', amount: plain(s.crm), currency: 'USD', account: `${s.word} CRM Co` },
          { url: `${baseUrl}/webhooks/deals`, teamId: s.teamId, secret: s.secret, timestamp: Math.floor(NOW.getTime() / 1000) },
        );
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.created).toBe(true);
      }
    }, 120_000);

    afterAll(async () => {
      await bot?.stop(2000);
      await fake?.close();
      if (testDb) await testDb.close();
      else await database?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('wins logged in both at once, and a CRM deal, are celebrated in each workspace’s own channel with its own deals', async () => {
      const a = side.a;
      const b = side.b;
      for (const s of [a, b]) {
        const celebrated = async (account: string) =>
          fake.waitFor('chat.postMessage', (c) => c.teamId === s.teamId && c.args.channel === C1 && String(c.args.text).includes(account), 10_000);
        const logged = await celebrated(`${s.word} ${s === a ? 'Industries' : 'Holdings'}`);
        // ana@ is U1 in Alpha and U2 in Bravo: the CRM deal is credited to the person with that email in its workspace.
        const crm = await celebrated(`${s.word} CRM Co`);
        expect(String(crm.args.text)).toContain(`<@${s.anaIs}>`);
        for (const post of [logged, crm]) expect(String(post.args.text)).not.toMatch(markersOf(s.other()));
      }
    });

    it('the webhook: a workspace’s secret does not sign for the other workspace, and nothing is stored there', async () => {
      const a = side.a;
      const b = side.b;
      const forged = await sendDealWebhook(
        { external_id: 'CRM-X', slack_user_id: U1, status: 'won', amount: '777.00', currency: 'USD', account: `${a.word} Forged` },
        { url: `${baseUrl}/webhooks/deals`, teamId: b.teamId, secret: a.secret, timestamp: Math.floor(NOW.getTime() / 1000) },
      );
      expect(forged.status).toBe(401);
      expect(forged.body.error).toBe('invalid_signature');
      const [{ n }] = await database.rows<{ n: string | number }>(sql`select count(*) as n from deals where external_id = 'CRM-X'`);
      expect(Number(n)).toBe(0);
    });

    it('/leaderboard and /my-stats: each workspace’s own numbers, people and accounts only', async () => {
      for (const s of [side.a, side.b]) {
        const board = await command(s, '/leaderboard', 'this week');
        const shown = textOf(board);
        expect(shown).toContain(usd(s.logged + s.crm + s.imported));
        expect(shown).toContain(s.names[0]);
        expect(shown).toContain(s.names[1]);
        expect(shown).not.toMatch(markersOf(s.other()));

        // /my-stats answers by DM, in the workspace it was asked in.
        const dmsBefore = callsIn(s, 'chat.postMessage').length;
        expect(textOf(await command(s, '/my-stats', ''))).toContain('to your DMs');
        const dm = await fake.waitFor('chat.postMessage', (c) => c.teamId === s.teamId && callsIn(s, 'chat.postMessage').indexOf(c) >= dmsBefore, 10_000);
        const stats = JSON.stringify(dm.args);
        expect(stats).toContain(usd(s.anaIs === U1 ? s.logged + s.crm : s.logged));
        expect(stats).toContain(`Calls ${s.calls} `);
        expect(stats).not.toMatch(markersOf(s.other()));

        // The team of the same name: Bravo's "Closers" has only U1 there.
        const team = textOf(await command(s, '/leaderboard', '"Closers" this week'));
        expect(team).toContain(s.names[0]);
        if (s === side.b) expect(team).not.toContain(s.names[1]);
        else expect(team).toContain(s.names[1]);
        expect(team).not.toMatch(markersOf(s.other()));
      }
    });

    it('Post to channel: each workspace’s board goes to its own channel C01SAMEID, with its own numbers', async () => {
      for (const s of [side.a, side.b]) {
        const notice = await press(s, 'leaderboard_post_to_channel', JSON.stringify({ period: 'this week' }));
        expect(notice.text).toContain('Posted the leaderboard');
        const posted = callsIn(s, 'chat.postMessage').filter((c) => c.args.channel === C1 && String(c.args.text).includes('This week (Nov 23 – 29)'));
        expect(posted).toHaveLength(1);
        expect(JSON.stringify(posted[0]!.args)).toContain(usd(s.logged + s.crm + s.imported));
        expect(JSON.stringify(posted[0]!.args)).not.toMatch(markersOf(s.other()));
      }
    });

    it('the Home tab of U1 in each workspace shows that workspace’s week, target and entries only', async () => {
      for (const s of [side.a, side.b]) {
        const before = callsIn(s, 'views.publish').length;
        await s.slack.event({ type: 'app_home_opened', user: U1, channel: 'D0001', tab: 'home' });
        const publish = await fake.waitFor('views.publish', (c) => c.teamId === s.teamId && c.args.user_id === U1 && callsIn(s, 'views.publish').indexOf(c) >= before, 10_000);
        const home = JSON.stringify(publish.args.view);
        expect(home).toContain(`${s.word} Industries`);
        expect(home).toContain(`calls: *${s.calls}*`);
        expect(home).toMatch(new RegExp(`Calls: ${s.calls} of \\d`));
        expect(home).not.toMatch(markersOf(s.other()));
      }
    });

    it('Undo, Edit and a modal submission from the other workspace, by the same user id, find nothing and change nothing', async () => {
      const a = side.a;
      const b = side.b;
      // Alpha's entries, as U1 sees them there.
      const [activity] = await database.rows<{ id: string }>(sql`select id from activities where team_id = ${a.teamId} and user_id = ${U1}`);
      const [deal] = await database.rows<{ id: string }>(sql`select id from deals where team_id = ${a.teamId} and user_id = ${U1} and source = 'slack'`);

      // Pressed in Bravo by U1 (the same id as Alpha's author).
      const modalsBefore = callsIn(b, 'views.open').length;
      expect((await press(b, 'activity_undo', activity!.id)).text).toContain('no longer exists');
      expect((await press(b, 'activity_edit', activity!.id)).text).toContain('nothing to edit');
      expect((await press(b, 'deal_undo', deal!.id)).text).toContain('no longer exists');
      expect((await press(b, 'deal_edit', deal!.id)).text).toContain('nothing to edit');
      expect(callsIn(b, 'views.open')).toHaveLength(modalsBefore);

      // Edit in Alpha opens Alpha's form; the same form submitted from Bravo is refused under its field.
      const url = responseUrlIn(a);
      const click = blockAction({ ...a.slack.team, actionId: 'activity_edit', value: activity!.id, userId: U1, channelId: C1, responseUrl: url.url });
      expect((await a.slack.interaction(click)).status).toBe(200);
      const opened = await fake.waitFor('views.open', (c) => c.teamId === a.teamId && c.args.trigger_id === click.trigger_id, 10_000);
      const view = opened.args.view as Json;
      const openedView = (opened.response as { view: { id: string; hash: string } }).view;
      const accountBlock = (view.blocks as Json[]).find((blk) => blk.type === 'input' && JSON.stringify(blk).includes(`${a.word} Industries`))!;
      const submitted = await b.slack.interaction(
        viewSubmission({
          ...b.slack.team,
          callbackId: view.callback_id,
          values: viewState(view, { [accountBlock.block_id]: 'Hijacked Inc' }),
          privateMetadata: view.private_metadata,
          viewId: openedView.id,
          hash: openedView.hash,
          userId: U1,
        }),
      );
      expect(submitted.status).toBe(200);
      expect(submitted.json()).toMatchObject({ response_action: 'errors' });

      const rows = await database.rows<{ team_id: string; account: string | null; deleted: boolean }>(
        sql`select team_id, account, deleted_at is not null as deleted from activities order by team_id`,
      );
      expect(rows).toEqual([
        { team_id: a.teamId, account: `${a.word} Industries`, deleted: false },
        { team_id: b.teamId, account: `${b.word} Industries`, deleted: false },
      ]);
      const deals = await database.rows<{ n: string | number }>(sql`select count(*) as n from deals where deleted_at is not null`);
      expect(Number(deals[0]!.n)).toBe(0);
    });

    it('the scheduler: each U1 gets its own digest, and each channel C01SAMEID its own weekly board, in its own workspace', async () => {
      clock.set(DIGEST_SLOT);
      const digests = (await bot.scheduler.tick(DIGEST_SLOT)).filter((o) => o.job === 'digest');
      expect(digests.map((o) => o.status).sort()).toEqual(['done', 'done']);
      for (const s of [side.a, side.b]) {
        const dms = callsIn(s, 'chat.postMessage').filter((c) => String(c.args.channel).startsWith('D') && String(c.args.text).includes('digest'));
        expect(dms).toHaveLength(1);
        const digest = JSON.stringify(dms[0]!.args);
        expect(digest).toContain(usd(s.anaIs === U1 ? s.logged + s.crm : s.logged));
        expect(digest).not.toMatch(markersOf(s.other()));
      }

      clock.set(BOARD_SLOT);
      const boards = (await bot.scheduler.tick(BOARD_SLOT)).filter((o) => o.job === 'leaderboard');
      expect(boards.map((o) => [o.teamId, o.status]).sort()).toEqual([
        [ALPHA.teamId, 'done'],
        [BRAVO.teamId, 'done'],
      ]);
      for (const s of [side.a, side.b]) {
        const posted = callsIn(s, 'chat.postMessage').filter((c) => c.args.channel === C1 && String(c.args.text).includes('Last week (Nov 23 – 29)'));
        expect(posted).toHaveLength(1);
        expect(JSON.stringify(posted[0]!.args)).toContain(usd(s.logged + s.crm + s.imported));
        expect(JSON.stringify(posted[0]!.args)).not.toMatch(markersOf(s.other()));
      }
      clock.set(NOW);
    });

    it('export and audit: the file and the log of each workspace hold its own rows only (the imported row too)', async () => {
      for (const s of [side.a, side.b]) {
        const before = csvFilesIn(s).length;
        expect(textOf(await command(s, '/sales-admin', 'export 2026-11-23..2026-11-29 deals'))).toContain('Exporting deals');
        await fake.waitFor('files.completeUploadExternal', (c) => c.teamId === s.teamId && csvFilesIn(s).length > before, 15_000);
        const file = csvFilesIn(s).at(-1)!;
        const rows = parse(file.text, { bom: true, columns: true }) as Record<string, string>[];
        expect(rows.map((r) => [r.rep_id, r.amount, r.account]).sort()).toEqual(
          [
            [U1, plain(s.logged), `${s.word} ${s === side.a ? 'Industries' : 'Holdings'}`],
            [s.anaIs, plain(s.crm), `${s.word} CRM Co`],
            [U2, plain(s.imported), `${s.word} Imported`],
          ].sort(),
        );
        expect(file.text).not.toMatch(markersOf(s.other()));

        const audit = textOf(await command(s, '/sales-admin', 'audit 100'));
        expect(audit).toContain(`${s.word} Squad`);
        expect(audit).not.toMatch(markersOf(s.other()));
      }
    });

    it('nothing either workspace was ever shown names the other, and no call went out with a token of neither', () => {
      for (const s of [side.a, side.b]) {
        const seen = everythingSeenIn(s);
        expect(seen).toMatch(markersOf(s));
        expect(seen).toContain(s.secret);
        expect(seen).not.toContain(s.other().secret);
        const leaked = markersOf(s.other()).exec(seen);
        expect(leaked?.[0], leaked ? seen.slice(Math.max(0, leaked.index - 300), leaked.index + 100) : '').toBeUndefined();
      }
      expect(fake.calls.filter((c) => c.teamId !== ALPHA.teamId && c.teamId !== BRAVO.teamId && !['oauth.v2.access', 'file_upload'].includes(c.method)).map((c) => c.method)).toEqual([]);
    });
  });
}
