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
 * It serves many workspaces: each team has its own people and Workspace, and every call is answered in the team
 * of its token (teams.ts). It plays Slack's side of an OAuth install (oauth.ts) and, when asked, Slack's rate
 * limits per workspace and method (rate-limits.ts).
 *
 * The parts: method-reference.ts (Slack's method reference and the manifest: arguments, scopes),
 * block-kit-checks.ts (payload limits), recorder.ts (recorded and counted calls, waitFor, injected failures),
 * api-http.ts (reading requests, writing answers), fake-users.ts (users as Slack returns them), teams.ts,
 * oauth.ts, rate-limits.ts. This file is the server and its method handlers.
 *
 * Pass `slack.apiUrl` to Bolt as `clientOptions.slackApiUrl`, and `slack.responseUrl` to the signed
 * request sender so `respond()` lands here too. For Socket Mode, `socketMode` names the app-level token and
 * the WebSocket endpoint `apps.connections.open` hands out (the tests' is test/helpers/fake-socket-mode.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../lib/clock.js';
import { SlackApiError, invalidArguments } from './api-error.js';
import { BadRequest, basicCredentials, bearerToken, parseRequest, readBody, sendAnswer, type Answer, type ParsedRequest } from './api-http.js';
import { blockKitProblems, checkView, messageContentError } from './block-kit-checks.js';
import type { FakeUser, FakeUserInput } from './fake-users.js';
import { isMissing, isObject, type Json } from './json-args.js';
import { checkRequired, methodSpecs, scopesAccepted } from './method-reference.js';
import { apiFailure, CallRecorder, hookFailure, type DelaySpec, type FailureSpec, type RecordedCall, type WaitForOptions } from './recorder.js';
import { FakeOAuth, type InstallInput, type OAuthAppOptions } from './oauth.js';
import { RateLimiter, type RateLimitOptions } from './rate-limits.js';
import { TeamDirectory, type FakeTeam, type TeamInput, type TokenGrant } from './teams.js';
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
  /** The default team's Enterprise Grid org, if any. */
  enterpriseId?: string;
  enterpriseName?: string;
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
  /** The app's OAuth credentials: oauth.v2.access checks them (without, it answers invalid_client_id). */
  oauth?: OAuthAppOptions;
  /** Slack's rate limits (429 with Retry-After past them), per workspace; off by default. `slackRateLimits()` is Slack's tiers. */
  rateLimits?: RateLimitOptions;
  /**
   * Tokens not registered with addTeam or an install: the team each acts in (registered on first use, with the
   * fake's scopes and people made up from their ids), or undefined to refuse it (`invalid_auth`). For a benchmark
   * with a thousand workspaces, e.g. `(token) => /^xoxb-bench-(T\w+)$/.exec(token)?.[1]`.
   */
  tokenTeam?: (token: string) => string | undefined;
}

/** Who a Web API call acts for: the team of its token (for an org-wide token, the workspace it names) and the token's grant. */
interface CallContext {
  team: FakeTeam;
  grant: TokenGrant;
}

/** How many calls the fake answered, by method, team and HTTP status (kept even with `record: false`). */
export interface CallCount {
  method: string;
  /** The team of the token; '' when the call had no valid token. */
  teamId: string;
  status: number;
  count: number;
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
  responseUrl(id?: string, context?: ResponseUrlContext, teamId?: string): string;
  /** A trigger id for something `userId` just did: a modal opened with it opens for them, within 3 seconds. */
  issueTrigger(userId: string, teamId?: string): string;
  /** The next message timestamp: follows the clock, always increasing (shared by everything that adds a message). */
  nextTs(): string;
  workspace: Workspace;
  calls: RecordedCall[];
  /** Every call to `method` (made with a token of `teamId`, when given), refused ones included (check `.ok`). */
  callsTo(method: string, teamId?: string): RecordedCall[];
  /** Calls answered, by method, team and status: counted even when not recording. */
  counts(): CallCount[];
  /** How many calls matched (any method, team or status when not given). */
  count(filter?: { method?: string; teamId?: string; status?: number }): number;
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
  /** Forget recorded calls, counts, rate-limit buckets and pending failNext failures; teams, users, tokens and issued ids stay. */
  reset(): void;
  /** The default team's people. */
  users: Map<string, FakeUser>;
  /** A person in the default team, or in `teamId`'s. */
  addUser(user: FakeUserInput, teamId?: string): FakeUser;
  /** The default team's id ('T0001' unless given). */
  teamId: string;
  /**
   * Another workspace: its own people, messages, Home tabs, views and files, answered for calls made with its
   * `botToken`. Calling it again for a known team keeps its data (and adds the token).
   */
  addTeam(team: TeamInput): FakeTeam;
  /** A team's people, workspace and conversations the bot is not in; throws for an unknown team. */
  team(teamId: string): FakeTeam;
  /** What a team's workspace holds (the default team's is `workspace`). */
  workspaceOf(teamId: string): Workspace;
  /** Every token of the team (or every org-wide token of the enterprise) is refused from now on with `token_revoked`. */
  revokeTeam(teamOrEnterpriseId: string): void;
  /** One token is refused from now on with `token_revoked` (as after auth.revoke). */
  revokeToken(token: string): void;
  /** The authorize URL to give @slack/oauth as `authorizationUrl` (Slack's is https://slack.com/oauth/v2/authorize). */
  authorizeUrl: string;
  /** A one-time code for oauth.v2.access, as if the person approved the install on Slack's consent page. */
  authorizeInstall(install: InstallInput): string;
  /** The URL Slack sends the browser back to after the person approves `authorizeUrl`: `<redirect_uri>?code=…&state=…`. */
  approve(authorizeUrl: string, install: Omit<InstallInput, 'redirectUri'>): string;
  /** The URL Slack sends the browser back to after the person cancels: `<redirect_uri>?error=access_denied&state=…`. */
  cancel(authorizeUrl: string): string;
  /** Make the next call(s) to `method` (a Web API method, 'response_url' or 'file_upload') fail. */
  failNext(method: string, response: FailureSpec): void;
  /**
   * Answer the next call(s) to Web API `method` late: each is handled (and recorded) on arrival, as Slack posts a
   * message before its answer reaches the caller, and its answer (success or failNext's) is sent `ms` later.
   */
  delayNext(method: string, delay: DelaySpec): void;
  /** Conversations (of the default team) the bot is not a member of: posting there is refused as Slack refuses it. */
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
  teamId: string;
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
  const directory = new TeamDirectory({ scopes: grantedScopes, appId: bot.appId, tokenTeam: opts.tokenTeam });
  const defaultTeam = directory.addTeam({
    teamId,
    teamName,
    domain: 'example',
    enterpriseId: opts.enterpriseId,
    enterpriseName: opts.enterpriseName,
    botToken,
    scopes: grantedScopes,
    botUserId: bot.userId,
    botId: bot.botId,
    workspace,
  });
  const oauth = new FakeOAuth(opts.oauth, directory, () => clock.now().getTime(), grantedScopes, bot.appId);
  const rateLimiter = opts.rateLimits ? new RateLimiter(opts.rateLimits) : undefined;
  const responseUrlUses = new Map<string, number>();
  const responseUrlMadeAt = new Map<string, number>();
  /** response_url id -> the team whose workspace its replies land in (the default team's when not named). */
  const responseUrlTeams = new Map<string, FakeTeam>();
  const usedTriggers = new Set<string>();
  const uploads = new Map<string, UploadSlot>();
  const knownTeam = (id: string | undefined): FakeTeam => {
    if (id === undefined) return defaultTeam;
    const team = directory.teams.get(id);
    if (!team) throw new Error(`Fake Slack: no team ${id}; addTeam it first`);
    return team;
  };
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
  function useTrigger(team: FakeTeam, args: Json): string | undefined {
    const trigger = String(args.trigger_id ?? args.interactivity_pointer);
    if (usedTriggers.has(trigger)) throw new SlackApiError('exchanged_trigger_id');
    usedTriggers.add(trigger);
    const issued = team.workspace.triggers.get(trigger);
    if (!issued) return undefined;
    team.workspace.triggers.delete(trigger);
    if (Date.now() > issued.expiresAt) throw new SlackApiError('expired_trigger_id');
    return issued.userId;
  }

  function viewResponse(team: FakeTeam, view: Json, id: string, extra: Json = {}): Json {
    const hash = newHash();
    team.viewHashes.set(id, hash);
    return {
      view: {
        id,
        team_id: team.id,
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
        app_id: team.bot.appId,
        external_id: view.external_id ?? '',
        app_installed_team_id: team.id,
        bot_id: team.bot.botId,
        ...extra,
      },
    };
  }

  function checkHash(team: FakeTeam, viewId: string | undefined, hash: unknown): void {
    if (viewId === undefined || isMissing(hash)) return;
    const current = team.viewHashes.get(viewId);
    if (current !== undefined && current !== hash) throw new SlackApiError('hash_conflict');
  }

  function botMessage(team: FakeTeam, args: Json, ts: string): Json {
    return {
      type: 'message',
      subtype: 'bot_message',
      text: args.text ?? '',
      user: team.bot.userId,
      bot_id: team.bot.botId,
      app_id: team.bot.appId,
      team: team.id,
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
  function storeMessage(team: FakeTeam, args: Json, channel: string, ts: string, ephemeralTo?: string): void {
    team.workspace.addMessage({
      channel,
      ts,
      user: team.bot.userId,
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
  function deliverResponse(team: FakeTeam, context: ResponseUrlContext, body: Json): void {
    const deleting = body.delete_original === true || body.delete_original === 'true';
    const replacing = body.replace_original === true || body.replace_original === 'true';
    if (deleting) {
      if (context.messageTs) team.workspace.deleteMessage(context.channel, context.messageTs);
      return;
    }
    const content = { text: typeof body.text === 'string' ? body.text : '', blocks: Array.isArray(body.blocks) ? body.blocks : undefined };
    if (replacing && context.messageTs && team.workspace.updateMessage(context.channel, context.messageTs, content)) return;
    const inChannel = body.response_type === 'in_channel';
    const ts = nextTs();
    storeMessage(team, { ...content, thread_ts: body.thread_ts }, context.channel, ts, inChannel ? undefined : context.userId);
  }

  const handlers: Record<string, (args: Json, call: CallContext) => Json> = {
    'apps.connections.open': () => ({ url: opts.socketMode!.connectionUrl() }),

    'team.info': (_args, { team }) => ({
      team: {
        id: team.id,
        name: team.name,
        domain: team.domain,
        email_domain: 'example.com',
        icon: { image_default: true },
        ...(team.enterpriseId ? { enterprise_id: team.enterpriseId, enterprise_name: team.enterpriseName ?? team.enterpriseId } : {}),
      },
    }),

    'users.info': (args, { team }) => {
      const user = directory.user(team, String(args.user));
      if (!user) throw new SlackApiError('user_not_found');
      return { user: args.include_locale === true || args.include_locale === 'true' ? { locale: 'en-US', ...user } : user };
    },

    'users.lookupByEmail': (args, { team }) => {
      const email = String(args.email).toLowerCase();
      const user = [...team.users.values()].find((u) => typeof u.profile.email === 'string' && u.profile.email.toLowerCase() === email);
      if (!user) throw new SlackApiError('users_not_found');
      return { user };
    },

    'chat.postMessage': (args, { team, grant }) => {
      const channel = String(args.channel);
      const problem = messageContentError(args);
      if (problem) throw problem;
      // chat:write.public lets an app post in public channels it has not joined (not private ones, not ephemerally).
      const canPostUninvited = grant.scopes.includes('chat:write.public') && channel.startsWith('C');
      if (team.channelsWithoutBot.has(channel) && !canPostUninvited) throw new SlackApiError('not_in_channel');
      const ts = nextTs();
      storeMessage(team, args, conversationFor(channel), ts);
      return { channel: conversationFor(channel), ts, message: botMessage(team, args, ts) };
    },

    'chat.postEphemeral': (args, { team }) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      // Slack answers channel_not_found for an ephemeral message in a conversation the bot is not in.
      if (team.channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = nextTs();
      storeMessage(team, args, conversationFor(String(args.channel)), ts, String(args.user));
      return { message_ts: ts };
    },

    'chat.update': (args, { team }) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      if (team.channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = String(args.ts);
      if (!team.workspace.updateMessage(conversationFor(String(args.channel)), ts, { text: args.text ?? '', blocks: args.blocks })) {
        throw new SlackApiError('message_not_found');
      }
      return { channel: String(args.channel), ts, text: args.text ?? '', message: botMessage(team, args, ts) };
    },

    'chat.delete': (args, { team }) => {
      if (team.channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      if (!team.workspace.deleteMessage(conversationFor(String(args.channel)), String(args.ts))) throw new SlackApiError('message_not_found');
      return { channel: String(args.channel), ts: String(args.ts) };
    },

    'conversations.open': (args, { team }) => {
      if (isMissing(args.users) && isMissing(args.channel)) throw new SlackApiError('users_list_not_supplied');
      if (!isMissing(args.channel)) return { channel: { id: String(args.channel) } };
      const ids = String(args.users)
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.length > 8) throw new SlackApiError('too_many_users');
      for (const id of ids) {
        if (directory.user(team, id)?.deleted) throw new SlackApiError('user_disabled');
      }
      const id = ids.length === 1 ? `D${ids[0]}` : `G${ids.join('').slice(0, 16)}`;
      const full = args.return_im === true || args.return_im === 'true';
      return {
        channel: full && ids.length === 1 ? { id, is_im: true, user: ids[0], created: Math.floor(Date.now() / 1000), is_user_deleted: false } : { id },
      };
    },

    'conversations.info': (args, { team }) => {
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
          is_member: !team.channelsWithoutBot.has(id),
          ...(isIm && id.length > 1 ? { user: id.slice(1) } : {}),
        },
      };
    },

    'views.open': (args, { team }) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(team, args);
      const answer = viewResponse(team, view, nextId('V'));
      if (userId) team.workspace.openModal(storedView(view, answer, userId), false);
      return answer;
    },

    'views.push': (args, { team }) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(team, args);
      const top = userId ? team.workspace.topModal(userId) : undefined;
      const answer = viewResponse(team, view, nextId('V'), top ? { previous_view_id: top.id, root_view_id: top.rootViewId } : {});
      if (userId) team.workspace.openModal(storedView(view, answer, userId, top), true);
      return answer;
    },

    'views.update': (args, { team }) => {
      const view = checkView(args, ['modal', 'home']);
      const stored = isMissing(args.view_id)
        ? [...team.workspace.modals.values()].flat().find((v) => !isMissing(args.external_id) && v.view.external_id === args.external_id)
        : team.workspace.findView(String(args.view_id));
      // Slack answers not_found for a view it never opened (this server knows every id it gave out).
      if (!stored && (isMissing(args.view_id) || !team.viewHashes.has(String(args.view_id)))) throw new SlackApiError('not_found');
      const id = stored?.id ?? String(args.view_id);
      // A stored view's hash is the current one (the page may have replaced the view after a response_action).
      if (stored && !isMissing(args.hash) && stored.hash !== args.hash) throw new SlackApiError('hash_conflict');
      checkHash(team, id, args.hash);
      const answer = viewResponse(team, view, id, stored ? { previous_view_id: stored.previousViewId, root_view_id: stored.rootViewId } : {});
      if (stored) {
        stored.view = view;
        stored.hash = answer.view.hash;
        delete stored.errors;
        team.workspace.changed({ kind: view.type === 'home' ? 'home' : 'modal', userId: stored.userId });
      }
      return answer;
    },

    'views.publish': (args, { team }) => {
      const view = checkView(args, ['home']);
      const userId = String(args.user_id);
      const id = team.homeViewIds.get(userId) ?? team.workspace.homeViews.get(userId)?.id ?? nextId('V');
      team.homeViewIds.set(userId, id);
      checkHash(team, id, args.hash);
      const answer = viewResponse(team, view, id);
      team.workspace.setHome(storedView(view, answer, userId));
      return answer;
    },

    'files.getUploadURLExternal': (args, { team }) => {
      const length = Number(args.length);
      if (!Number.isInteger(length) || length <= 0) throw invalidArguments(['[ERROR] length must be a positive integer']);
      const fileId = nextId('F');
      uploads.set(fileId, { teamId: team.id, filename: String(args.filename), length });
      return { upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args, { team }) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0 || !files.every((f) => isObject(f) && typeof f.id === 'string')) {
        throw invalidArguments(['[ERROR] files must be a non-empty array of {id, title?} [json-pointer:/files]']);
      }
      const channel = isMissing(args.channel_id) ? undefined : String(args.channel_id);
      if (channel && team.channelsWithoutBot.has(channel)) throw new SlackApiError('not_in_channel');
      if (args.blocks !== undefined) {
        const problems = blockKitProblems(args.blocks, '/blocks', 50);
        if (problems.length) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
      }
      const slots = files.map((f: Json) => {
        const slot = uploads.get(f.id);
        // Another workspace's upload is not there to complete.
        if (!slot?.data || slot.teamId !== team.id) throw new SlackApiError('file_not_found');
        slot.title = typeof f.title === 'string' && f.title !== '' ? f.title : slot.filename;
        return { id: f.id as string, slot: slot as Required<UploadSlot> };
      });
      const stored: StoredFile[] = slots.map(({ id, slot }) => ({ id, name: slot.filename, title: slot.title, mimetype: mimeTypeOf(slot.filename), size: slot.data.length }));
      slots.forEach(({ id, slot }, i) => {
        team.workspace.saveFile(stored[i]!, slot.data);
        uploads.delete(id);
      });
      if (channel) {
        // Shared into a conversation: Slack shows it as a message from the app (in the thread, with thread_ts).
        team.workspace.addMessage({
          channel: conversationFor(channel),
          ts: nextTs(),
          user: team.bot.userId,
          text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
          ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
          files: stored,
          ...(isMissing(args.thread_ts) ? {} : { threadTs: String(args.thread_ts) }),
        });
      }
      const completed = stored.map((f) => ({ id: f.id, title: f.title, name: f.name, mimetype: f.mimetype, size: f.size, user: team.bot.userId, channels: channel ? [channel] : [] }));
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
    const { answer, teamId: callTeamId } = answerApi(req, method, parsed);
    const body = answer.body as Json;
    const ok = answer.status === 200 && body.ok === true;
    recorder.record({ method, args, at, ok, status: answer.status, error: ok ? undefined : body.error, response: body, teamId: callTeamId });
    if (delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      // The caller may have given up waiting (its timeout) and closed the connection.
      if (res.destroyed || res.writableEnded) return;
    }
    sendAnswer(res, answer);
  }

  const refuse = (code: string, extra: Json = {}, headers?: Record<string, string>): Answer => ({
    status: 200,
    body: { ok: false, error: code, ...extra },
    headers,
  });

  type Access = { refusal: Answer; teamId?: string } | { call: CallContext; headers: Record<string, string> };

  /** Who the call acts for, or the refusal Slack answers before looking at anything else (token, scopes). */
  function authorizeCall(req: IncomingMessage, method: string, { args, isJson }: ParsedRequest): Access {
    const spec = specs.get(method);
    if (!spec) return { refusal: refuse('unknown_method', { req_method: method }) };

    const token = bearerToken(req) ?? (isJson ? undefined : typeof args.token === 'string' ? args.token : undefined);
    if (!token) return { refusal: refuse('not_authed') };
    delete args.token;
    const appToken = opts.socketMode?.appToken;
    if (token === appToken) {
      if (!APP_TOKEN_METHODS.has(method)) return { refusal: refuse('not_allowed_token_type') };
      const headers = { 'x-oauth-scopes': 'connections:write', 'x-accepted-oauth-scopes': 'connections:write' };
      return { call: { team: defaultTeam, grant: { token, isEnterpriseInstall: false, scopes: ['connections:write'], bot, revoked: false } }, headers };
    }
    const grant = directory.authenticate(token, clock.now().getTime());
    if (typeof grant === 'string') return { refusal: refuse(grant) };
    if (APP_TOKEN_METHODS.has(method)) return { refusal: refuse('not_allowed_token_type') };

    let team: FakeTeam;
    try {
      // auth.test names no workspace: an org-wide token answers for its enterprise (see authTest).
      team = method === 'auth.test' && grant.teamId === undefined ? defaultTeam : directory.teamFor(grant, args);
    } catch (error) {
      if (error instanceof SlackApiError) return { refusal: refuse(error.code, error.extra) };
      throw error;
    }
    const accepted = scopesAccepted(method, args, spec);
    const headers = { 'x-oauth-scopes': grant.scopes.join(','), 'x-accepted-oauth-scopes': accepted.join(',') };
    if (accepted.length > 0 && !accepted.some((scope) => grant.scopes.includes(scope))) {
      return { refusal: refuse('missing_scope', { needed: accepted[0], provided: grant.scopes.join(',') }, headers), teamId: team.id };
    }
    return { call: { team, grant }, headers };
  }

  /** The answer to a Web API call, and the team it acted in (for the record). */
  function answerApi(req: IncomingMessage, method: string, parsed: ParsedRequest): { answer: Answer; teamId?: string } {
    if (method === 'oauth.v2.access') return answerOAuth(req, method, parsed);
    const access = authorizeCall(req, method, parsed);
    const callTeam = 'call' in access ? access.call.team.id : access.teamId;
    const failure = recorder.takeFailure(method);
    if (failure) {
      // Taking effect first (a message posted) and then failing is how a post goes wrong after the fact.
      if (failure.afterEffect && 'call' in access) handleMethod(method, parsed.args, access.call, access.headers);
      return { answer: apiFailure(failure), teamId: callTeam };
    }
    if ('refusal' in access) return { answer: access.refusal, teamId: callTeam };
    if (rateLimiter) {
      const channel = method === 'chat.postMessage' && typeof parsed.args.channel === 'string' ? conversationFor(parsed.args.channel) : undefined;
      const limited = rateLimiter.check(access.call.team.id, method, channel);
      if (limited) {
        const answer = { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(limited.retryAfter) } };
        return { answer, teamId: callTeam };
      }
    }
    return { answer: handleMethod(method, parsed.args, access.call, access.headers), teamId: callTeam };
  }

  /** oauth.v2.access takes the app's credentials (form fields, or HTTP Basic auth as Slack prefers), not a token. */
  function answerOAuth(req: IncomingMessage, method: string, { args }: ParsedRequest): { answer: Answer; teamId?: string } {
    const failure = recorder.takeFailure(method);
    if (failure) return { answer: apiFailure(failure) };
    try {
      const result = oauth.access(args, basicCredentials(req));
      const teamId = (result.team as Json | null)?.id ?? (result.enterprise as Json | null)?.id;
      return { answer: { status: 200, body: { ok: true, ...result } }, teamId };
    } catch (error) {
      if (error instanceof SlackApiError) return { answer: refuse(error.code, error.extra) };
      throw error;
    }
  }

  /** auth.test: the token's team and bot; an org-wide token answers for its enterprise (team_id is the enterprise's id). */
  function authTest({ team, grant }: CallContext): Json {
    const orgWide = grant.teamId === undefined;
    const enterpriseId = orgWide ? grant.enterpriseId : team.enterpriseId;
    return {
      url: `https://${orgWide ? String(enterpriseId).toLowerCase() : team.domain}.slack.com/`,
      team: orgWide ? (directory.enterpriseNames.get(enterpriseId!) ?? enterpriseId) : team.name,
      user: 'salespulse',
      team_id: orgWide ? enterpriseId : team.id,
      user_id: grant.bot.userId,
      bot_id: grant.bot.botId,
      ...(enterpriseId ? { enterprise_id: enterpriseId } : {}),
      is_enterprise_install: grant.isEnterpriseInstall,
      ...(grant.expiresAt !== undefined ? { expires_in: Math.max(0, Math.floor((grant.expiresAt - clock.now().getTime()) / 1000)) } : {}),
    };
  }

  function handleMethod(method: string, args: Json, call: CallContext, headers: Record<string, string>): Answer {
    try {
      checkRequired(method, args, specs.get(method)!);
      if (method === 'auth.test') return { status: 200, body: { ok: true, ...authTest(call) }, headers };
      if (method === 'auth.revoke') {
        // test=1: Slack checks the token but keeps it.
        const testing = args.test === true || args.test === 'true' || args.test === '1';
        if (!testing) call.grant.revoked = true;
        return { status: 200, body: { ok: true, revoked: !testing }, headers };
      }
      const handler = handlers[method];
      const result = handler ? handler(args, call) : {};
      return { status: 200, body: { ok: true, ...result }, headers };
    } catch (error) {
      if (error instanceof SlackApiError) return refuse(error.code, error.extra, headers);
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
    const responseTeam = responseUrlTeams.get(id) ?? defaultTeam;

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
      const context = responseTeam.workspace.responseUrls.get(id);
      if (!problem && context) deliverResponse(responseTeam, context, body);
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
      teamId: responseTeam.id,
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
    if (req.method === 'GET' && url.pathname === '/oauth/v2/authorize') {
      // Slack's consent page: a test decides with fake.approve(url, …) or fake.cancel(url), as the person would.
      return sendAnswer(res, { status: 200, body: 'Fake Slack consent page: approve with fake.approve(authorizeUrl, { teamId, userId }) or cancel with fake.cancel(authorizeUrl).' });
    }
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
  // Keep idle connections open as Slack's edge does (well past a client's own keep-alive), not Node's 5 s: a server
  // closing an idle connection just as the client sends a post on it makes that post fail with a socket error after
  // it may have been read, which the bot rightly counts as "may have been posted" and never retries.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a benchmark opens hundreds of connections at once (Node's default of 511 resets the rest).
    server.listen(opts.listen?.port ?? 0, opts.listen?.host ?? '127.0.0.1', 4096, () => resolve());
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
      (responseUrlTeams.get(id) ?? defaultTeam).workspace.responseUrls.delete(id);
      responseUrlTeams.delete(id);
    }
    for (const team of directory.teams.values()) {
      for (const [trigger, issued] of team.workspace.triggers) if (now > issued.expiresAt) team.workspace.triggers.delete(trigger);
    }
  };

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port,
    responseUrl: (id = `r${++responseUrlCounter}-${randomToken(6)}`, context, forTeam) => {
      if (responseUrlMadeAt.size > 2000) forgetExpired();
      const team = knownTeam(forTeam);
      responseUrlMadeAt.set(id, Date.now());
      if (team !== defaultTeam) responseUrlTeams.set(id, team);
      if (context) team.workspace.responseUrls.set(id, context);
      return `${baseUrl}/response/${encodeURIComponent(id)}`;
    },
    issueTrigger(userId, forTeam) {
      const trigger = `${Math.floor(Date.now() / 1000)}.${++responseUrlCounter}.${randomToken(21)}`;
      knownTeam(forTeam).workspace.triggers.set(trigger, { userId, expiresAt: Date.now() + TRIGGER_LIFETIME_MS });
      return trigger;
    },
    nextTs,
    workspace,
    calls: recorder.calls,
    callsTo: (method, forTeam) => recorder.callsTo(method, forTeam),
    counts: () => recorder.counts(),
    count: (filter) => recorder.count(filter),
    waitFor: (method, predicate, timeoutMs, options) => recorder.waitFor(method, predicate, timeoutMs, options),
    reset: () => {
      recorder.reset();
      rateLimiter?.reset();
    },
    users: defaultTeam.users,
    addUser: (input, forTeam) => directory.addUser(input, knownTeam(forTeam).id),
    teamId,
    addTeam: (input) => directory.addTeam(input),
    team: (id) => knownTeam(id),
    workspaceOf: (id) => knownTeam(id).workspace,
    revokeTeam: (id) => {
      directory.revokeTeam(id);
    },
    revokeToken: (token) => {
      directory.revokeToken(token);
    },
    authorizeUrl: `${baseUrl}/oauth/v2/authorize`,
    authorizeInstall: (install) => oauth.authorizeInstall(install),
    approve: (authorizeUrl, install) => oauth.approve(authorizeUrl, install),
    cancel: (authorizeUrl) => oauth.cancel(authorizeUrl),
    failNext: (method, response) => recorder.failNext(method, response),
    delayNext: (method, delay) => recorder.delayNext(method, delay),
    channelsWithoutBot: defaultTeam.channelsWithoutBot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
