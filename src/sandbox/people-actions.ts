/**
 * What a person does on the sandbox page, sent to the bot as Slack sends it: slash commands (escaped as
 * `should_escape` asks), button clicks and select changes in messages, the Home tab and modals, modal
 * submissions and closes, App Home opens, global shortcuts. Every request is signed with the sandbox's
 * signing secret and goes to the bot's /slack/events; what the bot answers in the HTTP response (a
 * command's ack body, a submission's response_action) is shown the way Slack shows it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../lib/clock.js';
import { actionPayload, viewStateValues, withSuggestedOptions, type FormInput } from './render/index.js';
import { dmChannelId, SANDBOX_BOT, SANDBOX_TEAM_DOMAIN, SANDBOX_TEAM_ID, type SandboxChannel } from './people.js';
import type { FakeUser } from './fake-users.js';
import type { FakeSlack } from './slack-api.js';
import { signSlackRequest } from './slack-requests.js';
import type { StoredMessage, StoredView } from './workspace.js';
import type { Json } from './json-args.js';


/** Slack gives an app 3 seconds to answer a request. */
export const SLACK_ACK_TIMEOUT_MS = 3_000;
/** Slackbot's user id: who says "that command failed" in Slack. */
export const SLACKBOT_ID = 'USLACKBOT';
/** A person's plain messages: at most this long, as Slack's composer allows. */
const MAX_MESSAGE_LENGTH = 40_000;

export interface ManifestCommand {
  command: string;
  description: string;
  usage_hint?: string;
  should_escape?: boolean;
}

export interface ManifestShortcut {
  name: string;
  callback_id: string;
  description: string;
  type: string;
}

export interface PeopleActionsOptions {
  slack: FakeSlack;
  /** The bot's /slack/events, once it listens (the page is served before the bot is ready). */
  botUrl: () => Promise<string>;
  signingSecret: string;
  commands: ManifestCommand[];
  shortcuts: ManifestShortcut[];
  channels: readonly SandboxChannel[];
  clock: Clock;
  logger: Logger;
}

/** Thrown for a request the page should not have sent (unknown person, view or message). */
export class SandboxRequestError extends Error {}

interface BotAnswer {
  status: number;
  body: string;
  /** Set when the bot did not answer within Slack's 3 seconds, or could not be reached. */
  failure?: 'operation_timeout' | 'dispatch_failed';
}

export class PeopleActions {
  private sequence = 0;

  constructor(private readonly opts: PeopleActionsOptions) {}

  private get workspace() {
    return this.opts.slack.workspace;
  }

  person(userId: string): FakeUser {
    const user = this.opts.slack.users.get(userId);
    if (!user) throw new SandboxRequestError(`No person ${userId} in the sandbox`);
    return user;
  }

  private channelName(channel: string): string {
    return this.opts.channels.find((c) => c.id === channel)?.name ?? 'directmessage';
  }

  private actionTs(): string {
    const micros = Date.now() * 1000 + (++this.sequence % 1000);
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private userObject(user: FakeUser) {
    return { id: user.id, username: user.name, name: user.name, team_id: SANDBOX_TEAM_ID };
  }

  /** POST a signed request to the bot, as Slack does, with Slack's 3-second deadline. */
  private async send(body: string, contentType: string): Promise<BotAnswer> {
    const url = await this.opts.botUrl();
    const headers = { 'content-type': contentType, ...signSlackRequest(this.opts.signingSecret, body) };
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(SLACK_ACK_TIMEOUT_MS) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      this.opts.logger.warn({ err: error }, timedOut ? 'the bot did not answer within 3 seconds' : 'the bot could not be reached');
      return { status: 0, body: '', failure: timedOut ? 'operation_timeout' : 'dispatch_failed' };
    }
  }

  private interaction(payload: object): Promise<BotAnswer> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }

  /** Slackbot tells one person something (a failed command, an unknown one), as Slack does. */
  private slackbotSays(channel: string, userId: string, text: string): void {
    this.workspace.addMessage({ channel, ts: this.nextTs(), user: SLACKBOT_ID, text, ephemeralTo: userId });
  }

  private nextTs(): string {
    // One sequence with the Web API's: never behind a message already shown, never the same ts twice.
    return this.opts.slack.nextTs();
  }

  // -------------------------------------------------------------------------------------------
  // the composer

  /** A plain message from a person (the bot does not listen to messages; it is there to make the page feel real). */
  postMessage(userId: string, channel: string, text: string, threadTs?: string): StoredMessage {
    this.person(userId);
    const trimmed = text.trim();
    if (!trimmed) throw new SandboxRequestError('An empty message is not sent');
    return this.workspace.addMessage({
      channel,
      ts: this.nextTs(),
      user: userId,
      text: escapeForSlack(trimmed.slice(0, MAX_MESSAGE_LENGTH)),
      ...(threadTs ? { threadTs } : {}),
    });
  }

  /** `/command text` typed by `userId` in `channel`. */
  async command(userId: string, channel: string, input: string): Promise<void> {
    const user = this.person(userId);
    const match = /^(\/[^\s]+)\s*([\s\S]*)$/.exec(input.trim());
    if (!match) throw new SandboxRequestError('A slash command starts with /');
    const [, name, rawText] = match as unknown as [string, string, string];
    const command = this.opts.commands.find((c) => c.command === name.toLowerCase());
    if (!command) {
      this.slackbotSays(
        channel,
        userId,
        `\`${escapeForSlack(name)}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`,
      );
      return;
    }
    const text = command.should_escape ? this.escapeCommandText(rawText) : rawText;
    const responseUrl = this.opts.slack.responseUrl(undefined, { channel, userId, command: command.command });
    const body = new URLSearchParams({
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM_ID,
      team_domain: SANDBOX_TEAM_DOMAIN,
      channel_id: channel,
      channel_name: this.channelName(channel),
      user_id: user.id,
      user_name: user.name,
      command: command.command,
      text,
      api_app_id: SANDBOX_BOT.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: this.opts.slack.issueTrigger(user.id),
    }).toString();
    const answer = await this.send(body, 'application/x-www-form-urlencoded');
    if (answer.failure || answer.status !== 200) {
      this.slackbotSays(channel, userId, `\`${command.command}\` failed with the error "${answer.failure ?? 'http_service_error'}"`);
      return;
    }
    // An ack with a body is the command's answer, shown as Slack shows a response_url reply.
    const reply = parseAckBody(answer.body);
    if (!reply) return;
    if (reply.response_type === 'in_channel') {
      this.workspace.addMessage({ channel, ts: this.nextTs(), user: user.id, text: escapeForSlack(`${command.command} ${rawText}`.trim()) });
    }
    this.workspace.addMessage({
      channel,
      ts: this.nextTs(),
      user: SANDBOX_BOT.userId,
      text: typeof reply.text === 'string' ? reply.text : '',
      ...(Array.isArray(reply.blocks) ? { blocks: reply.blocks } : {}),
      ...(reply.response_type === 'in_channel' ? {} : { ephemeralTo: user.id }),
    });
  }

  /** What Slack sends for a command with should_escape: &, <, > escaped, then @people and #channels as mentions. */
  escapeCommandText(text: string): string {
    const handles = new Map([...this.opts.slack.users.values()].map((u) => [u.name.toLowerCase(), u]));
    const channels = new Map(this.opts.channels.map((c) => [c.name.toLowerCase(), c]));
    return escapeForSlack(text)
      .replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (all, before: string, handle: string) => {
        const user = handles.get(handle.toLowerCase());
        return user ? `${before}<@${user.id}|${user.name}>` : all;
      })
      .replace(/(^|[\s(])#([a-z0-9_-]+)/gi, (all, before: string, name: string) => {
        const channel = channels.get(name.toLowerCase());
        return channel ? `${before}<#${channel.id}|${channel.name}>` : all;
      });
  }

  // -------------------------------------------------------------------------------------------
  // shortcuts and the Home tab

  async shortcut(userId: string, callbackId: string, channel: string): Promise<void> {
    const user = this.person(userId);
    const shortcut = this.opts.shortcuts.find((s) => s.callback_id === callbackId);
    if (!shortcut) throw new SandboxRequestError(`No shortcut ${callbackId}`);
    const answer = await this.interaction({
      type: 'shortcut',
      token: 'sandbox-verification-token',
      action_ts: this.actionTs(),
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      user: { id: user.id, username: user.name, team_id: SANDBOX_TEAM_ID },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: shortcut.callback_id,
      trigger_id: this.opts.slack.issueTrigger(user.id),
    });
    if (answer.failure || answer.status !== 200) this.slackbotSays(channel, userId, `The shortcut “${shortcut.name}” failed: Sales Pulse did not respond.`);
  }

  /** The person opened the app's Home tab: Slack sends app_home_opened. */
  async openHome(userId: string): Promise<void> {
    const user = this.person(userId);
    const home = this.workspace.homeViews.get(user.id);
    const now = Math.floor(Date.now() / 1000);
    const envelope = {
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM_ID,
      api_app_id: SANDBOX_BOT.appId,
      event: {
        type: 'app_home_opened',
        user: user.id,
        channel: dmChannelId(user.id),
        tab: 'home',
        event_ts: this.actionTs(),
        ...(home ? { view: this.viewPayload(home, {}) } : {}),
      },
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: now,
      authorizations: [{ enterprise_id: null, team_id: SANDBOX_TEAM_ID, user_id: SANDBOX_BOT.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    await this.send(JSON.stringify(envelope), 'application/json');
  }

  // -------------------------------------------------------------------------------------------
  // block actions

  /** A click or a pick on an interactive element of a message. */
  async messageAction(userId: string, input: { channel: string; messageTs: string; blockId: string; actionId: string; values: string[] }): Promise<void> {
    const user = this.person(userId);
    const message = this.workspace.findMessage(input.channel, input.messageTs);
    if (!message || (message.ephemeralTo && message.ephemeralTo !== userId)) throw new SandboxRequestError('That message is gone');
    const action = actionPayload(message.blocks ?? [], input.blockId, input.actionId, input.values, this.actionTs());
    if (!action) throw new SandboxRequestError('That message has no such element');
    const ephemeral = message.ephemeralTo !== undefined;
    const answer = await this.interaction({
      type: 'block_actions',
      user: this.userObject(user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      container: { type: 'message', message_ts: message.ts, channel_id: input.channel, is_ephemeral: ephemeral },
      trigger_id: this.opts.slack.issueTrigger(user.id),
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: input.channel, name: this.channelName(input.channel) },
      // Slack includes the message for messages everyone sees; not for ephemeral ones.
      ...(ephemeral
        ? {}
        : {
            message: {
              type: 'message',
              user: message.user,
              ts: message.ts,
              text: message.text,
              ...(message.blocks ? { blocks: message.blocks } : {}),
              ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
              ...(message.user === SANDBOX_BOT.userId ? { bot_id: SANDBOX_BOT.botId, app_id: SANDBOX_BOT.appId } : {}),
            },
          }),
      state: { values: {} },
      response_url: this.opts.slack.responseUrl(undefined, { channel: input.channel, userId, messageTs: message.ts }),
      actions: [action],
    });
    if (answer.failure || answer.status !== 200) this.slackbotSays(input.channel, userId, 'Sales Pulse did not respond to that click. Try again in a moment.');
  }

  /** A click or a pick in a modal or on the Home tab; `inputs` is the modal's form as it stands. */
  async viewAction(userId: string, input: { viewId: string; blockId: string; actionId: string; values: string[]; inputs: FormInput[] }): Promise<void> {
    const user = this.person(userId);
    const stored = this.ownView(userId, input.viewId);
    const action = actionPayload(stored.view.blocks ?? [], input.blockId, input.actionId, input.values, this.actionTs());
    if (!action) throw new SandboxRequestError('That view has no such element');
    const answer = await this.interaction({
      type: 'block_actions',
      user: this.userObject(user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      container: { type: 'view', view_id: stored.id },
      trigger_id: this.opts.slack.issueTrigger(user.id),
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      enterprise: null,
      is_enterprise_install: false,
      view: this.viewPayload(stored, viewStateValues(withSuggestedOptions(stored.view, stored.suggested), input.inputs)),
      actions: [action],
    });
    if (answer.failure || answer.status !== 200) this.viewFailed(stored);
  }

  /**
   * The person typed in an external_select (or opened it): Slack asks the app for its options with a
   * block_suggestion and shows what the ack lists (`options`, or `option_groups` flattened; at most 100). The
   * options are remembered on the view, so a pick among them reads back as Slack reports it.
   */
  async suggest(userId: string, input: { viewId: string; blockId: string; actionId: string; value: string }): Promise<Json[]> {
    const user = this.person(userId);
    const stored = this.ownView(userId, input.viewId);
    const answer = await this.interaction({
      type: 'block_suggestion',
      user: this.userObject(user),
      container: { type: 'view', view_id: stored.id },
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      action_id: input.actionId,
      block_id: input.blockId,
      value: input.value,
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      enterprise: null,
      is_enterprise_install: false,
      view: this.viewPayload(stored, {}),
    });
    if (answer.failure || answer.status !== 200) return [];
    const body = parseAckBody(answer.body);
    const groups = Array.isArray(body?.option_groups) ? body.option_groups.flatMap((g) => (isObject(g) && Array.isArray(g.options) ? g.options : [])) : [];
    const options = [...(Array.isArray(body?.options) ? body.options : []), ...groups].filter(isObject).slice(0, 100);
    // Every option suggested so far stays valid: a pick from an earlier list still reads back.
    const key = `${input.blockId}/${input.actionId}`;
    const known = new Map(((stored.suggested ??= {})[key] ?? []).map((o) => [String(o.value), o]));
    for (const o of options) known.set(String(o.value), o);
    stored.suggested[key] = [...known.values()];
    return options;
  }

  // -------------------------------------------------------------------------------------------
  // modals

  /** The person pressed the modal's submit button. */
  async submitView(userId: string, viewId: string, inputs: FormInput[]): Promise<void> {
    const user = this.person(userId);
    const stored = this.ownView(userId, viewId);
    if (stored !== this.workspace.topModal(userId)) throw new SandboxRequestError('Only the modal on top can be submitted');
    const answer = await this.interaction({
      type: 'view_submission',
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      user: this.userObject(user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      trigger_id: this.opts.slack.issueTrigger(user.id),
      view: this.viewPayload(stored, viewStateValues(withSuggestedOptions(stored.view, stored.suggested), inputs)),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });
    if (answer.failure || answer.status !== 200) return this.viewFailed(stored);
    const response = parseAckBody(answer.body);
    switch (response?.response_action) {
      case undefined:
        this.workspace.closeModal(userId);
        return;
      case 'errors':
        stored.errors = isObject(response.errors) ? (response.errors as Record<string, string>) : {};
        this.workspace.changed({ kind: 'modal', userId });
        return;
      case 'clear':
        this.workspace.closeModal(userId, true);
        return;
      case 'update':
      case 'push':
        this.replaceOrPush(stored, response.view, response.response_action === 'push');
        return;
      default:
        this.workspace.closeModal(userId);
    }
  }

  /** The person closed the modal (Cancel, ×, Escape): Slack tells the app when the view asked to be told. */
  async closeView(userId: string, viewId: string): Promise<void> {
    const user = this.person(userId);
    const stored = this.ownView(userId, viewId);
    this.workspace.closeModal(userId);
    if (!stored.view.notify_on_close) return;
    await this.interaction({
      type: 'view_closed',
      team: { id: SANDBOX_TEAM_ID, domain: SANDBOX_TEAM_DOMAIN },
      user: this.userObject(user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      view: this.viewPayload(stored, {}),
      is_cleared: false,
      is_enterprise_install: false,
      enterprise: null,
    });
  }

  private replaceOrPush(stored: StoredView, view: unknown, push: boolean): void {
    if (!isObject(view)) return this.viewFailed(stored);
    const hash = `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
    if (push) {
      const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
      this.workspace.openModal({ id, hash, view, userId: stored.userId, rootViewId: stored.rootViewId, previousViewId: stored.id }, true);
      return;
    }
    stored.view = view;
    stored.hash = hash;
    delete stored.errors;
    this.workspace.changed({ kind: 'modal', userId: stored.userId });
  }

  /** Slack shows this at the top of a modal when the app did not answer. */
  private viewFailed(stored: StoredView): void {
    stored.errors = { ...stored.errors, [MODAL_ERROR_KEY]: 'We had some trouble connecting. Try again?' };
    this.workspace.changed({ kind: stored.view.type === 'home' ? 'home' : 'modal', userId: stored.userId });
  }

  private ownView(userId: string, viewId: string): StoredView {
    const stored = this.workspace.findView(viewId);
    if (!stored || stored.userId !== userId) throw new SandboxRequestError('That view is not open for this person');
    return stored;
  }

  /** A view as Slack puts it in a payload: what the app sent, with the ids, hash and state Slack keeps. */
  private viewPayload(stored: StoredView, values: Json): Json {
    const view = stored.view;
    return {
      id: stored.id,
      team_id: SANDBOX_TEAM_ID,
      type: view.type,
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values },
      hash: stored.hash,
      title: view.title ?? null,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: stored.previousViewId,
      root_view_id: stored.rootViewId,
      app_id: SANDBOX_BOT.appId,
      external_id: view.external_id ?? '',
      app_installed_team_id: SANDBOX_TEAM_ID,
      bot_id: SANDBOX_BOT.botId,
    };
  }
}

/** The key under which a modal-wide problem (the app did not answer) is kept with the field errors. */
export const MODAL_ERROR_KEY = '__modal__';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An ack's body: JSON (a message or a response_action), plain text (a message), or nothing. */
function parseAckBody(body: string): Json | undefined {
  const trimmed = body.trim();
  if (!trimmed) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (isObject(parsed)) return Object.keys(parsed).length ? parsed : undefined;
  } catch {
    // Plain text: Slack shows it as the message.
  }
  return { text: trimmed };
}

/** Slack escapes these three in the text it sends and stores. */
export function escapeForSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
