/**
 * Build and send requests to the Bolt HTTP receiver exactly as Slack does: signed with the signing
 * secret, slash commands and interactions as `application/x-www-form-urlencoded` (no charset: Bolt
 * compares the content type exactly), events as `application/json`.
 *
 * Payload shapes follow test/fixtures/slack-payloads/.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Json } from './json-args.js';

export const DEFAULT_TEAM_ID = 'T0001';
export const DEFAULT_USER_ID = 'U2147483697';
export const DEFAULT_CHANNEL_ID = 'C2147483705';
const DEFAULT_USER_NAME = 'ana';
const API_APP_ID = 'A123456';
/** The legacy verification token Slack still sends; Bolt ignores it. */
const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';

export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs every request. */
export function signSlackRequest(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): SlackSignatureHeaders {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

// ---------------------------------------------------------------------------------------------
// Ids that look like Slack's
// ---------------------------------------------------------------------------------------------

let sequence = 0;

/** A fresh trigger id shaped like Slack's ('13345224609.738474920.8088930838d88f008e0'). */
export function newTriggerId(): string {
  sequence += 1;
  return `${13345224609 + sequence}.738474920.${randomBytes(11).toString('hex').slice(0, 21)}`;
}

function actionTs(): string {
  const micros = Date.now() * 1000 + (++sequence % 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

/**
 * The workspace a request comes from. In an Enterprise Grid org, Slack adds the enterprise; for an org-wide install
 * `isEnterpriseInstall` is true (events then carry `team_id: null` in their authorization).
 */
export interface TeamContext {
  teamId?: string;
  /** The workspace's subdomain; default 'example'. */
  teamDomain?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  isEnterpriseInstall?: boolean;
}

/** The `team`, `enterprise` and `is_enterprise_install` fields of an interaction payload. */
function interactionTeam(input: TeamContext) {
  const teamId = input.teamId ?? DEFAULT_TEAM_ID;
  const enterprise = input.enterpriseId ? { id: input.enterpriseId, name: input.enterpriseName ?? input.enterpriseId } : null;
  return {
    team: { id: teamId, domain: input.teamDomain ?? 'example', ...(enterprise ? { enterprise_id: enterprise.id, enterprise_name: enterprise.name } : {}) },
    enterprise,
    is_enterprise_install: input.isEnterpriseInstall ?? false,
  };
}

function userObject(userId: string, teamId: string, userName?: string) {
  const name = userName ?? (userId === DEFAULT_USER_ID ? DEFAULT_USER_NAME : userId.toLowerCase());
  return { id: userId, username: name, name, team_id: teamId };
}

// ---------------------------------------------------------------------------------------------
// Interaction payload builders
// ---------------------------------------------------------------------------------------------

/** `view.state.values`: block_id -> action_id -> element state (e.g. `{ type: 'plain_text_input', value: 'Acme' }`). */
export type ViewStateValues = Record<string, Record<string, Record<string, unknown>>>;

export interface ViewSubmissionInput extends TeamContext {
  callbackId: string;
  values: ViewStateValues;
  privateMetadata?: string;
  userId?: string;
  userName?: string;
  viewId?: string;
  hash?: string;
  /** The blocks of the submitted view (Slack sends them back); default []. */
  blocks?: unknown[];
  title?: string;
  triggerId?: string;
  /** For modals opened with `response_url_enabled` inputs. */
  responseUrls?: { block_id: string; action_id: string; channel_id: string; response_url: string }[];
}

export function viewSubmission(input: ViewSubmissionInput) {
  const teamId = input.teamId ?? DEFAULT_TEAM_ID;
  const viewId = input.viewId ?? 'V0123ABCD';
  const { team, enterprise, is_enterprise_install } = interactionTeam(input);
  return {
    type: 'view_submission',
    team,
    user: userObject(input.userId ?? DEFAULT_USER_ID, teamId, input.userName),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
      hash: input.hash ?? '1733000020.abcd1234',
      root_view_id: viewId,
      previous_view_id: null,
      app_id: API_APP_ID,
      bot_id: 'B0001',
      title: { type: 'plain_text', text: input.title ?? 'Log activity' },
      submit: { type: 'plain_text', text: 'Save' },
      blocks: input.blocks ?? [],
      state: { values: input.values },
    },
    response_urls: input.responseUrls ?? [],
    is_enterprise_install,
    enterprise,
  };
}

export interface BlockActionInput extends TeamContext {
  actionId: string;
  value?: string;
  userId?: string;
  userName?: string;
  blockId?: string;
  /** Element type; default 'button'. */
  actionType?: string;
  /** Extra fields of the action (e.g. `selected_option` for a select). */
  action?: Record<string, unknown>;
  /** Message actions: the channel of the message. */
  channelId?: string;
  responseUrl?: string;
  triggerId?: string;
  /** View actions (modal or App Home): the view the action happened in; container and payload then refer to it. */
  view?: Json;
  /** Overrides the container derived from channelId/view. */
  container?: Record<string, unknown>;
  /** The message the action is in (non-ephemeral messages; Slack includes it). */
  message?: Record<string, unknown>;
  state?: { values: ViewStateValues };
}

export function blockAction(input: BlockActionInput) {
  const teamId = input.teamId ?? DEFAULT_TEAM_ID;
  const inView = input.view !== undefined;
  const channelId = inView ? input.channelId : (input.channelId ?? DEFAULT_CHANNEL_ID);
  const container =
    input.container ??
    (inView
      ? { type: 'view', view_id: input.view!.id ?? 'V0123ABCD' }
      : {
          type: 'message',
          message_ts: (input.message?.ts as string | undefined) ?? '1733000000.000200',
          channel_id: channelId,
          is_ephemeral: input.message === undefined,
        });
  return {
    type: 'block_actions',
    user: userObject(input.userId ?? DEFAULT_USER_ID, teamId, input.userName),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    container,
    trigger_id: input.triggerId ?? newTriggerId(),
    ...interactionTeam(input),
    ...(channelId ? { channel: { id: channelId, name: 'sales' } } : {}),
    ...(inView ? { view: input.view } : {}),
    ...(input.message ? { message: input.message } : {}),
    state: input.state ?? { values: {} },
    // Slack gives a response_url to message actions only, not to actions in a modal or App Home.
    ...(inView && input.responseUrl === undefined
      ? {}
      : { response_url: input.responseUrl ?? `https://hooks.slack.com/actions/${teamId}/1234/5678` }),
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId ?? 'actions',
        type: input.actionType ?? 'button',
        ...(input.value !== undefined ? { value: input.value } : {}),
        ...((input.actionType ?? 'button') === 'button' ? { text: { type: 'plain_text', text: 'Button', emoji: true } } : {}),
        action_ts: actionTs(),
        ...input.action,
      },
    ],
  };
}

export interface BlockSuggestionInput extends TeamContext {
  /** The external_select's action id and block id. */
  actionId: string;
  blockId: string;
  /** What the person has typed so far ('' when they just opened the menu). */
  value: string;
  userId?: string;
  userName?: string;
  /** The view the select is in (a modal or App Home): container and payload then refer to it. */
  view?: Json;
  /** A select in a message: its channel. */
  channelId?: string;
}

/**
 * A `block_suggestion`: an external_select asks the app for its options as the person types (Slack sends it to the
 * options load URL, `settings.interactivity.message_menu_options_url`). The app answers in its ack with `options`.
 * Shape: docs.slack.dev/reference/interaction-payloads/block_suggestion-payload.
 */
export function blockSuggestion(input: BlockSuggestionInput) {
  const teamId = input.teamId ?? DEFAULT_TEAM_ID;
  const inView = input.view !== undefined;
  return {
    type: 'block_suggestion',
    user: userObject(input.userId ?? DEFAULT_USER_ID, teamId, input.userName),
    container: inView
      ? { type: 'view', view_id: (input.view!.id as string | undefined) ?? 'V0123ABCD' }
      : { type: 'message', message_ts: '1733000000.000200', channel_id: input.channelId ?? DEFAULT_CHANNEL_ID, is_ephemeral: false },
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    action_id: input.actionId,
    block_id: input.blockId,
    value: input.value,
    ...interactionTeam(input),
    ...(inView ? { view: input.view } : { channel: { id: input.channelId ?? DEFAULT_CHANNEL_ID, name: 'sales' } }),
  };
}

export interface GlobalShortcutInput extends TeamContext {
  callbackId: string;
  userId?: string;
  userName?: string;
  triggerId?: string;
}

export function globalShortcut(input: GlobalShortcutInput) {
  const teamId = input.teamId ?? DEFAULT_TEAM_ID;
  const { name: _name, ...user } = userObject(input.userId ?? DEFAULT_USER_ID, teamId, input.userName);
  return {
    type: 'shortcut',
    token: VERIFICATION_TOKEN,
    action_ts: actionTs(),
    team: interactionTeam(input).team,
    user,
    is_enterprise_install: interactionTeam(input).is_enterprise_install,
    enterprise: interactionTeam(input).enterprise,
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? newTriggerId(),
  };
}

// ---------------------------------------------------------------------------------------------
// The sender
// ---------------------------------------------------------------------------------------------

export interface SlashCommandInput {
  command: string;
  text?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  /** Default: a fresh one per call. */
  triggerId?: string;
  /** Default: the sender's `responseUrl(id)` with a fresh id. */
  responseUrl?: string;
  teamId?: string;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The parsed body, or null when it is empty or not JSON. */
  json(): Json | null;
}

export interface SlashCommandResponse extends SlackHttpResponse {
  triggerId: string;
  responseUrl: string;
  /** The id passed to the sender's `responseUrl` factory (matches `RecordedCall.responseUrlId`), when it made the URL. */
  responseUrlId?: string;
}

export interface EventResponse extends SlackHttpResponse {
  eventId: string;
}

export interface EventOptions {
  /** Sent as X-Slack-Retry-Num, with X-Slack-Retry-Reason. */
  retryNum?: number;
  /** Default 'http_timeout' when retryNum is set. */
  retryReason?: string;
  /** Reuse an event id (Slack's retries carry the original one). Default: a fresh one. */
  eventId?: string;
}

export interface SlackSender {
  command(cmd: SlashCommandInput): Promise<SlashCommandResponse>;
  /** Sends `payload=<JSON>` form-encoded, as Slack sends interactions. */
  interaction(payload: object): Promise<SlackHttpResponse>;
  /** Wraps `event` in an event_callback envelope. */
  event(event: object, opts?: EventOptions): Promise<EventResponse>;
  /** Sends `body` with exactly these headers: no signature is added. */
  raw(body: string, headers: Record<string, string>): Promise<SlackHttpResponse>;
  /** The workspace this sender speaks for: spread it into blockAction/viewSubmission/globalShortcut inputs. */
  team: TeamContext & { teamId: string };
}

export interface SlackSenderOptions extends TeamContext {
  /** e.g. 'http://127.0.0.1:PORT/slack/events' */
  url: string;
  signingSecret: string;
  /** Makes response_url values, normally `fake.responseUrl`. Without it they point at a closed local port. */
  responseUrl?: (id: string) => string;
  /** The bot user events are authorized for; default 'UBOT'. */
  botUserId?: string;
}

/** The `app_uninstalled` event: the app was removed from the workspace (Slack sends it once its last token is revoked). */
export function appUninstalledEvent() {
  return { type: 'app_uninstalled' };
}

/**
 * The `tokens_revoked` event: lists the user ids whose tokens were revoked, by kind (`bot` for bot tokens, `oauth`
 * for user tokens), never the tokens themselves.
 */
export function tokensRevokedEvent(tokens: { bot?: string[]; oauth?: string[] }) {
  return { type: 'tokens_revoked', tokens: { ...(tokens.oauth ? { oauth: tokens.oauth } : {}), ...(tokens.bot ? { bot: tokens.bot } : {}) } };
}

/**
 * Events Slack documents without `event_ts` and sends without `authorizations` (the app they would authorize is
 * gone): docs.slack.dev/reference/events/app_uninstalled and /tokens_revoked. Bolt skips authorization for both.
 */
const UNAUTHORIZED_EVENTS = new Set(['app_uninstalled', 'tokens_revoked']);

const FORM = 'application/x-www-form-urlencoded';

export function slackSender(opts: SlackSenderOptions): SlackSender {
  const teamId = opts.teamId ?? DEFAULT_TEAM_ID;
  const team = {
    teamId,
    teamDomain: opts.teamDomain ?? 'example',
    ...(opts.enterpriseId ? { enterpriseId: opts.enterpriseId, enterpriseName: opts.enterpriseName ?? opts.enterpriseId } : {}),
    isEnterpriseInstall: opts.isEnterpriseInstall ?? false,
  };
  let commandCount = 0;
  let eventCount = 0;

  async function post(body: string, headers: Record<string, string>): Promise<SlackHttpResponse> {
    const response = await fetch(opts.url, { method: 'POST', headers, body });
    const text = await response.text();
    return {
      status: response.status,
      body: text,
      headers: Object.fromEntries(response.headers),
      json() {
        if (text.trim() === '') return null;
        try {
          return JSON.parse(text);
        } catch {
          return null;
        }
      },
    };
  }

  // Slack signs each delivery as it sends it, and never delivers the same bytes with the same signature twice (the
  // bot refuses that as a replay): the same body sent again within a second is signed a second later. raw() sends
  // exact bytes and headers, to replay a request.
  const signedAt = new Map<string, number>();
  function deliveryTimestamp(body: string): number {
    const now = Math.floor(Date.now() / 1000);
    const key = createHash('sha256').update(body).digest('base64');
    const last = signedAt.get(key);
    const timestamp = last !== undefined && last >= now ? last + 1 : now;
    signedAt.set(key, timestamp);
    if (signedAt.size > 1000) for (const [k, t] of signedAt) if (t < now - 10) signedAt.delete(k);
    return timestamp;
  }

  const signed = (body: string, contentType: string, extra: Record<string, string> = {}) =>
    post(body, { 'content-type': contentType, ...signSlackRequest(opts.signingSecret, body, deliveryTimestamp(body)), ...extra });

  return {
    async command(cmd) {
      commandCount += 1;
      const team = cmd.teamId ?? teamId;
      let responseUrlId: string | undefined;
      let responseUrl = cmd.responseUrl;
      if (responseUrl === undefined) {
        responseUrlId = `cmd-${commandCount}-${randomBytes(3).toString('hex')}`;
        // Port 9 (discard) on loopback: a respond() made without a fake fails fast instead of reaching Slack.
        responseUrl = opts.responseUrl?.(responseUrlId) ?? `http://127.0.0.1:9/commands/${team}/${responseUrlId}`;
      }
      const triggerId = cmd.triggerId ?? newTriggerId();
      const userId = cmd.userId ?? DEFAULT_USER_ID;
      // Field order and content as in test/fixtures/slack-payloads/slash-command.form.txt.
      const body = new URLSearchParams({
        token: VERIFICATION_TOKEN,
        team_id: team,
        team_domain: opts.teamDomain ?? 'example',
        enterprise_id: opts.enterpriseId ?? '',
        enterprise_name: opts.enterpriseId ? (opts.enterpriseName ?? opts.enterpriseId) : '',
        channel_id: cmd.channelId ?? DEFAULT_CHANNEL_ID,
        channel_name: cmd.channelName ?? 'sales',
        user_id: userId,
        user_name: cmd.userName ?? (userId === DEFAULT_USER_ID ? DEFAULT_USER_NAME : userId.toLowerCase()),
        command: cmd.command,
        text: cmd.text ?? '',
        api_app_id: API_APP_ID,
        is_enterprise_install: String(opts.isEnterpriseInstall ?? false),
        response_url: responseUrl,
        trigger_id: triggerId,
      }).toString();
      const response = await signed(body, FORM);
      return { ...response, triggerId, responseUrl, responseUrlId };
    },

    interaction(payload) {
      return signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
    },

    async event(event, eventOpts = {}) {
      eventCount += 1;
      const eventId = eventOpts.eventId ?? `Ev${String(eventCount).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`;
      const now = Math.floor(Date.now() / 1000);
      const unauthorized = UNAUTHORIZED_EVENTS.has(String((event as { type?: unknown }).type));
      const orgWide = opts.isEnterpriseInstall ?? false;
      const envelope = {
        token: VERIFICATION_TOKEN,
        team_id: teamId,
        ...(opts.enterpriseId ? { enterprise_id: opts.enterpriseId } : {}),
        api_app_id: API_APP_ID,
        event: unauthorized ? event : { event_ts: `${now}.000100`, ...event },
        type: 'event_callback',
        event_id: eventId,
        event_time: now,
        ...(unauthorized
          ? {}
          : {
              authorizations: [
                {
                  enterprise_id: opts.enterpriseId ?? null,
                  // An org-wide installation is authorized for the org, not one workspace.
                  team_id: orgWide ? null : teamId,
                  user_id: opts.botUserId ?? 'UBOT',
                  is_bot: true,
                  is_enterprise_install: orgWide,
                },
              ],
              is_ext_shared_channel: false,
            }),
      };
      const retryHeaders: Record<string, string> =
        eventOpts.retryNum !== undefined
          ? { 'x-slack-retry-num': String(eventOpts.retryNum), 'x-slack-retry-reason': eventOpts.retryReason ?? 'http_timeout' }
          : {};
      const response = await signed(JSON.stringify(envelope), 'application/json', retryHeaders);
      return { ...response, eventId };
    },

    raw: (body, headers) => post(body, headers),
    team,
  };
}
