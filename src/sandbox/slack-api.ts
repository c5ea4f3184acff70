/**
 * The sandbox's Slack Web API: a local implementation of the parts of Slack the bot uses. The tests run
 * it headless as their fake Slack; `npm start` without credentials puts the sandbox page in front of it.
 *
 * It answers and refuses the way Slack does, driven by Slack's published method reference in
 * ./slack-methods/<method>.json: unknown methods, bad tokens, missing scopes and missing arguments are
 * refused, and Block Kit payloads are checked against the cheap limits. What the app posts lands in a
 * Workspace (messages, threads, files, Home tabs, modals), and every request can be recorded so a test
 * can assert on what the app sent; failures can be injected.
 *
 * The parts: method-reference.ts (Slack's method reference and the manifest: arguments, scopes),
 * block-kit-checks.ts (payload limits), recorder.ts (recorded calls, waitFor, injected failures),
 * api-http.ts (reading requests, writing answers), fake-users.ts (users as Slack returns them). This file
 * is the server and its method handlers.
 *
 * Pass `slack.apiUrl` to Bolt as `clientOptions.slackApiUrl`, and `slack.responseUrl` to the signed
 * request sender so `respond()` lands here too. For Socket Mode, `socketMode` names the app-level token and
 * the WebSocket endpoint `apps.connections.open` hands out (the tests' is test/helpers/fake-socket-mode.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../lib/clock.js';
import { SlackApiError, invalidArguments } from './api-error.js';
import { BadRequest, bearerToken, parseRequest, readBody, sendAnswer, type Answer, type ParsedRequest } from './api-http.js';
import { blockKitProblems, checkView, messageContentError } from './block-kit-checks.js';
import { newFakeUser, type FakeUser, type FakeUserInput } from './fake-users.js';
import { isMissing, isObject, type Json } from './json-args.js';
import { checkRequired, methodSpecs, scopesAccepted } from './method-reference.js';
import { apiFailure, CallRecorder, hookFailure, type DelaySpec, type FailureSpec, type RecordedCall, type WaitForOptions } from './recorder.js';
import { Workspace, type ResponseUrlContext, type StoredFile } from './workspace.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface FakeSlackOptions {
  /** Token the fake accepts (and `socketMode.appToken`, for apps.connections.open); anything else is `invalid_auth`. Default 'xoxb-test-token'. */
  botToken?: string;
  /** Bot scopes granted to the token, normally `manifestBotScopes()`. */
  scopes: string[];
  /** Default 'T0001'. */
  teamId?: string;
  /** Default 'Example'. */
  teamName?: string;
  /** The bot's user, bot and app ids; default UBOT, B0001, A123456. */
  bot?: { userId: string; botId: string; appId: string };
  /** Where posted messages, views and files land; default a new in-memory one. */
  workspace?: Workspace;
  /** Message timestamps follow this clock (the sandbox's can be moved); default the system clock. */
  clock?: Clock;
  /** Record every request in `calls` (tests); off for a long-running sandbox. Default true. */
  record?: boolean;
  /** Default 127.0.0.1 with a free port. */
  listen?: { host?: string; port?: number };
  /**
   * Socket Mode: the app-level token (`xapp-…`) that `apps.connections.open` takes (as on Slack, that method takes
   * only an app-level token, and an app-level token nothing else: `not_allowed_token_type`), and the WebSocket URL
   * each call answers (Slack's is a fresh `wss://…/link/?ticket=…` each time). Without it an `xapp-` token is unknown.
   */
  socketMode?: { appToken: string; connectionUrl(): string };
  /** Channel names for conversations.info (id -> name); other ids get a name made from the id. */
  channelNames?: Map<string, string>;
  /**
   * Requests outside the Slack endpoints (/api/, /response/, /upload/): the sandbox page. Resolve true
   * when handled; without it (or when it resolves false) they get 404.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export interface FakeSlack {
  /** e.g. 'http://127.0.0.1:PORT/api/' (trailing slash: @slack/web-api requests `slackApiUrl + method`). */
  apiUrl: string;
  /** e.g. 'http://127.0.0.1:PORT' */
  baseUrl: string;
  port: number;
  /**
   * A URL on this server acting as Slack's response_url; `id` defaults to a fresh unique one. With `context`,
   * its replies land in that conversation as Slack shows them (ephemeral to the person, or in the channel).
   */
  responseUrl(id?: string, context?: ResponseUrlContext): string;
  /** A trigger id for something `userId` just did: a modal opened with it opens for them, within 3 seconds. */
  issueTrigger(userId: string): string;
  /** The next message timestamp: follows the clock, always increasing (shared by everything that adds a message). */
  nextTs(): string;
  workspace: Workspace;
  calls: RecordedCall[];
  /** Every call to `method`, refused ones included (check `.ok`). */
  callsTo(method: string): RecordedCall[];
  /**
   * Resolves with the first successful call to `method` matching `predicate`, already recorded or still to come.
   * Rejects after `timeoutMs` (default 5000) with the list of calls seen, refusals and their errors included.
   */
  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
    options?: WaitForOptions,
  ): Promise<RecordedCall>;
  /** Forget recorded calls and pending failNext failures; users, channelsWithoutBot and issued ids stay. */
  reset(): void;
  users: Map<string, FakeUser>;
  addUser(user: FakeUserInput): FakeUser;
  /** Make the next call(s) to `method` (a Web API method, 'response_url' or 'file_upload') fail. */
  failNext(method: string, response: FailureSpec): void;
  /**
   * Answer the next call(s) to Web API `method` late: each is handled (and recorded) on arrival, as Slack posts a
   * message before its answer reaches the caller, and its answer (success or failNext's) is sent `ms` later.
   */
  delayNext(method: string, delay: DelaySpec): void;
  /** Conversations the bot is not a member of: posting there is refused as Slack refuses it. */
  channelsWithoutBot: Set<string>;
  close(): Promise<void>;
}

function randomToken(length: number): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(36).slice(2);
  return out.slice(0, length);
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface UploadSlot {
  filename: string;
  length: number;
  title?: string;
  data?: Buffer;
}

/** Methods called with an app-level token (`xapp-…`) rather than the bot token. */
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

const RESPONSE_URL_MAX_USES = 5;
/** A response_url works for 30 minutes. */
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
/** A trigger id opens a modal within 3 seconds. */
const TRIGGER_LIFETIME_MS = 3_000;

function mimeTypeOf(filename: string): string {
  const extension = filename.toLowerCase().split('.').pop() ?? '';
  const known: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', csv: 'text/csv', txt: 'text/plain', pdf: 'application/pdf', json: 'application/json' };
  return known[extension] ?? 'application/octet-stream';
}

export async function startFakeSlack(opts: FakeSlackOptions): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-test-token';
  const teamId = opts.teamId ?? 'T0001';
  const teamName = opts.teamName ?? 'Example';
  const bot = opts.bot ?? { userId: 'UBOT', botId: 'B0001', appId: 'A123456' };
  const workspace = opts.workspace ?? new Workspace();
  const clock = opts.clock ?? systemClock;
  const recording = opts.record ?? true;
  const grantedScopes = [...opts.scopes];
  const specs = methodSpecs();

  const recorder = new CallRecorder(recording);
  const users = new Map<string, FakeUser>();
  const channelsWithoutBot = new Set<string>();
  const responseUrlUses = new Map<string, number>();
  const responseUrlMadeAt = new Map<string, number>();
  const usedTriggers = new Set<string>();
  const viewHashes = new Map<string, string>();
  const homeViewIds = new Map<string, string>();
  const uploads = new Map<string, UploadSlot>();
  // Ids keep increasing across restarts of a saved workspace: they start from the time.
  let counter = Date.now();
  const latestTs = workspace.latestTs();
  let lastTsMicros = latestTs ? Math.round(Number(latestTs) * 1e6) : 0;
  let baseUrl = '';

  const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).toUpperCase().padStart(9, '0')}`;
  /** Message timestamps follow the (possibly moved) clock, always increasing. */
  const nextTs = () => {
    lastTsMicros = Math.max(clock.now().getTime() * 1000, lastTsMicros + 100);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };
  const newHash = () => `${Math.floor(Date.now() / 1000)}.${randomToken(8)}`;

  /** Spend a trigger id; the person it was issued to, when this server issued it. */
  function useTrigger(args: Json): string | undefined {
    const trigger = String(args.trigger_id ?? args.interactivity_pointer);
    if (usedTriggers.has(trigger)) throw new SlackApiError('exchanged_trigger_id');
    usedTriggers.add(trigger);
    const issued = workspace.triggers.get(trigger);
    if (!issued) return undefined;
    workspace.triggers.delete(trigger);
    if (Date.now() > issued.expiresAt) throw new SlackApiError('expired_trigger_id');
    return issued.userId;
  }

  function viewResponse(view: Json, id: string, extra: Json = {}): Json {
    const hash = newHash();
    viewHashes.set(id, hash);
    return {
      view: {
        id,
        team_id: teamId,
        type: view.type,
        blocks: view.blocks ?? [],
        private_metadata: view.private_metadata ?? '',
        callback_id: view.callback_id ?? '',
        state: { values: {} },
        hash,
        title: view.title,
        clear_on_close: view.clear_on_close ?? false,
        notify_on_close: view.notify_on_close ?? false,
        close: view.close ?? null,
        submit: view.submit ?? null,
        previous_view_id: null,
        root_view_id: id,
        app_id: bot.appId,
        external_id: view.external_id ?? '',
        app_installed_team_id: teamId,
        bot_id: bot.botId,
        ...extra,
      },
    };
  }

  function checkHash(viewId: string | undefined, hash: unknown): void {
    if (viewId === undefined || isMissing(hash)) return;
    const current = viewHashes.get(viewId);
    if (current !== undefined && current !== hash) throw new SlackApiError('hash_conflict');
  }

  function botMessage(args: Json, ts: string): Json {
    return {
      type: 'message',
      subtype: 'bot_message',
      text: args.text ?? '',
      user: bot.userId,
      bot_id: bot.botId,
      app_id: bot.appId,
      team: teamId,
      ts,
      ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
      ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
      ...(args.thread_ts !== undefined ? { thread_ts: args.thread_ts } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    };
  }

  /** Slack posts to a user ID in that user's DM with the app. */
  const conversationFor = (channel: string) => (/^[UW]/.test(channel) ? `D${channel}` : channel);

  /** Keep what a message call posted, as the workspace shows it. */
  function storeMessage(args: Json, channel: string, ts: string, ephemeralTo?: string): void {
    workspace.addMessage({
      channel,
      ts,
      user: bot.userId,
      text: typeof args.text === 'string' ? args.text : '',
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      ...(isMissing(args.thread_ts) ? {} : { threadTs: String(args.thread_ts) }),
      ...(ephemeralTo ? { ephemeralTo } : {}),
    });
  }

  /** A view as the workspace keeps it, with the id and hash this server gave it. */
  function storedView(view: Json, answer: Json, userId: string, previous?: { id: string; rootViewId: string }) {
    return {
      id: answer.view.id as string,
      hash: answer.view.hash as string,
      view,
      userId,
      rootViewId: previous?.rootViewId ?? (answer.view.id as string),
      previousViewId: previous?.id ?? null,
    };
  }

  /** A reply sent to a response_url made with a context: shown where Slack would show it. */
  function deliverResponse(context: ResponseUrlContext, body: Json): void {
    const deleting = body.delete_original === true || body.delete_original === 'true';
    const replacing = body.replace_original === true || body.replace_original === 'true';
    if (deleting) {
      if (context.messageTs) workspace.deleteMessage(context.channel, context.messageTs);
      return;
    }
    const content = { text: typeof body.text === 'string' ? body.text : '', blocks: Array.isArray(body.blocks) ? body.blocks : undefined };
    if (replacing && context.messageTs && workspace.updateMessage(context.channel, context.messageTs, content)) return;
    const inChannel = body.response_type === 'in_channel';
    const ts = nextTs();
    storeMessage({ ...content, thread_ts: body.thread_ts }, context.channel, ts, inChannel ? undefined : context.userId);
  }

  const handlers: Record<string, (args: Json) => Json> = {
    'auth.test': () => ({
      url: 'https://example.slack.com/',
      team: teamName,
      user: 'salespulse',
      team_id: teamId,
      user_id: bot.userId,
      bot_id: bot.botId,
      is_enterprise_install: false,
    }),

    'apps.connections.open': () => ({ url: opts.socketMode!.connectionUrl() }),

    'team.info': () => ({
      team: { id: teamId, name: teamName, domain: 'example', email_domain: 'example.com', icon: { image_default: true } },
    }),

    'users.info': (args) => {
      const user = users.get(String(args.user));
      if (!user) throw new SlackApiError('user_not_found');
      return { user: args.include_locale === true || args.include_locale === 'true' ? { locale: 'en-US', ...user } : user };
    },

    'users.lookupByEmail': (args) => {
      const email = String(args.email).toLowerCase();
      const user = [...users.values()].find((u) => typeof u.profile.email === 'string' && u.profile.email.toLowerCase() === email);
      if (!user) throw new SlackApiError('users_not_found');
      return { user };
    },

    'chat.postMessage': (args) => {
      const channel = String(args.channel);
      const problem = messageContentError(args);
      if (problem) throw problem;
      // chat:write.public lets an app post in public channels it has not joined (not private ones, not ephemerally).
      const canPostUninvited = grantedScopes.includes('chat:write.public') && channel.startsWith('C');
      if (channelsWithoutBot.has(channel) && !canPostUninvited) throw new SlackApiError('not_in_channel');
      const ts = nextTs();
      storeMessage(args, conversationFor(channel), ts);
      return { channel: conversationFor(channel), ts, message: botMessage(args, ts) };
    },

    'chat.postEphemeral': (args) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      // Slack answers channel_not_found for an ephemeral message in a conversation the bot is not in.
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = nextTs();
      storeMessage(args, conversationFor(String(args.channel)), ts, String(args.user));
      return { message_ts: ts };
    },

    'chat.update': (args) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = String(args.ts);
      if (!workspace.updateMessage(conversationFor(String(args.channel)), ts, { text: args.text ?? '', blocks: args.blocks })) {
        throw new SlackApiError('message_not_found');
      }
      return { channel: String(args.channel), ts, text: args.text ?? '', message: botMessage(args, ts) };
    },

    'chat.delete': (args) => {
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      if (!workspace.deleteMessage(conversationFor(String(args.channel)), String(args.ts))) throw new SlackApiError('message_not_found');
      return { channel: String(args.channel), ts: String(args.ts) };
    },

    'conversations.open': (args) => {
      if (isMissing(args.users) && isMissing(args.channel)) throw new SlackApiError('users_list_not_supplied');
      if (!isMissing(args.channel)) return { channel: { id: String(args.channel) } };
      const ids = String(args.users)
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.length > 8) throw new SlackApiError('too_many_users');
      for (const id of ids) {
        if (users.get(id)?.deleted) throw new SlackApiError('user_disabled');
      }
      const id = ids.length === 1 ? `D${ids[0]}` : `G${ids.join('').slice(0, 16)}`;
      const full = args.return_im === true || args.return_im === 'true';
      return {
        channel: full && ids.length === 1 ? { id, is_im: true, user: ids[0], created: Math.floor(Date.now() / 1000), is_user_deleted: false } : { id },
      };
    },

    'conversations.info': (args) => {
      const id = String(args.channel);
      const isIm = id.startsWith('D');
      return {
        channel: {
          id,
          name: isIm ? undefined : (opts.channelNames?.get(id) ?? id.toLowerCase()),
          is_channel: id.startsWith('C'),
          is_group: id.startsWith('G'),
          is_im: isIm,
          is_mpim: false,
          is_private: !id.startsWith('C'),
          is_archived: false,
          is_member: !channelsWithoutBot.has(id),
          ...(isIm && id.length > 1 ? { user: id.slice(1) } : {}),
        },
      };
    },

    'views.open': (args) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(args);
      const answer = viewResponse(view, nextId('V'));
      if (userId) workspace.openModal(storedView(view, answer, userId), false);
      return answer;
    },

    'views.push': (args) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(args);
      const top = userId ? workspace.topModal(userId) : undefined;
      const answer = viewResponse(view, nextId('V'), top ? { previous_view_id: top.id, root_view_id: top.rootViewId } : {});
      if (userId) workspace.openModal(storedView(view, answer, userId, top), true);
      return answer;
    },

    'views.update': (args) => {
      const view = checkView(args, ['modal', 'home']);
      const stored = isMissing(args.view_id)
        ? [...workspace.modals.values()].flat().find((v) => !isMissing(args.external_id) && v.view.external_id === args.external_id)
        : workspace.findView(String(args.view_id));
      // Slack answers not_found for a view it never opened (this server knows every id it gave out).
      if (!stored && (isMissing(args.view_id) || !viewHashes.has(String(args.view_id)))) throw new SlackApiError('not_found');
      const id = stored?.id ?? String(args.view_id);
      // A stored view's hash is the current one (the page may have replaced the view after a response_action).
      if (stored && !isMissing(args.hash) && stored.hash !== args.hash) throw new SlackApiError('hash_conflict');
      checkHash(id, args.hash);
      const answer = viewResponse(view, id, stored ? { previous_view_id: stored.previousViewId, root_view_id: stored.rootViewId } : {});
      if (stored) {
        stored.view = view;
        stored.hash = answer.view.hash;
        delete stored.errors;
        workspace.changed({ kind: view.type === 'home' ? 'home' : 'modal', userId: stored.userId });
      }
      return answer;
    },

    'views.publish': (args) => {
      const view = checkView(args, ['home']);
      const userId = String(args.user_id);
      const id = homeViewIds.get(userId) ?? workspace.homeViews.get(userId)?.id ?? nextId('V');
      homeViewIds.set(userId, id);
      checkHash(id, args.hash);
      const answer = viewResponse(view, id);
      workspace.setHome(storedView(view, answer, userId));
      return answer;
    },

    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (!Number.isInteger(length) || length <= 0) throw invalidArguments(['[ERROR] length must be a positive integer']);
      const fileId = nextId('F');
      uploads.set(fileId, { filename: String(args.filename), length });
      return { upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0 || !files.every((f) => isObject(f) && typeof f.id === 'string')) {
        throw invalidArguments(['[ERROR] files must be a non-empty array of {id, title?} [json-pointer:/files]']);
      }
      const channel = isMissing(args.channel_id) ? undefined : String(args.channel_id);
      if (channel && channelsWithoutBot.has(channel)) throw new SlackApiError('not_in_channel');
      if (args.blocks !== undefined) {
        const problems = blockKitProblems(args.blocks, '/blocks', 50);
        if (problems.length) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
      }
      const slots = files.map((f: Json) => {
        const slot = uploads.get(f.id);
        if (!slot?.data) throw new SlackApiError('file_not_found');
        slot.title = typeof f.title === 'string' && f.title !== '' ? f.title : slot.filename;
        return { id: f.id as string, slot: slot as Required<UploadSlot> };
      });
      const stored: StoredFile[] = slots.map(({ id, slot }) => ({ id, name: slot.filename, title: slot.title, mimetype: mimeTypeOf(slot.filename), size: slot.data.length }));
      slots.forEach(({ id, slot }, i) => {
        workspace.saveFile(stored[i]!, slot.data);
        uploads.delete(id);
      });
      if (channel) {
        // Shared into a conversation: Slack shows it as a message from the app (in the thread, with thread_ts).
        workspace.addMessage({
          channel: conversationFor(channel),
          ts: nextTs(),
          user: bot.userId,
          text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
          ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
          files: stored,
          ...(isMissing(args.thread_ts) ? {} : { threadTs: String(args.thread_ts) }),
        });
      }
      const completed = stored.map((f) => ({ id: f.id, title: f.title, name: f.name, mimetype: f.mimetype, size: f.size, user: bot.userId, channels: channel ? [channel] : [] }));
      return { files: completed };
    },
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    let parsed: ParsedRequest;
    try {
      parsed = await parseRequest(req, raw, url);
    } catch (error) {
      const code = error instanceof BadRequest ? error.message : 'invalid_request';
      const answer: Answer = { status: 400, body: { ok: false, error: code } };
      recorder.record({ method, args: {}, at: Date.now(), ok: false, status: 400, error: code, response: answer.body });
      return sendAnswer(res, answer);
    }
    const { args } = parsed;
    const at = Date.now();
    const delayMs = recorder.takeDelay(method);
    const answer = answerApi(req, method, parsed);
    const body = answer.body as Json;
    const ok = answer.status === 200 && body.ok === true;
    recorder.record({ method, args, at, ok, status: answer.status, error: ok ? undefined : body.error, response: body });
    if (delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      // The caller may have given up waiting (its timeout) and closed the connection.
      if (res.destroyed || res.writableEnded) return;
    }
    sendAnswer(res, answer);
  }

  function answerApi(req: IncomingMessage, method: string, parsed: ParsedRequest): Answer {
    const failure = recorder.takeFailure(method);
    if (!failure) return handleMethod(req, method, parsed);
    // Taking effect first (a message posted) and then failing is how a post goes wrong after the fact.
    if (failure.afterEffect) handleMethod(req, method, parsed);
    return apiFailure(failure);
  }

  function handleMethod(req: IncomingMessage, method: string, { args, isJson }: ParsedRequest): Answer {
    const refuse = (code: string, extra: Json = {}, headers?: Record<string, string>): Answer => ({
      status: 200,
      body: { ok: false, error: code, ...extra },
      headers,
    });

    const spec = specs.get(method);
    if (!spec) return refuse('unknown_method', { req_method: method });

    const token = bearerToken(req) ?? (isJson ? undefined : typeof args.token === 'string' ? args.token : undefined);
    if (!token) return refuse('not_authed');
    const appToken = opts.socketMode?.appToken;
    if (token !== botToken && token !== appToken) return refuse('invalid_auth');
    if ((token === appToken) !== APP_TOKEN_METHODS.has(method)) return refuse('not_allowed_token_type');
    delete args.token;

    const accepted = scopesAccepted(method, args, spec);
    const tokenScopes = token === appToken ? ['connections:write'] : grantedScopes;
    const scopeHeaders = { 'x-oauth-scopes': tokenScopes.join(','), 'x-accepted-oauth-scopes': accepted.join(',') };
    if (accepted.length > 0 && !accepted.some((scope) => grantedScopes.includes(scope))) {
      return refuse('missing_scope', { needed: accepted[0], provided: grantedScopes.join(',') }, scopeHeaders);
    }

    try {
      checkRequired(method, args, spec);
      const handler = handlers[method];
      const result = handler ? handler(args) : {};
      return { status: 200, body: { ok: true, ...result }, headers: scopeHeaders };
    } catch (error) {
      if (error instanceof SlackApiError) return refuse(error.code, error.extra, scopeHeaders);
      throw error;
    }
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const args: Json = isObject(body) ? body : { raw: raw.toString('utf8') };

    let answer: Answer;
    const failure = recorder.takeFailure('response_url');
    if (failure) answer = hookFailure(failure);
    else if (uses > RESPONSE_URL_MAX_USES || Date.now() - (responseUrlMadeAt.get(id) ?? Date.now()) > RESPONSE_URL_LIFETIME_MS) {
      answer = { status: 404, body: 'expired_url' };
    } else if (!isObject(body)) answer = { status: 400, body: 'invalid_payload' };
    else {
      const deleting = body.delete_original === true || body.delete_original === 'true';
      const problem = deleting ? undefined : messageContentError(body);
      answer = problem ? { status: 400, body: problem.code } : { status: 200, body: 'ok' };
      const context = workspace.responseUrls.get(id);
      if (!problem && context) deliverResponse(context, body);
    }
    const ok = answer.status === 200;
    recorder.record({
      method: 'response_url',
      args,
      at: Date.now(),
      ok,
      status: answer.status,
      error: ok ? undefined : String(answer.body),
      response: answer.body,
      responseUrlId: id,
    });
    sendAnswer(res, answer);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(req);
    const slot = uploads.get(fileId);
    let data = raw;
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      // @slack/web-api posts the bytes as a multipart form; Slack takes the first file part.
      try {
        const form = await new Request('http://fake.local/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: new Uint8Array(raw),
        }).formData();
        const file = [...form.values()].find((value): value is File => typeof value !== 'string');
        if (file) data = Buffer.from(await file.arrayBuffer());
      } catch {
        return sendAnswer(res, { status: 400, body: 'invalid_form_data' });
      }
    }
    const failure = recorder.takeFailure('file_upload');
    let answer: Answer;
    if (failure) answer = hookFailure(failure);
    else if (!slot) answer = { status: 404, body: 'file_not_found' };
    else {
      slot.data = data;
      answer = { status: 200, body: `OK - ${data.length}` };
    }
    const ok = answer.status === 200;
    recorder.record({
      method: 'file_upload',
      args: { file_id: fileId, filename: slot?.filename, length: data.length, data },
      at: Date.now(),
      ok,
      status: answer.status,
      error: ok ? undefined : String(answer.body),
      response: answer.body,
    });
    sendAnswer(res, answer);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    const [, area, name, ...rest] = url.pathname.split('/');
    const slackArea = area === 'api' || area === 'response' || area === 'upload';
    if (!slackArea && opts.routes && (await opts.routes(req, res, url))) return;
    if (req.method !== 'POST' && !(req.method === 'GET' && area === 'api')) {
      return sendAnswer(res, { status: 405, body: 'method_not_allowed' });
    }
    if (area === 'api' && name && rest.length === 0) return handleApi(req, res, decodeURIComponent(name), url);
    if (area === 'response' && name && rest.length === 0) return handleResponseUrl(req, res, decodeURIComponent(name));
    if (area === 'upload' && name && rest.length === 0) return handleUpload(req, res, decodeURIComponent(name));
    return sendAnswer(res, { status: 404, body: 'not_found' });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      const badRequest = error instanceof BadRequest;
      sendAnswer(res, { status: badRequest ? 400 : 500, body: { ok: false, error: badRequest ? error.message : `fake_slack_error: ${String(error)}` } });
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen?.port ?? 0, opts.listen?.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${opts.listen?.host ?? '127.0.0.1'}:${port}`;

  let responseUrlCounter = 0;
  /** A long-running sandbox hands out ids for hours: forget the ones that can no longer be used. */
  const forgetExpired = () => {
    const now = Date.now();
    for (const [id, madeAt] of responseUrlMadeAt) {
      if (now - madeAt <= RESPONSE_URL_LIFETIME_MS) continue;
      responseUrlMadeAt.delete(id);
      responseUrlUses.delete(id);
      workspace.responseUrls.delete(id);
    }
    for (const [trigger, issued] of workspace.triggers) if (now > issued.expiresAt) workspace.triggers.delete(trigger);
  };

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port,
    responseUrl: (id = `r${++responseUrlCounter}-${randomToken(6)}`, context) => {
      if (responseUrlMadeAt.size > 2000) forgetExpired();
      responseUrlMadeAt.set(id, Date.now());
      if (context) workspace.responseUrls.set(id, context);
      return `${baseUrl}/response/${encodeURIComponent(id)}`;
    },
    issueTrigger(userId) {
      const trigger = `${Math.floor(Date.now() / 1000)}.${++responseUrlCounter}.${randomToken(21)}`;
      workspace.triggers.set(trigger, { userId, expiresAt: Date.now() + TRIGGER_LIFETIME_MS });
      return trigger;
    },
    nextTs,
    workspace,
    calls: recorder.calls,
    callsTo: (method) => recorder.callsTo(method),
    waitFor: (method, predicate, timeoutMs, options) => recorder.waitFor(method, predicate, timeoutMs, options),
    reset: () => recorder.reset(),
    users,
    addUser(input) {
      const user = newFakeUser(input, teamId);
      users.set(user.id, user);
      return user;
    },
    failNext: (method, response) => recorder.failNext(method, response),
    delayNext: (method, delay) => recorder.delayNext(method, delay),
    channelsWithoutBot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
