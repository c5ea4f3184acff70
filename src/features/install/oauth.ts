/**
 * OAuth mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET set): one deployment serves every
 * workspace that installs it, through Bolt's install flow, with the installations in the database.
 *
 * Bolt's receiver serves the flow: GET /slack/install shows the "Add to Slack" page (pages.ts) and sets a signed
 * state in a cookie; Slack sends the browser back to GET /slack/oauth_redirect, where Bolt checks the state
 * against the cookie, exchanges the code (oauth.v2.access), and calls storeInstallation.
 *
 * One refresh path. Bolt does not accept an `authorize` of our own beside its installer ("You cannot provide both
 * authorize and oauth installer options"): its authorize is the installer's, which calls fetchInstallation for
 * each request and refreshes, by itself and without any lock, a token fetchInstallation returns with a refresh
 * token expiring within 2 hours. So fetchInstallation answers from InstallationTokens (tokens.ts: cached, refreshed
 * under a row lock) and returns the bot token only, never the refresh token or the expiry: Bolt has nothing to
 * refresh, and the token a handler gets is the one every other caller gets.
 */
import { webApi, type HTTPReceiverOptions, type Installation, type InstallationQuery, type InstallationStore } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { manifestBotScopes } from '../../lib/manifest.js';
import { observeApiCalls, type ApiCallObserver } from '../../slack/clients.js';
import { installedPage, installFailedPage, installPage, type InstallFailure } from './pages.js';
import { deleteInstallationRow, describeKey, saveInstallation, type InstallationKey } from './store.js';
import { InstallationTokens, type OpenedInstallation, type RefreshToken } from './tokens.js';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';
/** oauth.v2.access for a refresh is made holding a row lock: a short timeout, one retry. */
export const REFRESH_TIMEOUT_MS = 5_000;

/** What Bolt's receivers (HTTPReceiver, SocketModeReceiver) take to run the install flow. */
export type ReceiverOAuthOptions = Required<Pick<HTTPReceiverOptions, 'clientId' | 'clientSecret' | 'stateSecret' | 'scopes' | 'installationStore' | 'installerOptions'>>;

/** Which workspace or org an uninstall or revocation concerns (the lifecycle feature's UninstallScope). */
export interface TokenScope {
  enterpriseId: string | null;
  teamId: string | null;
  isEnterpriseInstall: boolean;
}

export interface OAuthSetup {
  /** Every workspace's bot token: pass it to buildApp's clients and the scheduler. */
  tokens: InstallationTokens;
  installationStore: InstallationStore;
  /** Spread into the receiver's options. */
  receiverOptions: ReceiverOAuthOptions;
  /** After an uninstall or revocation in this process: stop serving its tokens at once. */
  forgetTokens(scope: TokenScope): void;
}

export interface OAuthSetupOptions {
  config: Config;
  db: Db;
  secretBox: SecretBox;
  clock: Clock;
  logger: Logger;
  /** The app's Web API client options (slackApiUrl, timeout, logger): the flow's oauth.v2.access and auth.test use them. */
  clientOptions: webApi.WebClientOptions;
  observeApiCall?: ApiCallObserver;
  /** Default: the bot scopes of manifest.yml. */
  scopes?: string[];
  /** Slack's consent page. Default: beside SLACK_API_URL (https://slack.com/oauth/v2/authorize for https://slack.com/api/). */
  authorizationUrl?: string;
}

/**
 * Slack's consent page for an API base URL: `<origin and path>/api/` → `…/oauth/v2/authorize`, so the fake Slack
 * of the tests (and a Slack-compatible endpoint) serves both. Any other URL: Slack's own page.
 */
export function authorizationUrlFor(slackApiUrl: string): string {
  return slackApiUrl.endsWith('/api/') ? `${slackApiUrl.slice(0, -'api/'.length)}oauth/v2/authorize` : 'https://slack.com/oauth/v2/authorize';
}

/** oauth.v2.access with grant_type=refresh_token, on a client of its own (no token, short timeout, one retry). */
export function slackTokenRefresher(config: Config, clientOptions: webApi.WebClientOptions, observe?: ApiCallObserver): RefreshToken {
  const client = observeApiCalls(
    new webApi.WebClient(undefined, { ...clientOptions, timeout: REFRESH_TIMEOUT_MS, retryConfig: { retries: 1, factor: 1, minTimeout: 500, maxTimeout: 500 } }),
    observe,
  );
  return async (refreshToken) => {
    const answer = await client.oauth.v2.access({
      client_id: config.SLACK_CLIENT_ID!,
      client_secret: config.SLACK_CLIENT_SECRET!,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    if (!answer.access_token || !answer.refresh_token || !answer.expires_in) throw new Error('oauth.v2.access answered without a rotated token pair');
    return { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresIn: answer.expires_in };
  };
}

/** Bolt's view of an installation: the bot token only (see the top of this file for why no refresh token). */
function toBoltInstallation(opened: OpenedInstallation): Installation {
  const { key } = opened;
  return {
    team: key.teamId ? { id: key.teamId, name: opened.teamName ?? undefined } : undefined,
    enterprise: key.enterpriseId ? { id: key.enterpriseId, name: opened.enterpriseName ?? undefined } : undefined,
    isEnterpriseInstall: key.teamId === '',
    user: { id: '', token: undefined, scopes: undefined },
    bot: { token: opened.botToken, scopes: opened.botScopes?.split(',') ?? [], id: opened.botId ?? '', userId: opened.botUserId ?? '' },
    appId: opened.appId ?? undefined,
    tokenType: 'bot',
    authVersion: 'v2',
  } as Installation;
}

/** The key a query names: an org-wide install (E, ''), else the workspace's own row. */
function keyOfQuery(query: InstallationQuery<boolean>): InstallationKey | undefined {
  if (query.isEnterpriseInstall && query.enterpriseId) return { enterpriseId: query.enterpriseId, teamId: '' };
  if (query.teamId) return { enterpriseId: query.enterpriseId ?? '', teamId: query.teamId };
  return undefined;
}

/** Bolt's InstallationStore over the database (store.ts) and the token source (tokens.ts). */
export function createInstallationStore(deps: { db: Db; secretBox: SecretBox; clock: Clock; logger: Logger }, tokens: InstallationTokens): InstallationStore {
  return {
    async storeInstallation(installation) {
      const key = await saveInstallation(deps.db, deps.secretBox, installation as Installation, deps.clock.now());
      // A reinstall brings a new token: drop the old one (and a remembered "not installed") here at once.
      tokens.invalidate(key.teamId ? { teamId: key.teamId } : { enterpriseId: key.enterpriseId });
      deps.logger.info({ installation: describeKey(key), orgWide: key.teamId === '' }, 'Sales Pulse was installed');
    },
    async fetchInstallation(query) {
      const { teamId, enterpriseId } = query;
      let opened: OpenedInstallation | undefined;
      if (query.isEnterpriseInstall && enterpriseId) opened = (await tokens.forOrg(enterpriseId, teamId)) ?? (teamId ? await tokens.forTeam(teamId, enterpriseId) : undefined);
      else if (teamId) opened = await tokens.forTeam(teamId, enterpriseId);
      else if (enterpriseId) opened = await tokens.forOrg(enterpriseId);
      if (!opened) throw new Error(`Sales Pulse is not installed in ${teamId ?? ''}${enterpriseId ? ` (org ${enterpriseId})` : ''}`);
      return toBoltInstallation(opened);
    },
    async deleteInstallation(query) {
      const key = keyOfQuery(query);
      if (!key) return;
      await deleteInstallationRow(deps.db, key);
      tokens.invalidate(key.teamId ? { teamId: key.teamId } : { enterpriseId: key.enterpriseId });
    },
  };
}

/** The failure a person sees, from what Bolt's install flow threw and what Slack put in the redirect. */
export function classifyInstallFailure(error: { code?: string; data?: { error?: string } }, req: IncomingMessage): InstallFailure {
  const slackError = new URL(req.url ?? '/', 'http://localhost').searchParams.get('error');
  if (slackError === 'access_denied') return { kind: 'cancelled' };
  if (slackError) return { kind: 'refused_by_slack', error: slackError };
  switch (error.code) {
    case 'slack_oauth_missing_state':
    case 'slack_oauth_invalid_state':
      return { kind: 'bad_state' };
    case 'slack_oauth_missing_code':
      return { kind: 'missing_code' };
    case webApi.ErrorCode.PlatformError:
      return { kind: 'refused_by_slack', error: error.data?.error ?? 'unknown_error' };
    case webApi.ErrorCode.HTTPError:
    case webApi.ErrorCode.RequestError:
      return { kind: 'refused_by_slack', error: 'slack_unreachable' };
    default:
      return { kind: 'not_saved' };
  }
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Everything OAuth mode needs: the token source, the installation store, and the receivers' options. */
export function createOAuthSetup(options: OAuthSetupOptions): OAuthSetup {
  const { config, db, secretBox, clock, logger } = options;
  const tokens = new InstallationTokens({ db, box: secretBox, clock, logger, refresh: slackTokenRefresher(config, options.clientOptions, options.observeApiCall) });
  const installationStore = createInstallationStore({ db, secretBox, clock, logger }, tokens);
  return {
    tokens,
    installationStore,
    forgetTokens: (scope) => {
      if (scope.isEnterpriseInstall && scope.enterpriseId) tokens.invalidate({ enterpriseId: scope.enterpriseId });
      else if (scope.teamId) tokens.invalidate({ teamId: scope.teamId });
      else if (scope.enterpriseId) tokens.invalidate({ enterpriseId: scope.enterpriseId });
    },
    receiverOptions: {
      clientId: config.SLACK_CLIENT_ID!,
      clientSecret: config.SLACK_CLIENT_SECRET!,
      stateSecret: config.SLACK_STATE_SECRET!,
      scopes: options.scopes ?? manifestBotScopes(),
      installationStore,
      installerOptions: {
        installPath: INSTALL_PATH,
        redirectUriPath: REDIRECT_PATH,
        // Our own page first (what the app does, then "Add to Slack"), not a bare redirect to Slack.
        directInstall: false,
        stateVerification: true,
        authVersion: 'v2',
        authorizationUrl: options.authorizationUrl ?? authorizationUrlFor(config.SLACK_API_URL),
        // The receiver is built before the App, so the App's clientOptions do not reach the installer: give them here.
        clientOptions: { ...options.clientOptions },
        renderHtmlForInstallPath: installPage,
        callbackOptions: {
          success: (installation, _options, _req, res) => {
            const orgWide = Boolean(installation.isEnterpriseInstall);
            send(
              res,
              200,
              installedPage({
                orgWide,
                teamId: installation.team?.id,
                teamName: installation.team?.name,
                enterpriseName: installation.enterprise?.name,
                appId: installation.appId,
              }),
            );
          },
          failure: (error, _options, req, res) => {
            const failure = classifyInstallFailure(error as { code?: string; data?: { error?: string } }, req);
            logger[failure.kind === 'not_saved' ? 'error' : 'warn']({ err: error, failure: failure.kind }, 'a Slack install did not complete');
            const page = installFailedPage(failure, INSTALL_PATH);
            send(res, page.status, page.html);
          },
        },
      },
    },
  };
}

