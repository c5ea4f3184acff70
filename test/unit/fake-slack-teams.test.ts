import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { fakeClient, slackError } from '../helpers/fake-slack-client.js';
import { appUninstalledEvent, blockAction, slackSender, type TeamContext, tokensRevokedEvent } from '../helpers/signed-request.js';

const SCOPES = ['chat:write', 'commands', 'users:read', 'users:read.email', 'im:write', 'files:write', 'team:read'];

const clientFor = (fake: FakeSlack, token?: string) => fakeClient(fake, token);

describe('fake Slack with several workspaces', () => {
  let fake: FakeSlack;
  let one: WebClient;
  let two: WebClient;

  beforeEach(async () => {
    fake = await startFakeSlack({ scopes: SCOPES });
    fake.addTeam({ teamId: 'T0002', teamName: 'Second', botToken: 'xoxb-second' });
    one = clientFor(fake, 'xoxb-test-token');
    two = clientFor(fake, 'xoxb-second');
  });
  afterEach(() => fake.close());

  it.each([
    ['xoxb-test-token', { team_id: 'T0001', team: 'Example', user_id: 'UBOT', is_enterprise_install: false }],
    ['xoxb-second', { team_id: 'T0002', team: 'Second', user_id: 'UBOT', is_enterprise_install: false }],
  ])('auth.test with %s answers its own team', async (token, expected) => {
    await expect(clientFor(fake, token).auth.test()).resolves.toMatchObject(expected);
  });

  it('keeps the same channel id apart in two teams: each post lands only in its own workspace', async () => {
    await one.chat.postMessage({ channel: 'C1', text: 'for the first team' });
    await two.chat.postMessage({ channel: 'C1', text: 'for the second team' });

    expect(fake.workspace.conversation('C1').map((m) => m.text)).toEqual(['for the first team']);
    expect(fake.workspaceOf('T0002').conversation('C1').map((m) => m.text)).toEqual(['for the second team']);
    expect(fake.workspaceOf('T0001')).toBe(fake.workspace);
    expect(fake.callsTo('chat.postMessage', 'T0002').map((c) => c.args.text)).toEqual(['for the second team']);
    expect(fake.callsTo('chat.postMessage').map((c) => c.teamId)).toEqual(['T0001', 'T0002']);
  });

  it('answers users.info with the people of the token’s team, even for the same user id', async () => {
    fake.addUser({ id: 'U1', real_name: 'Ana One' });
    fake.addUser({ id: 'U1', real_name: 'Ben Two' }, 'T0002');
    fake.addUser({ id: 'U9', real_name: 'Only In Two' }, 'T0002');

    await expect(one.users.info({ user: 'U1' })).resolves.toMatchObject({ user: { real_name: 'Ana One', team_id: 'T0001' } });
    await expect(two.users.info({ user: 'U1' })).resolves.toMatchObject({ user: { real_name: 'Ben Two', team_id: 'T0002' } });
    await expect(slackError(one.users.info({ user: 'U9' }))).resolves.toMatchObject({ error: 'user_not_found' });
  });

  it('keeps Home tabs and conversations the bot is not in per team', async () => {
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'second home' } }];
    await two.views.publish({ user_id: 'U1', view: { type: 'home', blocks } });
    expect(fake.workspaceOf('T0002').homeViews.get('U1')?.view.blocks).toEqual(blocks);
    expect(fake.workspace.homeViews.has('U1')).toBe(false);

    fake.team('T0002').channelsWithoutBot.add('C1');
    await expect(one.chat.postMessage({ channel: 'C1', text: 'still fine here' })).resolves.toMatchObject({ ok: true });
    await expect(slackError(two.chat.postMessage({ channel: 'C1', text: 'refused' }))).resolves.toMatchObject({ error: 'not_in_channel' });
  });

  it('does not let one team complete another team’s upload', async () => {
    const slot = await two.files.getUploadURLExternal({ filename: 'a.csv', length: 3 });
    await fetch(slot.upload_url!, { method: 'POST', body: 'a,b' });
    const error = await slackError(one.files.completeUploadExternal({ files: [{ id: slot.file_id! }] }));
    expect(error).toMatchObject({ error: 'file_not_found' });
    await expect(two.files.completeUploadExternal({ files: [{ id: slot.file_id! }] })).resolves.toMatchObject({ ok: true });
    expect([...fake.workspaceOf('T0002').files.keys()]).toEqual([slot.file_id]);
    expect(fake.workspace.files.size).toBe(0);
  });

  it('gives each team its own scopes', async () => {
    fake.addTeam({ teamId: 'T0003', botToken: 'xoxb-narrow', scopes: ['users:read'] });
    const error = await slackError(clientFor(fake, 'xoxb-narrow').chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(error).toMatchObject({ error: 'missing_scope', needed: 'chat:write', provided: 'users:read' });
    expect(fake.callsTo('chat.postMessage', 'T0003')[0]).toMatchObject({ ok: false, teamId: 'T0003' });
  });

  it('waitFor can wait for a call of one team', async () => {
    const waiting = fake.waitFor('chat.postMessage', undefined, 2000, { teamId: 'T0002' });
    await one.chat.postMessage({ channel: 'C1', text: 'first' });
    await two.chat.postMessage({ channel: 'C1', text: 'second' });
    await expect(waiting).resolves.toMatchObject({ teamId: 'T0002', args: { text: 'second' } });
    await expect(fake.waitFor('chat.postMessage', undefined, 20, { teamId: 'T0404' })).rejects.toThrow(/in team T0404[\s\S]*in T0002/);
  });

  it('lands response_url replies and modals opened with a trigger in the team they were made for', async () => {
    const url = fake.responseUrl(undefined, { channel: 'C1', userId: 'U1' }, 'T0002');
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'only you' }) });
    expect(fake.workspaceOf('T0002').conversation('C1').map((m) => [m.text, m.ephemeralTo])).toEqual([['only you', 'U1']]);
    expect(fake.workspace.conversation('C1')).toEqual([]);
    expect(fake.callsTo('response_url')[0]).toMatchObject({ teamId: 'T0002' });

    const trigger = fake.issueTrigger('U1', 'T0002');
    await two.views.open({ trigger_id: trigger, view: { type: 'modal', title: { type: 'plain_text', text: 'Hi' }, blocks: [] } });
    expect(fake.workspaceOf('T0002').topModal('U1')).toBeDefined();
    expect(fake.workspace.topModal('U1')).toBeUndefined();
  });

  it('with tokenTeam, accepts tokens of a pattern as their team and makes up its people', async () => {
    const bench = await startFakeSlack({ scopes: SCOPES, record: false, tokenTeam: (token) => /^xoxb-bench-(T\w+)$/.exec(token)?.[1] });
    try {
      const client = clientFor(bench, 'xoxb-bench-T0500');
      await expect(client.auth.test()).resolves.toMatchObject({ team_id: 'T0500' });
      await expect(client.users.info({ user: 'U77' })).resolves.toMatchObject({ user: { id: 'U77', team_id: 'T0500' } });
      await client.chat.postMessage({ channel: 'C1', text: 'board' });
      expect(bench.workspaceOf('T0500').conversation('C1')).toHaveLength(1);
      await expect(slackError(clientFor(bench, 'xoxb-other').auth.test())).resolves.toMatchObject({ error: 'invalid_auth' });
      // Not recording, but counted.
      expect(bench.calls).toEqual([]);
      expect(bench.count({ teamId: 'T0500' })).toBe(3);
      expect(bench.count({ method: 'chat.postMessage', status: 200 })).toBe(1);
      expect(bench.counts()).toContainEqual({ method: 'auth.test', teamId: '', status: 200, count: 1 });
    } finally {
      await bench.close();
    }
  });
});

describe('signed requests as another workspace', () => {
  let fake: FakeSlack;
  let app: App;
  let url: string;
  const seen: Record<string, unknown>[] = [];
  const secret = 'test-signing-secret';

  beforeEach(async () => {
    seen.length = 0;
    fake = await startFakeSlack({ scopes: SCOPES });
    const receiver = new HTTPReceiver({ signingSecret: secret, logLevel: LogLevel.ERROR });
    // authorize is called for each request with what Bolt read from the payload: the team and enterprise it came from.
    app = new App({
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl },
      authorize: async (source) => {
        seen.push({ ...source });
        return { botToken: 'xoxb-test-token', botUserId: 'UBOT', botId: 'B0001' };
      },
    });
    app.command('/sales', async ({ ack }) => ack());
    app.action('go', async ({ ack }) => ack());
    app.event('app_home_opened', async () => {});
    app.event('app_uninstalled', async ({ body }) => {
      seen.push({ uninstalled: body.team_id });
    });
    app.event('tokens_revoked', async ({ event, body }) => {
      seen.push({ revoked: body.team_id, bots: event.tokens.bot });
    });
    const server = (await app.start(0)) as { address(): AddressInfo };
    url = `http://127.0.0.1:${server.address().port}/slack/events`;
  });
  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it.each<[string, TeamContext, Record<string, unknown>]>([
    ['a workspace', { teamId: 'T0002' }, { teamId: 'T0002', isEnterpriseInstall: false }],
    ['a workspace of an org', { teamId: 'T0003', enterpriseId: 'E0001' }, { teamId: 'T0003', enterpriseId: 'E0001', isEnterpriseInstall: false }],
    ['an org-wide install', { teamId: 'T0004', enterpriseId: 'E0001', isEnterpriseInstall: true }, { enterpriseId: 'E0001', isEnterpriseInstall: true }],
  ])('commands, actions and events from %s reach Bolt with its team and enterprise', async (_name, team, expected) => {
    const sender = slackSender({ url, signingSecret: secret, ...team });
    expect((await sender.command({ command: '/sales' })).status).toBe(200);
    expect((await sender.interaction(blockAction({ ...sender.team, actionId: 'go' }))).status).toBe(200);
    expect((await sender.event({ type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home' })).status).toBe(200);
    expect(seen).toHaveLength(3);
    for (const source of seen) expect(source).toMatchObject(expected);
    // Outside an org Slack sends no enterprise (an empty enterprise_id in a command).
    if (!team.enterpriseId) for (const source of seen) expect(source.enterpriseId || undefined).toBeUndefined();
    // An org-wide install's event authorization names no workspace; Bolt falls back on the envelope's team_id.
    if (!team.isEnterpriseInstall) for (const source of seen) expect(source.teamId).toBe(team.teamId);
  });

  it('sends app_uninstalled and tokens_revoked as Slack documents them, handled without authorize', async () => {
    const sender = slackSender({ url, signingSecret: secret, teamId: 'T0002' });
    expect((await sender.event(appUninstalledEvent())).status).toBe(200);
    expect((await sender.event(tokensRevokedEvent({ bot: ['UBOT'] }))).status).toBe(200);
    await expect.poll(() => seen).toEqual([{ uninstalled: 'T0002' }, { revoked: 'T0002', bots: ['UBOT'] }]);
  });
});
