/**
 * OAuth mode end to end (issue 13, "Install and tokens"): the real Bolt app over HTTP with the three OAuth
 * settings, the fake Slack as slack.com (consent page, oauth.v2.access, the Web API), and a browser's requests as
 * a person makes them: /slack/install, Slack's consent, /slack/oauth_redirect with the state cookie. Then a signed
 * command from the installed workspace is answered with that workspace's token. Failed, cancelled and forged
 * installs store nothing; token rotation refreshes once across two bot processes; an Enterprise Grid org-wide
 * install serves the org's workspaces; a reinstall finds the data as it was.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { activities, slackInstallations, workspaces } from '../../src/db/schema/index.js';
import { fixedClock } from '../../src/lib/clock.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { capturedLogger, SIGNING_SECRET, TEST_ENCRYPTION_KEY } from '../helpers/harness.js';
import { freePort } from '../helpers/built.js';
import { slackSender, type SlackSender } from '../helpers/signed-request.js';

const CLIENT_ID = '1234567890.0987654321';
const CLIENT_SECRET = 'test-client-secret-abcdef';
const STATE_SECRET = 'test-state-secret-0123456789abcdef';
const ADMIN = 'U0ADMIN01';
const REP = 'U0REP0001';

interface Bot {
  bot: SalesPulseApp;
  baseUrl: string;
  logs: Record<string, unknown>[];
}

interface Browser {
  /** The cookies the bot set, as a browser keeps them. */
  cookie?: string;
}

describeEachDb('OAuth mode: installs and tokens', (getDb) => {
  let fake: FakeSlack | undefined;
  const bots: Bot[] = [];
  const extraConnections: Database[] = [];
  afterEach(async () => {
    for (const b of bots.splice(0)) await b.bot.stop(2000);
    for (const c of extraConnections.splice(0)) await c.close();
    await fake?.close();
    fake = undefined;
  });

  /** The fake Slack (with this app's OAuth credentials) and one bot in OAuth mode on a known port. */
  async function start(): Promise<{ fake: FakeSlack; first: Bot; clock: ReturnType<typeof fixedClock> }> {
    const port = await freePort();
    fake = await startFakeSlack({ scopes: manifestBotScopes(), oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `http://127.0.0.1:${port}/slack/oauth_redirect` } });
    const clock = fixedClock(new Date());
    const first = await startBot(getDb().database, clock, port);
    return { fake, first, clock };
  }

  async function startBot(database: Database, clock: ReturnType<typeof fixedClock>, port = 0): Promise<Bot> {
    const config = configSchema.parse({
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: STATE_SECRET,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake!.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'debug',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    const { logs, logger } = capturedLogger();
    const bot = buildApp({ config, database, clock, logger, clientOptions: { retryConfig: { retries: 0 } } });
    const started = await bot.start(port);
    const b = { bot, baseUrl: `http://127.0.0.1:${started.port}`, logs };
    bots.push(b);
    return b;
  }

  /** GET a page of the bot as a browser does: the cookies it holds go with it, the ones set are kept. */
  async function browse(bot: Bot, pathAndQuery: string, browser: Browser): Promise<{ status: number; html: string }> {
    const res = await fetch(`${bot.baseUrl}${pathAndQuery}`, { headers: browser.cookie ? { cookie: browser.cookie } : {}, redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) browser.cookie = setCookie.split(';')[0];
    return { status: res.status, html: await res.text() };
  }

  /** /slack/install: the page, and the Add to Slack link on it (Slack's authorize URL with its state). */
  async function openInstallPage(bot: Bot, browser: Browser): Promise<{ html: string; addToSlack: URL }> {
    const page = await browse(bot, '/slack/install', browser);
    expect(page.status).toBe(200);
    const href = /<a class="add" href="([^"]+)">Add to Slack<\/a>/.exec(page.html)?.[1];
    expect(href, page.html).toBeDefined();
    return { html: page.html, addToSlack: new URL(href!.replace(/&amp;/g, '&')) };
  }

  /** The browser coming back from Slack to the redirect URL it was given. */
  function comeBack(bot: Bot, redirect: string, browser: Browser) {
    const url = new URL(redirect);
    return browse(bot, `${url.pathname}${url.search}`, browser);
  }

  /** A whole install by a person: the page, Slack's consent, the way back. */
  async function install(bot: Bot, who: Parameters<FakeSlack['approve']>[1]): Promise<{ status: number; html: string }> {
    const browser: Browser = {};
    const { addToSlack } = await openInstallPage(bot, browser);
    return comeBack(bot, fake!.approve(addToSlack.toString(), who), browser);
  }

  function sender(bot: Bot, team: { teamId: string; enterpriseId?: string; isEnterpriseInstall?: boolean }): SlackSender {
    return slackSender({ url: `${bot.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, ...team, responseUrl: (id) => fake!.responseUrl(id, undefined, team.teamId) });
  }

  const installations = () => getDb().database.db.select().from(slackInstallations);
  const rawInstallations = () => getDb().database.rows<Record<string, unknown>>(sql`select * from slack_installations`);
  /** The access tokens the fake minted, in order (code exchanges and refreshes). */
  const mintedTokens = () => fake!.callsTo('oauth.v2.access').filter((c) => c.ok).map((c) => (c.response as { access_token: string }).access_token);
  const refreshCalls = () => fake!.callsTo('oauth.v2.access').filter((c) => (c.args as { grant_type?: string }).grant_type === 'refresh_token');

  it('install page → Slack → redirect stores the installation (no token readable); a command from that workspace is answered with its token', async () => {
    const { fake, first } = await start();
    const browser: Browser = {};
    const { html, addToSlack } = await openInstallPage(first, browser);
    expect(html).toContain('Add Sales Pulse to your Slack workspace');
    expect(addToSlack.origin + addToSlack.pathname).toBe(fake.authorizeUrl);
    expect(addToSlack.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(addToSlack.searchParams.get('scope')!.split(',')).toEqual(manifestBotScopes());
    const state = addToSlack.searchParams.get('state');
    expect(state).toBeTruthy();
    expect(browser.cookie).toBe(`slack-app-oauth-state=${state}`);
    expect(await installations()).toEqual([]);

    const done = await comeBack(first, fake.approve(addToSlack.toString(), { teamId: 'T0ACME001', teamName: 'Acme', userId: ADMIN }), browser);
    expect(done.status).toBe(200);
    expect(done.html).toContain('Sales Pulse is installed in <b>Acme</b>');
    expect(await installations()).toMatchObject([{ enterpriseId: '', teamId: 'T0ACME001', teamName: 'Acme', installerUserId: ADMIN, isEnterpriseInstall: false }]);
    expect(JSON.stringify(await rawInstallations())).not.toContain('xox');
    const [ws] = await getDb().database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0ACME001'));
    expect(ws).toMatchObject({ name: 'Acme', uninstalledAt: null });

    // A command from the new workspace: answered, and the bot's Web API calls carry that workspace's token.
    fake.addUser({ id: REP, name: 'rita', tz: 'Europe/London' }, 'T0ACME001');
    const acme = sender(first, { teamId: 'T0ACME001' });
    const res = await acme.command({ command: '/log-call', text: 'Globex x2 #connected', userId: REP });
    expect(res.status).toBe(200);
    expect((res.json() as { text: string }).text).toMatch(/^Logged 2 calls \(connected\) with Globex/);
    const opened = await acme.command({ command: '/log-call', userId: REP, triggerId: fake.issueTrigger(REP, 'T0ACME001') });
    expect(opened.status).toBe(200);
    const viewsOpen = await fake.waitFor('views.open', () => true, 5000, { teamId: 'T0ACME001' });
    expect(viewsOpen.ok).toBe(true);
    // Our own clients (the Home tab refresh after logging) use the same token.
    await fake.waitFor('views.publish', () => true, 5000, { teamId: 'T0ACME001' });
    expect(fake.calls.filter((c) => c.method !== 'oauth.v2.access' && c.method !== 'response_url' && c.teamId !== 'T0ACME001')).toEqual([]);
    const [row] = await getDb().database.db.select().from(activities);
    expect(row).toMatchObject({ teamId: 'T0ACME001', userId: REP, account: 'Globex' });
  });

  it('a bad or missing state is refused and nothing is stored', async () => {
    const { fake, first } = await start();
    // Approved at Slack, but the browser coming back is not the one that started (no cookie): refused.
    const started: Browser = {};
    const { addToSlack } = await openInstallPage(first, started);
    const approved = fake.approve(addToSlack.toString(), { teamId: 'T0ACME001', userId: ADMIN });
    const otherBrowser = await comeBack(first, approved, {});
    expect(otherBrowser.status).toBe(400);
    expect(otherBrowser.html).toContain('This install link is no longer valid');
    // A forged state, with a cookie to match: the signature does not hold.
    const forged = new URL(approved);
    forged.searchParams.set('state', 'forged-state');
    const forgedRes = await comeBack(first, forged.toString(), { cookie: 'slack-app-oauth-state=forged-state' });
    expect(forgedRes.status).toBe(400);
    // No state at all.
    const missing = new URL(approved);
    missing.searchParams.delete('state');
    expect((await comeBack(first, missing.toString(), started)).status).toBe(400);
    expect(await installations()).toEqual([]);
    expect(fake.callsTo('oauth.v2.access')).toEqual([]);
  });

  it('a failed install (oauth.v2.access refused) and a cancelled one show what happened and store nothing', async () => {
    const { fake, first } = await start();
    fake.failNext('oauth.v2.access', { error: 'invalid_code' });
    const failed = await install(first, { teamId: 'T0ACME001', userId: ADMIN });
    expect(failed.status).toBe(502);
    expect(failed.html).toContain('Slack did not complete the install');
    expect(failed.html).toContain('invalid_code');
    expect(failed.html).toContain('href="/slack/install"');

    const browser: Browser = {};
    const { addToSlack } = await openInstallPage(first, browser);
    const cancelled = await comeBack(first, fake.cancel(addToSlack.toString()), browser);
    expect(cancelled.status).toBe(200);
    expect(cancelled.html).toContain('You cancelled the install');
    expect(cancelled.html).toContain('nothing was stored');
    expect(await installations()).toEqual([]);
    expect(await getDb().database.db.select().from(workspaces)).toEqual([]);
  });

  it('token rotation: a token about to expire is refreshed once by two bot processes at the same time, and the new one is used after', async () => {
    const { fake, first, clock } = await start();
    const installed = await install(first, { teamId: 'T0ACME001', teamName: 'Acme', userId: ADMIN, tokenRotation: { expiresInSeconds: 43_200 } });
    expect(installed.status).toBe(200);
    expect(JSON.stringify(await rawInstallations())).not.toContain('xox');
    const [original] = mintedTokens();
    fake.addUser({ id: REP, tz: 'Europe/London' }, 'T0ACME001');

    // Slack's tokens live 12 hours: 11 h 50 min later this one is within the refresh margin (15 minutes).
    clock.advance(11 * 3600_000 + 50 * 60_000);
    const otherDb = openAnotherConnection(getDb());
    extraConnections.push(otherDb);
    const second = await startBot(otherDb, clock);
    const [a, b] = await Promise.all([
      sender(first, { teamId: 'T0ACME001' }).command({ command: '/log-call', text: 'Globex #connected', userId: REP }),
      sender(second, { teamId: 'T0ACME001' }).command({ command: '/log-call', text: 'Initech #connected', userId: REP }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((a.json() as { text: string }).text).toMatch(/^Logged 1 call/);
    expect((b.json() as { text: string }).text).toMatch(/^Logged 1 call/);
    expect(refreshCalls()).toHaveLength(1);
    const refreshed = mintedTokens()[1]!;
    expect(refreshed).not.toBe(original);
    expect(JSON.stringify(await rawInstallations())).not.toContain('xox');

    // The old token stops working: every process carries on with the new one, without refreshing again.
    fake.revokeToken(original!);
    fake.reset();
    for (const bot of [first, second]) {
      const res = await sender(bot, { teamId: 'T0ACME001' }).command({ command: '/log-call', userId: REP, triggerId: fake.issueTrigger(REP, 'T0ACME001') });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => fake.callsTo('views.open', 'T0ACME001').filter((c) => c.ok).length).toBe(2);
    expect(fake.callsTo('views.open').filter((c) => !c.ok)).toEqual([]);
    expect(refreshCalls()).toEqual([]);
  });

  it('Enterprise Grid: an org-wide install serves a command from a workspace of the org with the org token', async () => {
    const { fake, first } = await start();
    fake.addTeam({ teamId: 'T0ORGWS01', teamName: 'Org East', enterpriseId: 'E0ORG0001', enterpriseName: 'Big Org' });
    fake.addUser({ id: REP, tz: 'Europe/London' }, 'T0ORGWS01');
    const done = await install(first, { isEnterpriseInstall: true, enterpriseId: 'E0ORG0001', enterpriseName: 'Big Org', userId: ADMIN });
    expect(done.status).toBe(200);
    expect(done.html).toContain('your Enterprise Grid org <b>Big Org</b>');
    expect(await installations()).toMatchObject([{ enterpriseId: 'E0ORG0001', teamId: '', isEnterpriseInstall: true }]);

    const orgWs = sender(first, { teamId: 'T0ORGWS01', enterpriseId: 'E0ORG0001', isEnterpriseInstall: true });
    const res = await orgWs.command({ command: '/log-call', text: 'Globex #connected', userId: REP });
    expect((res.json() as { text: string }).text).toMatch(/^Logged 1 call/);
    const opened = await orgWs.command({ command: '/log-call', userId: REP, triggerId: fake.issueTrigger(REP, 'T0ORGWS01') });
    expect(opened.status).toBe(200);
    const viewsOpen = await fake.waitFor('views.open', () => true, 5000, { teamId: 'T0ORGWS01' });
    expect(viewsOpen.ok).toBe(true);
    // Work that starts from the workspace alone (scheduled posts, the Home tab) finds the org's token too.
    const client = await first.bot.deps.slack.reading('T0ORGWS01');
    expect(await client.auth.test()).toMatchObject({ ok: true, enterprise_id: 'E0ORG0001', is_enterprise_install: true });
    const [ws] = await getDb().database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0ORGWS01'));
    expect(ws).toMatchObject({ enterpriseId: 'E0ORG0001', uninstalledAt: null });
  });

  it('a reinstall after an uninstall finds everything as it was', async () => {
    const { fake, first } = await start();
    await install(first, { teamId: 'T0ACME001', teamName: 'Acme', userId: ADMIN });
    fake.addUser({ id: REP, tz: 'Europe/London' }, 'T0ACME001');
    await sender(first, { teamId: 'T0ACME001' }).command({ command: '/log-call', text: 'Globex x3 #connected', userId: REP });
    // Uninstalled: the token deleted and the workspace marked (what app_uninstalled does).
    const db = getDb().database.db;
    await db.delete(slackInstallations);
    await db.update(workspaces).set({ uninstalledAt: new Date() }).where(eq(workspaces.teamId, 'T0ACME001'));

    const again = await install(first, { teamId: 'T0ACME001', teamName: 'Acme', userId: ADMIN });
    expect(again.status).toBe(200);
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.teamId, 'T0ACME001'));
    expect(ws?.uninstalledAt).toBeNull();
    const res = await sender(first, { teamId: 'T0ACME001' }).command({ command: '/log-call', text: 'Globex #connected', userId: REP });
    // The three calls logged before the uninstall are still counted.
    expect((res.json() as { text: string }).text).toContain("That's 4 calls this week.");
  });
});
