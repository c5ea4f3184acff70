/**
 * Slack's side of installing an app with OAuth v2, for the sandbox's Web API: the consent page (approve or cancel
 * an authorize URL, as a person would on slack.com/oauth/v2/authorize), the one-time code it hands back, and
 * `oauth.v2.access`, which checks the app's credentials and the code, mints a bot token and registers the workspace.
 *
 * Shapes as Slack documents them (docs.slack.dev/reference/methods/oauth.v2.access, and for org-wide installs
 * api.slack.com/enterprise/apps/reference): `team` is null and `enterprise` set for an org-wide install, and with
 * token rotation the answer adds `refresh_token` (xoxe-1-…) and `expires_in` to an `access_token` of the form
 * xoxe.xoxb-…. Refreshing (grant_type=refresh_token) answers the same shape with a new pair. Slack's token rotation
 * guide (docs.slack.dev/authentication/using-token-rotation): "The refresh token is then revoked, and a new refresh
 * token is used to exchange the new expiring access token when it expires." So a spent refresh token is refused
 * (`invalid_refresh_token`), while the access token it replaced keeps working until its own expiry (the guide revokes
 * only the refresh token; calls in flight during a rotation do not fail).
 */
import { randomBytes } from 'node:crypto';
import { SlackApiError } from './api-error.js';
import { isMissing, type Json } from './json-args.js';
import type { TeamDirectory, TokenGrant } from './teams.js';

export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  /** The Redirect URL configured for the app: where approve() sends the person when the authorize URL names none. */
  redirectUri?: string;
}

export interface InstallInput {
  /** The workspace installing; optional for an org-wide install (then a workspace of the org, when given). */
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  /** An Enterprise Grid org-wide install: the token acts in every workspace of `enterpriseId`. */
  isEnterpriseInstall?: boolean;
  /** The person who approved the install (`authed_user.id`). */
  userId: string;
  /** Bot scopes granted; default the fake's scopes. */
  scopes?: string[];
  /** Token rotation on: the bot token expires this many seconds after it is minted (Slack: 12 hours, 43200). */
  tokenRotation?: { expiresInSeconds?: number };
  /** The redirect_uri of the authorize request: oauth.v2.access must name the same one. */
  redirectUri?: string;
}

interface PendingCode {
  install: InstallInput;
  madeAt: number;
}

interface RefreshEntry {
  install: InstallInput;
  /** The access token minted with this refresh token: revoking it (uninstall) ends the refresh token too. */
  grant: TokenGrant;
  used: boolean;
}

/** Slack's codes work once, within ten minutes ("Installing with OAuth"). */
const CODE_LIFETIME_MS = 10 * 60_000;
const DEFAULT_EXPIRES_IN_SECONDS = 12 * 60 * 60;

const random = (bytes: number) => randomBytes(bytes).toString('hex');

export class FakeOAuth {
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, RefreshEntry>();
  private minted = 0;

  constructor(
    private readonly app: OAuthAppOptions | undefined,
    private readonly directory: TeamDirectory,
    private readonly now: () => number,
    private readonly defaultScopes: string[],
    private readonly appId: string,
  ) {}

  /** A one-time code, as if `install.userId` approved the install on Slack's consent page. */
  authorizeInstall(install: InstallInput): string {
    if (install.isEnterpriseInstall && !install.enterpriseId) throw new Error('Fake Slack: an org-wide install needs an enterpriseId');
    if (!install.isEnterpriseInstall && !install.teamId) throw new Error('Fake Slack: an install needs a teamId');
    const code = `${Date.now()}.${++this.minted}.${random(32)}`;
    this.codes.set(code, { install: { ...install }, madeAt: this.now() });
    return code;
  }

  /** Where Slack sends the browser after the person approves `authorizeUrl`: `<redirect_uri>?code=…&state=…`. */
  approve(authorizeUrl: string, install: Omit<InstallInput, 'redirectUri'>): string {
    const { params, redirect } = this.readAuthorizeUrl(authorizeUrl);
    const scopes = install.scopes ?? (params.get('scope') ?? '').split(',').filter(Boolean);
    const code = this.authorizeInstall({ ...install, scopes, redirectUri: params.get('redirect_uri') ?? undefined });
    return this.back(redirect, params, { code });
  }

  /** Where Slack sends the browser when the person cancels: `<redirect_uri>?error=access_denied&state=…`. */
  cancel(authorizeUrl: string): string {
    const { params, redirect } = this.readAuthorizeUrl(authorizeUrl);
    return this.back(redirect, params, { error: 'access_denied' });
  }

  /** oauth.v2.access: `basic` holds the client id and secret of an HTTP Basic Authorization header, when sent. */
  access(args: Json, basic?: { id: string; secret: string }): Json {
    const clientId = basic?.id ?? (isMissing(args.client_id) ? undefined : String(args.client_id));
    const clientSecret = basic?.secret ?? (isMissing(args.client_secret) ? undefined : String(args.client_secret));
    if (!this.app || clientId !== this.app.clientId) throw new SlackApiError('invalid_client_id');
    if (clientSecret !== this.app.clientSecret) throw new SlackApiError('bad_client_secret');
    const grantType = isMissing(args.grant_type) ? 'authorization_code' : String(args.grant_type);
    if (grantType === 'refresh_token') return this.refresh(String(args.refresh_token ?? ''));
    if (grantType !== 'authorization_code') throw new SlackApiError('invalid_grant_type');

    const pending = this.codes.get(String(args.code ?? ''));
    // A code works once: spent by this exchange whatever its outcome.
    this.codes.delete(String(args.code ?? ''));
    if (!pending || this.now() - pending.madeAt > CODE_LIFETIME_MS) throw new SlackApiError('invalid_code');
    const sentRedirect = isMissing(args.redirect_uri) ? undefined : String(args.redirect_uri);
    if (pending.install.redirectUri !== undefined && sentRedirect !== pending.install.redirectUri) throw new SlackApiError('bad_redirect_uri');
    return this.install(pending.install);
  }

  private install(install: InstallInput): Json {
    const orgWide = install.isEnterpriseInstall === true;
    if (install.enterpriseId !== undefined && install.enterpriseName !== undefined) {
      this.directory.enterpriseNames.set(install.enterpriseId, install.enterpriseName);
    }
    const team = install.teamId
      ? this.directory.addTeam({
          teamId: install.teamId,
          teamName: install.teamName,
          enterpriseId: install.enterpriseId,
          enterpriseName: install.enterpriseName,
        })
      : undefined;
    const grant: TokenGrant = {
      token: '',
      teamId: orgWide ? undefined : team!.id,
      enterpriseId: install.enterpriseId,
      isEnterpriseInstall: orgWide,
      scopes: [...(install.scopes ?? this.defaultScopes)],
      bot: team?.bot ?? { userId: 'UBOT', botId: 'B0001', appId: this.appId },
      revoked: false,
    };
    return this.mint(install, grant);
  }

  private refresh(refreshToken: string): Json {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.used || entry.grant.revoked) throw new SlackApiError('invalid_refresh_token');
    entry.used = true;
    const { token: _old, expiresAt: _expiresAt, ...rest } = entry.grant;
    return this.mint(entry.install, { ...rest, token: '' });
  }

  /** A new access token for `grant` (and a refresh token with rotation on), registered, as oauth.v2.access answers it. */
  private mint(install: InstallInput, grant: TokenGrant): Json {
    const teamNumber = String(1000 + this.minted++);
    const rotation = install.tokenRotation;
    const secret = random(12);
    grant.token = rotation ? `xoxe.xoxb-1-${teamNumber}-${secret}` : `xoxb-${teamNumber}-${this.minted}-${secret}`;
    const expiresIn = rotation ? (rotation.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS) : undefined;
    if (expiresIn !== undefined) grant.expiresAt = this.now() + expiresIn * 1000;
    this.directory.grant(grant);
    const team = grant.teamId ? this.directory.teams.get(grant.teamId) : undefined;
    const enterpriseName = grant.enterpriseId ? (this.directory.enterpriseNames.get(grant.enterpriseId) ?? grant.enterpriseId) : undefined;
    const answer: Json = {
      app_id: grant.bot.appId,
      authed_user: { id: install.userId },
      scope: grant.scopes.join(','),
      token_type: 'bot',
      access_token: grant.token,
      bot_user_id: grant.bot.userId,
      team: team ? { id: team.id, name: team.name } : null,
      enterprise: grant.enterpriseId ? { id: grant.enterpriseId, name: enterpriseName } : null,
      is_enterprise_install: grant.isEnterpriseInstall,
    };
    if (expiresIn !== undefined) {
      const refreshToken = `xoxe-1-${random(24)}`;
      this.refreshTokens.set(refreshToken, { install, grant, used: false });
      answer.refresh_token = refreshToken;
      answer.expires_in = expiresIn;
    }
    return answer;
  }

  private readAuthorizeUrl(authorizeUrl: string): { params: URLSearchParams; redirect: string } {
    const params = new URL(authorizeUrl).searchParams;
    // Slack shows an error page, and sends nobody back, for an unknown client or a missing redirect URL.
    if (!this.app || params.get('client_id') !== this.app.clientId) {
      throw new Error(`Fake Slack: the authorize URL names client_id ${params.get('client_id')}, not this app's`);
    }
    const redirect = params.get('redirect_uri') ?? this.app.redirectUri;
    if (!redirect) throw new Error('Fake Slack: the authorize URL has no redirect_uri and oauth.redirectUri is not set');
    if (!params.get('scope') && !params.get('user_scope')) throw new Error('Fake Slack: the authorize URL asks for no scope');
    return { params, redirect };
  }

  private back(redirect: string, params: URLSearchParams, extra: Record<string, string>): string {
    const url = new URL(redirect);
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
    const state = params.get('state');
    if (state !== null) url.searchParams.set('state', state);
    return url.toString();
  }
}
