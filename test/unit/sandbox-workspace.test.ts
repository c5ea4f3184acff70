/**
 * The sandbox's Web API against a Workspace, headless and without the bot: what an app posts, updates,
 * deletes, answers through a response_url, opens, pushes, publishes and uploads lands where a person in
 * Slack would see it; a saved workspace comes back after a restart; Block Kit past Slack's limits is refused
 * and leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestBotScopes } from '../../src/sandbox/method-reference.js';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.js';
import { Workspace } from '../../src/sandbox/workspace.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

const TOKEN = 'xoxb-sandbox-workspace-test';
const SALES = 'C0SALES01';
const ANA = 'U0ANA0001';
const BEN = 'U0BEN0001';

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName() {},
};

function clientFor(fake: FakeSlack): WebClient {
  return new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
}

/** The Slack error code a WebClient call was refused with. */
async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: { error?: string } }).data;
    if (data) return data.error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

/** POST a JSON body to a response_url, as an app's respond() does. */
async function respond(url: string, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

const texts = (messages: { text: string }[]) => messages.map((m) => m.text);
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (title: string, extra: Record<string, unknown> = {}) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [section(title)],
  ...extra,
});
const home = (text: string) => ({ type: 'home' as const, blocks: [section(text)] });

describe('the sandbox Web API writes the workspace people see', () => {
  let workspace: Workspace;
  let fake: FakeSlack;
  let client: WebClient;

  beforeEach(async () => {
    workspace = new Workspace();
    fake = await startFakeSlack({ botToken: TOKEN, scopes: manifestBotScopes(), workspace });
    client = clientFor(fake);
  });
  afterEach(() => fake.close());

  // -------------------------------------------------------------------------------------------
  // messages

  it('chat.postMessage lands in the channel for everyone, and to a user id in that person’s DM', async () => {
    const posted = await client.chat.postMessage({ channel: SALES, text: 'Weekly pulse' });
    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['Weekly pulse']);
    expect(texts(workspace.visibleMessages(SALES, BEN))).toEqual(['Weekly pulse']);
    expect(workspace.findMessage(SALES, posted.ts!)).toMatchObject({ user: 'UBOT', text: 'Weekly pulse' });

    const dm = await client.chat.postMessage({ channel: ANA, text: 'Your digest' });
    expect(dm.channel).toBe(`D${ANA}`);
    expect(texts(workspace.visibleMessages(`D${ANA}`, ANA))).toEqual(['Your digest']);
    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['Weekly pulse']);
  });

  it('a reply with thread_ts shows in the thread and its reply count, not in the channel', async () => {
    const parent = await client.chat.postMessage({ channel: SALES, text: 'Leaderboard' });
    await client.chat.postMessage({ channel: SALES, thread_ts: parent.ts!, text: 'Chart' });
    await client.chat.postMessage({ channel: SALES, thread_ts: parent.ts!, text: 'Details' });

    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['Leaderboard']);
    expect(texts(workspace.thread(SALES, parent.ts!, ANA))).toEqual(['Leaderboard', 'Chart', 'Details']);
    expect(workspace.replyCount(SALES, parent.ts!)).toBe(2);
  });

  it('chat.postEphemeral is shown only to that person', async () => {
    await client.chat.postEphemeral({ channel: SALES, user: ANA, text: 'Only for Ana' });
    expect(workspace.visibleMessages(SALES, ANA)).toMatchObject([{ text: 'Only for Ana', ephemeralTo: ANA }]);
    expect(workspace.visibleMessages(SALES, BEN)).toEqual([]);
  });

  it('chat.update changes what everyone sees (marked edited) and chat.delete removes it', async () => {
    const posted = await client.chat.postMessage({ channel: SALES, text: 'Draft board' });
    const updated = await client.chat.update({ channel: SALES, ts: posted.ts!, text: 'Final board', blocks: [section('*Final board*')] });
    expect(updated.ok).toBe(true);
    expect(workspace.visibleMessages(SALES, BEN)).toMatchObject([{ ts: posted.ts, text: 'Final board', blocks: [section('*Final board*')], edited: true }]);

    await client.chat.delete({ channel: SALES, ts: posted.ts! });
    expect(workspace.visibleMessages(SALES, BEN)).toEqual([]);
  });

  it('chat.update and chat.delete of a message that does not exist are refused message_not_found, as Slack does', async () => {
    expect(await refusal(client.chat.update({ channel: SALES, ts: '1700000000.000100', text: 'nothing to update' }))).toBe('message_not_found');
    expect(await refusal(client.chat.delete({ channel: SALES, ts: '1700000000.000100' }))).toBe('message_not_found');
    expect(workspace.visibleMessages(SALES, ANA)).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // response URLs

  it('a response_url with a context answers ephemerally to its person by default', async () => {
    const url = fake.responseUrl(undefined, { channel: SALES, userId: ANA });
    expect(await respond(url, { text: 'Logged 1 call' })).toEqual({ status: 200, text: 'ok' });
    expect(workspace.visibleMessages(SALES, ANA)).toMatchObject([{ text: 'Logged 1 call', ephemeralTo: ANA, user: 'UBOT' }]);
    expect(workspace.visibleMessages(SALES, BEN)).toEqual([]);
  });

  it('a response_url reply with response_type in_channel is shown to everyone', async () => {
    const url = fake.responseUrl(undefined, { channel: SALES, userId: ANA });
    await respond(url, { text: 'Leaderboard for everyone', response_type: 'in_channel' });
    expect(texts(workspace.visibleMessages(SALES, BEN))).toEqual(['Leaderboard for everyone']);
    expect(workspace.visibleMessages(SALES, BEN)[0]!.ephemeralTo).toBeUndefined();
  });

  it('replace_original replaces the message the action came from, and delete_original deletes it', async () => {
    const original = await client.chat.postEphemeral({ channel: SALES, user: ANA, text: 'Logged 1 call', blocks: [section('Logged 1 call')] });
    const replacing = fake.responseUrl(undefined, { channel: SALES, userId: ANA, messageTs: original.message_ts! });
    await respond(replacing, { replace_original: true, text: 'Undone: 1 call removed' });
    expect(workspace.visibleMessages(SALES, ANA)).toMatchObject([{ ts: original.message_ts, text: 'Undone: 1 call removed' }]);
    expect(workspace.visibleMessages(SALES, ANA)).toHaveLength(1);

    const board = await client.chat.postMessage({ channel: SALES, text: 'Board' });
    const deleting = fake.responseUrl(undefined, { channel: SALES, userId: BEN, messageTs: board.ts! });
    expect((await respond(deleting, { delete_original: true })).status).toBe(200);
    expect(workspace.findMessage(SALES, board.ts!)).toBeUndefined();
    expect(texts(workspace.visibleMessages(SALES, BEN))).toEqual([]);
  });

  it('a response_url works five times; the sixth use is 404 expired_url and shows nothing', async () => {
    const url = fake.responseUrl(undefined, { channel: SALES, userId: ANA });
    const answers = [];
    for (let i = 1; i <= 6; i++) answers.push(await respond(url, { text: `reply ${i}` }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 404]);
    expect(answers[5]!.text).toBe('expired_url');
    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4', 'reply 5']);
  });

  // -------------------------------------------------------------------------------------------
  // modals and the Home tab

  it('views.open with a trigger issued for a person opens the modal for that person only', async () => {
    const trigger = fake.issueTrigger(ANA);
    const opened = await client.views.open({ trigger_id: trigger, view: modal('Log activity') });
    expect(workspace.topModal(ANA)).toMatchObject({ id: opened.view!.id, userId: ANA, previousViewId: null, view: { title: { text: 'Log activity' } } });
    expect(workspace.topModal(BEN)).toBeUndefined();
  });

  it('a trigger used twice is exchanged_trigger_id, and the modal stays as the first use opened it', async () => {
    const trigger = fake.issueTrigger(ANA);
    const first = await client.views.open({ trigger_id: trigger, view: modal('First') });
    expect(await refusal(client.views.open({ trigger_id: trigger, view: modal('Second') }))).toBe('exchanged_trigger_id');
    expect(workspace.topModal(ANA)?.id).toBe(first.view!.id);
    expect(workspace.modals.get(ANA)).toHaveLength(1);
  });

  it('a trigger older than 3 seconds is expired_trigger_id and opens nothing', async () => {
    const trigger = fake.issueTrigger(ANA);
    const issued = workspace.triggers.get(trigger)!;
    // Issued with 3 seconds to live; move its expiry into the past as 3 s going by would.
    expect(issued.expiresAt - Date.now()).toBeLessThanOrEqual(3_000);
    expect(issued.expiresAt - Date.now()).toBeGreaterThan(2_000);
    issued.expiresAt = Date.now() - 1;
    expect(await refusal(client.views.open({ trigger_id: trigger, view: modal('Too late') }))).toBe('expired_trigger_id');
    expect(workspace.topModal(ANA)).toBeUndefined();
  });

  it('views.push stacks a modal on the one open, with previous_view_id and the same root', async () => {
    const root = await client.views.open({ trigger_id: fake.issueTrigger(ANA), view: modal('Log activity') });
    const pushed = await client.views.push({ trigger_id: fake.issueTrigger(ANA), view: modal('Add contact') });
    expect(pushed.view).toMatchObject({ previous_view_id: root.view!.id, root_view_id: root.view!.id });
    expect(workspace.modals.get(ANA)!.map((v) => v.view.title.text)).toEqual(['Log activity', 'Add contact']);
    expect(workspace.topModal(ANA)).toMatchObject({ id: pushed.view!.id, previousViewId: root.view!.id, rootViewId: root.view!.id });
  });

  it('views.update by view_id replaces the stored view; a stale hash is hash_conflict and changes nothing', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTrigger(ANA), view: modal('Log call') });
    const staleHash = opened.view!.hash!;
    const updated = await client.views.update({ view_id: opened.view!.id!, hash: staleHash, view: modal('Log email') });
    expect(updated.view!.id).toBe(opened.view!.id);
    expect(updated.view!.hash).not.toBe(staleHash);
    expect(workspace.topModal(ANA)).toMatchObject({ id: opened.view!.id, hash: updated.view!.hash, view: { title: { text: 'Log email' } } });

    expect(await refusal(client.views.update({ view_id: opened.view!.id!, hash: staleHash, view: modal('Log demo') }))).toBe('hash_conflict');
    expect(workspace.topModal(ANA)!.view.title.text).toBe('Log email');
  });

  it('views.update of a view that was never opened is refused not_found, as Slack does', async () => {
    expect(await refusal(client.views.update({ view_id: 'V0NOSUCHVIEW', view: modal('Nowhere') }))).toBe('not_found');
  });

  it('views.publish sets that person’s Home tab, and a second publish replaces it under the same id', async () => {
    const first = await client.views.publish({ user_id: ANA, view: home('Ana, this week') });
    expect(workspace.homeViews.get(ANA)).toMatchObject({ id: first.view!.id, userId: ANA, view: { type: 'home', blocks: [section('Ana, this week')] } });
    expect(workspace.homeViews.get(BEN)).toBeUndefined();

    const second = await client.views.publish({ user_id: ANA, view: home('Ana, updated') });
    expect(second.view!.id).toBe(first.view!.id);
    expect(workspace.homeViews.get(ANA)!.view.blocks).toEqual([section('Ana, updated')]);
  });

  // -------------------------------------------------------------------------------------------
  // files

  it('files.uploadV2 into a thread lands as a message with the file in that thread, bytes kept', async () => {
    const parent = await client.chat.postMessage({ channel: SALES, text: 'Leaderboard' });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await client.files.uploadV2({ channel_id: SALES, thread_ts: parent.ts!, file: bytes, filename: 'x.png' });

    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['Leaderboard']);
    const thread = workspace.thread(SALES, parent.ts!, ANA);
    expect(thread).toHaveLength(2);
    const [file] = thread[1]!.files!;
    expect(file).toMatchObject({ name: 'x.png', mimetype: 'image/png', size: bytes.length });
    expect(workspace.replyCount(SALES, parent.ts!)).toBe(1);
    expect(Buffer.compare(workspace.readFile(file!.id)!, bytes)).toBe(0);
  });

  // -------------------------------------------------------------------------------------------
  // Block Kit limits

  it('a message of 51 blocks is invalid_blocks and nothing is stored, in the channel or through a response_url', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    expect(await refusal(client.chat.postMessage({ channel: SALES, text: 'too long', blocks }))).toBe('invalid_blocks');
    expect(await refusal(client.chat.postEphemeral({ channel: SALES, user: ANA, text: 'too long', blocks }))).toBe('invalid_blocks');
    const url = fake.responseUrl(undefined, { channel: SALES, userId: ANA });
    expect(await respond(url, { text: 'too long', blocks })).toEqual({ status: 400, text: 'invalid_blocks' });
    expect(workspace.messages.get(SALES) ?? []).toEqual([]);

    const fifty = blocks.slice(0, 50);
    await client.chat.postMessage({ channel: SALES, text: 'just fits', blocks: fifty });
    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['just fits']);
  });

  it('a Home tab of 101 blocks is refused and the Home tab stays as it was', async () => {
    await client.views.publish({ user_id: ANA, view: home('Ana, this week') });
    const tooMany = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    expect(await refusal(client.views.publish({ user_id: ANA, view: tooMany }))).toBe('invalid_arguments');
    expect(workspace.homeViews.get(ANA)!.view.blocks).toEqual([section('Ana, this week')]);
  });
});

describe('the sandbox Web API options', () => {
  const fakes: FakeSlack[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  async function start(options: Omit<Parameters<typeof startFakeSlack>[0], 'scopes' | 'botToken'>): Promise<{ fake: FakeSlack; client: WebClient }> {
    const fake = await startFakeSlack({ botToken: TOKEN, scopes: manifestBotScopes(), ...options });
    fakes.push(fake);
    return { fake, client: clientFor(fake) };
  }

  it('message timestamps follow the injected clock, and keep increasing within one instant', async () => {
    const at = new Date('2026-11-27T15:00:00Z');
    const { client } = await start({ clock: { now: () => at } });
    const first = await client.chat.postMessage({ channel: SALES, text: 'one' });
    const second = await client.chat.postMessage({ channel: SALES, text: 'two' });
    expect(first.ts).toBe(`${at.getTime() / 1000}.000000`);
    expect(second.ts).toBe(`${at.getTime() / 1000}.000100`);
  });

  it('record: false keeps no calls, while the workspace still gets the messages', async () => {
    const workspace = new Workspace();
    const { fake, client } = await start({ workspace, record: false });
    await client.chat.postMessage({ channel: SALES, text: 'not recorded' });
    await respond(fake.responseUrl(undefined, { channel: SALES, userId: ANA }), { text: 'also not recorded' });
    expect(fake.calls).toEqual([]);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
    expect(texts(workspace.visibleMessages(SALES, ANA))).toEqual(['not recorded', 'also not recorded']);
  });

  describe('a workspace saved to a directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-workspace-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('comes back with its messages, threads, files and Home tabs; new timestamps follow the stored ones', async () => {
      // The first run's clock is a year ahead (as a person can move the sandbox clock); the second's is not.
      const ahead = new Date(Date.now() + 365 * 86_400_000);
      const saved = new Workspace(dir);
      const first = await start({ workspace: saved, clock: { now: () => ahead } });
      const parent = await first.client.chat.postMessage({ channel: SALES, text: 'Leaderboard' });
      const bytes = Buffer.from('\x89PNG chart');
      await first.client.files.uploadV2({ channel_id: SALES, thread_ts: parent.ts!, file: bytes, filename: 'chart.png' });
      await first.client.chat.postEphemeral({ channel: SALES, user: ANA, text: 'Logged 1 call' });
      await first.client.views.publish({ user_id: ANA, view: home('Ana, this week') });
      const stored = saved.latestTs()!;
      saved.save();
      await first.fake.close();
      fakes.splice(fakes.indexOf(first.fake), 1);

      const reopened = new Workspace(dir);
      expect(texts(reopened.visibleMessages(SALES, ANA))).toEqual(['Leaderboard', 'Logged 1 call']);
      expect(texts(reopened.visibleMessages(SALES, BEN))).toEqual(['Leaderboard']);
      expect(reopened.replyCount(SALES, parent.ts!)).toBe(1);
      const file = reopened.thread(SALES, parent.ts!, BEN)[1]!.files![0]!;
      expect(file).toMatchObject({ name: 'chart.png', mimetype: 'image/png' });
      expect(Buffer.compare(reopened.readFile(file.id)!, bytes)).toBe(0);
      expect(reopened.homeViews.get(ANA)).toMatchObject({ userId: ANA, view: { blocks: [section('Ana, this week')] } });

      const second = await start({ workspace: reopened });
      const later = await second.client.chat.postMessage({ channel: SALES, text: 'After the restart' });
      expect(Number(later.ts)).toBeGreaterThan(Number(stored));
      expect(texts(reopened.visibleMessages(SALES, BEN)).at(-1)).toBe('After the restart');
      // The Home tab keeps its id: publishing again replaces it rather than adding another.
      const republished = await second.client.views.publish({ user_id: ANA, view: home('Ana, next week') });
      expect(republished.view!.id).toBe(reopened.homeViews.get(ANA)!.id);
      expect(reopened.homeViews.size).toBe(1);
    });
  });
});
