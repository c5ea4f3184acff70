import type { IncomingMessage, ServerResponse } from 'node:http';
import { InstallProvider, type Installation, type InstallationQuery } from '@slack/oauth';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { fakeClient, silentLogger, slackError } from '../helpers/fake-slack-client.js';

const SCOPES = ['chat:write', 'commands', 'users:read'];
const APP = { clientId: '111.222', clientSecret: 'shh-secret', redirectUri: 'https://bot.example/slack/oauth_redirect' };

const clientFor = (fake: FakeSlack, token?: string) => fakeClient(fake, token);

describe('fake Slack OAuth', () => {
  let fake: FakeSlack;
  let anonymous: WebClient;
  const clock = fixedClock('2026-03-02T09:00:00Z');

  beforeEach(async () => {
    clock.set('2026-03-02T09:00:00Z');
    fake = await startFakeSlack({ scopes: SCOPES, oauth: APP, clock });
    anonymous = clientFor(fake);
  });
  afterEach(() => fake.close());

  const exchange = (args: Record<string, string>) =>
    anonymous.oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, ...args } as never);

  it('exchanges a code for a bot token of the installing workspace, which then acts there', async () => {
    const code = fake.authorizeInstall({ teamId: 'T0042', teamName: 'Acme', userId: 'U0ADMIN', scopes: ['chat:write', 'users:read'] });
    const answer = await exchange({ code });
    expect(answer).toMatchObject({
      ok: true,
      app_id: 'A123456',
      authed_user: { id: 'U0ADMIN' },
      scope: 'chat:write,users:read',
      token_type: 'bot',
      bot_user_id: 'UBOT',
      team: { id: 'T0042', name: 'Acme' },
      enterprise: null,
      is_enterprise_install: false,
    });
    expect(answer.access_token).toMatch(/^xoxb-/);
    expect(answer).not.toHaveProperty('refresh_token');

    const bot = clientFor(fake, answer.access_token);
    await expect(bot.auth.test()).resolves.toMatchObject({ team_id: 'T0042', team: 'Acme', user_id: 'UBOT' });
    await bot.chat.postMessage({ channel: 'C1', text: 'hello Acme' });
    expect(fake.workspaceOf('T0042').conversation('C1').map((m) => m.text)).toEqual(['hello Acme']);
    expect(fake.workspace.conversation('C1')).toEqual([]);
    expect(fake.callsTo('oauth.v2.access')).toHaveLength(1);
    expect(fake.callsTo('oauth.v2.access')[0]).toMatchObject({ ok: true, teamId: 'T0042' });
  });

  it('takes the client credentials as HTTP Basic auth too', async () => {
    const code = fake.authorizeInstall({ teamId: 'T0042', userId: 'U0ADMIN' });
    const response = await fetch(`${fake.apiUrl}oauth.v2.access`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${APP.clientId}:${APP.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ code }).toString(),
    });
    await expect(response.json()).resolves.toMatchObject({ ok: true, team: { id: 'T0042' } });
  });

  it.each([
    ['an unknown client id', { client_id: '999.999' }, 'invalid_client_id'],
    ['a wrong client secret', { client_secret: 'guess' }, 'bad_client_secret'],
    ['an unknown code', { code: 'made-up' }, 'invalid_code'],
    ['another redirect_uri than the authorize request named', { redirect_uri: 'https://evil.example/cb' }, 'bad_redirect_uri'],
    ['an unknown grant type', { grant_type: 'password' }, 'invalid_grant_type'],
  ])('refuses %s (%s)', async (_name, override, error) => {
    const code = fake.authorizeInstall({ teamId: 'T0042', userId: 'U0ADMIN', redirectUri: APP.redirectUri });
    await expect(slackError(exchange({ code, redirect_uri: APP.redirectUri, ...override }))).resolves.toMatchObject({ ok: false, error });
    expect(fake.callsTo('oauth.v2.access')[0]).toMatchObject({ ok: false, error });
  });

  it('refuses a code used twice, and one older than ten minutes', async () => {
    const code = fake.authorizeInstall({ teamId: 'T0042', userId: 'U0ADMIN' });
    await expect(exchange({ code })).resolves.toMatchObject({ ok: true });
    await expect(slackError(exchange({ code }))).resolves.toMatchObject({ error: 'invalid_code' });

    const late = fake.authorizeInstall({ teamId: 'T0043', userId: 'U0ADMIN' });
    clock.advance(11 * 60_000);
    await expect(slackError(exchange({ code: late }))).resolves.toMatchObject({ error: 'invalid_code' });
    expect(fake.count({ method: 'oauth.v2.access' })).toBe(3);
  });

  it('answers an org-wide install with team null, and its token acts in every workspace of the org', async () => {
    fake.addTeam({ teamId: 'T0101', enterpriseId: 'E0001' });
    fake.addTeam({ teamId: 'T0102', enterpriseId: 'E0001' });
    fake.addTeam({ teamId: 'T0201', enterpriseId: 'E0002' });
    fake.addUser({ id: 'W1', real_name: 'In 102' }, 'T0102');
    const code = fake.authorizeInstall({ enterpriseId: 'E0001', enterpriseName: 'Starship', isEnterpriseInstall: true, userId: 'W0ADMIN' });
    const answer = await exchange({ code });
    expect(answer).toMatchObject({ team: null, enterprise: { id: 'E0001', name: 'Starship' }, is_enterprise_install: true });

    const org = clientFor(fake, answer.access_token);
    await expect(org.auth.test()).resolves.toMatchObject({ team_id: 'E0001', enterprise_id: 'E0001', is_enterprise_install: true });
    await org.chat.postMessage({ channel: 'C1', text: 'to 101', team_id: 'T0101' } as never);
    await org.chat.postMessage({ channel: 'C1', text: 'to 102', team_id: 'T0102' } as never);
    expect(fake.workspaceOf('T0101').conversation('C1').map((m) => m.text)).toEqual(['to 101']);
    expect(fake.workspaceOf('T0102').conversation('C1').map((m) => m.text)).toEqual(['to 102']);
    expect(fake.callsTo('chat.postMessage').map((c) => c.teamId)).toEqual(['T0101', 'T0102']);
    await expect(org.users.info({ user: 'W1' })).resolves.toMatchObject({ user: { real_name: 'In 102' } });
    // Not a workspace of its org.
    const error = await slackError(org.chat.postMessage({ channel: 'C1', text: 'no', team_id: 'T0201' } as never));
    expect(error).toMatchObject({ error: 'team_access_not_granted' });
  });

  it('with token rotation, refreshes to a new pair; the spent refresh token is refused and an expired token too', async () => {
    const code = fake.authorizeInstall({ teamId: 'T0042', userId: 'U0ADMIN', tokenRotation: { expiresInSeconds: 3600 } });
    const first = await exchange({ code });
    expect(first).toMatchObject({ ok: true, expires_in: 3600, team: { id: 'T0042' } });
    expect(first.access_token).toMatch(/^xoxe\.xoxb-/);
    expect(first.refresh_token).toMatch(/^xoxe-1-/);

    clock.advance(50 * 60_000);
    const second = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token! });
    expect(second).toMatchObject({ ok: true, expires_in: 3600, token_type: 'bot', team: { id: 'T0042' } });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(slackError(exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token! }))).resolves.toMatchObject({
      error: 'invalid_refresh_token',
    });

    // The replaced token works until its own expiry; then only the new one does.
    await expect(clientFor(fake, first.access_token).auth.test()).resolves.toMatchObject({ team_id: 'T0042' });
    clock.advance(11 * 60_000);
    await expect(slackError(clientFor(fake, first.access_token).auth.test())).resolves.toMatchObject({ error: 'token_expired' });
    await expect(clientFor(fake, second.access_token).auth.test()).resolves.toMatchObject({ team_id: 'T0042' });
    clock.advance(60 * 60_000);
    await expect(slackError(clientFor(fake, second.access_token).chat.postMessage({ channel: 'C1', text: 'x' }))).resolves.toMatchObject({
      error: 'token_expired',
    });
  });

  it('revokes: revokeTeam and auth.revoke make tokens fail with token_revoked, and end refreshing', async () => {
    const tokenOf = async (teamId: string, rotation = false) =>
      exchange({ code: fake.authorizeInstall({ teamId, userId: 'U0ADMIN', ...(rotation ? { tokenRotation: {} } : {}) }) });
    const a = await tokenOf('T0001A', true);
    const b = await tokenOf('T0001B');

    fake.revokeTeam('T0001A');
    await expect(slackError(clientFor(fake, a.access_token).auth.test())).resolves.toMatchObject({ error: 'token_revoked' });
    await expect(slackError(exchange({ grant_type: 'refresh_token', refresh_token: a.refresh_token! }))).resolves.toMatchObject({
      error: 'invalid_refresh_token',
    });
    await expect(clientFor(fake, b.access_token).auth.test()).resolves.toMatchObject({ team_id: 'T0001B' });

    const bClient = clientFor(fake, b.access_token);
    await expect(bClient.auth.revoke({ test: true })).resolves.toMatchObject({ ok: true, revoked: false });
    await expect(bClient.auth.test()).resolves.toMatchObject({ ok: true });
    await expect(bClient.auth.revoke()).resolves.toMatchObject({ ok: true, revoked: true });
    await expect(slackError(bClient.auth.test())).resolves.toMatchObject({ error: 'token_revoked' });

    // A reinstall mints a token that works again.
    const again = await tokenOf('T0001A');
    await expect(clientFor(fake, again.access_token).auth.test()).resolves.toMatchObject({ team_id: 'T0001A' });
  });

  it('walks the browser side: approve sends the person back with a code and the state, cancel with access_denied', async () => {
    const authorize = `${fake.authorizeUrl}?client_id=${APP.clientId}&scope=chat:write,commands&state=st-123&redirect_uri=${encodeURIComponent(APP.redirectUri)}`;
    const approved = new URL(fake.approve(authorize, { teamId: 'T0042', userId: 'U0ADMIN' }));
    expect(`${approved.origin}${approved.pathname}`).toBe(APP.redirectUri);
    expect(approved.searchParams.get('state')).toBe('st-123');
    const answer = await exchange({ code: approved.searchParams.get('code')!, redirect_uri: APP.redirectUri });
    expect(answer).toMatchObject({ ok: true, scope: 'chat:write,commands', team: { id: 'T0042' } });

    const cancelled = new URL(fake.cancel(authorize));
    expect(Object.fromEntries(cancelled.searchParams)).toEqual({ error: 'access_denied', state: 'st-123' });
    expect(() => fake.approve(authorize.replace(APP.clientId, '0.0'), { teamId: 'T0042', userId: 'U0ADMIN' })).toThrow(/client_id/);
    expect((await fetch(authorize)).status).toBe(200);
  });
});

describe('fake Slack OAuth with @slack/oauth', () => {
  let fake: FakeSlack;
  afterEach(() => fake.close());

  /** What @slack/oauth's callback handler does with a redirect back from Slack, with a store in memory. */
  async function install(url: string, installer: InstallProvider): Promise<{ status: number }> {
    const res = { statusCode: 0, setHeader() {}, writeHead(code: number) { res.statusCode = code; }, end() {} };
    await installer.handleCallback(
      { url: new URL(url).pathname + new URL(url).search, headers: {} } as unknown as IncomingMessage,
      res as unknown as ServerResponse,
      undefined,
      { scopes: SCOPES, redirectUri: APP.redirectUri },
    );
    return { status: res.statusCode };
  }

  it.each<[string, { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }, InstallationQuery<boolean>]>([
    ['a workspace', { teamId: 'T0042' }, { teamId: 'T0042', enterpriseId: undefined, isEnterpriseInstall: false }],
    ['an org-wide install', { enterpriseId: 'E0001', isEnterpriseInstall: true }, { teamId: undefined, enterpriseId: 'E0001', isEnterpriseInstall: true }],
  ])('installs %s, stores a working token, and refreshes it when rotating', async (_name, who, query) => {
    fake = await startFakeSlack({ scopes: SCOPES, oauth: APP });
    const stored = new Map<string, Installation>();
    const keyOf = (q: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }) => (q.isEnterpriseInstall ? q.enterpriseId! : q.teamId!);
    const installer = new InstallProvider({
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      stateVerification: false,
      authorizationUrl: fake.authorizeUrl,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logger: silentLogger,
      installationStore: {
        storeInstallation: async (installation) => {
          stored.set(installation.isEnterpriseInstall ? installation.enterprise!.id : installation.team!.id, installation);
        },
        fetchInstallation: async (q: InstallationQuery<boolean>) => stored.get(keyOf(q))!,
      },
    });
    const authorizeUrl = await installer.generateInstallUrl({ scopes: SCOPES, redirectUri: APP.redirectUri }, false);
    expect(authorizeUrl.startsWith(fake.authorizeUrl)).toBe(true);

    const back = fake.approve(authorizeUrl, { ...who, userId: 'U0ADMIN', tokenRotation: { expiresInSeconds: 600 } });
    expect((await install(back, installer)).status).toBe(200);
    const installation = stored.get(keyOf(query))!;
    expect(installation).toMatchObject({ isEnterpriseInstall: query.isEnterpriseInstall, bot: { userId: 'UBOT', id: 'B0001' } });
    const installedToken = installation.bot!.token;
    await expect(clientFor(fake, installedToken).auth.test()).resolves.toMatchObject({ ok: true });

    // Expiring within @slack/oauth's two-hour window: authorize refreshes it through oauth.v2.access.
    const authorized = await installer.authorize(query);
    expect(authorized.botToken).not.toBe(installedToken);
    expect(stored.get(keyOf(query))!.bot!.token).toBe(authorized.botToken);
    await expect(clientFor(fake, authorized.botToken).auth.test()).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('oauth.v2.access').map((c) => c.args.grant_type ?? 'authorization_code')).toEqual(['authorization_code', 'refresh_token']);
  });

  it('a cancelled install reaches the callback as access_denied and stores nothing', async () => {
    fake = await startFakeSlack({ scopes: SCOPES, oauth: APP });
    const installer = new InstallProvider({
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      stateVerification: false,
      authorizationUrl: fake.authorizeUrl,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logger: silentLogger,
    });
    const authorizeUrl = await installer.generateInstallUrl({ scopes: SCOPES, redirectUri: APP.redirectUri }, false);
    let failure: Error | undefined;
    const res = { setHeader() {}, writeHead() {}, end() {} } as unknown as ServerResponse;
    await installer.handleCallback(
      { url: new URL(fake.cancel(authorizeUrl)).search.replace(/^/, '/cb'), headers: {} } as unknown as IncomingMessage,
      res,
      { failure: (error) => void (failure = error) },
    );
    expect(failure?.message).toMatch(/cancelled/i);
    expect(fake.callsTo('oauth.v2.access')).toEqual([]);
  });
});
