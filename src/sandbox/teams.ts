/**
 * The workspaces the sandbox's Web API serves and the tokens that act in them. Each workspace (team) has its own
 * people, its own Workspace (messages, Home tabs, modals, files) and its own bot scopes, so two teams can use the
 * same channel and user ids and never see each other's data; every call is answered in the team of its token.
 *
 * A token is a grant: the team it acts in (none for an Enterprise Grid org-wide install, whose token acts in any
 * workspace of its enterprise), the scopes, the bot, and when it expires or whether it was revoked. The fake's clock
 * decides expiry.
 */
import { SlackApiError } from './api-error.js';
import { newFakeUser, type FakeUser, type FakeUserInput } from './fake-users.js';
import { isMissing, type Json } from './json-args.js';
import { Workspace } from './workspace.js';

export interface BotIdentity {
  userId: string;
  botId: string;
  appId: string;
}

export interface TeamInput {
  teamId: string;
  /** Default: the team id. */
  teamName?: string;
  /** The workspace's subdomain (`<domain>.slack.com`); default made from the id. */
  domain?: string;
  /** The Enterprise Grid org the workspace belongs to. */
  enterpriseId?: string;
  enterpriseName?: string;
  /** A token acting in this team (as if the app were installed there); none for a team only reached through an org-wide token. */
  botToken?: string;
  /** Bot scopes granted to `botToken`; default the fake's `scopes`. */
  scopes?: string[];
  /** Default 'UBOT' (as in the default team, so tests read alike whatever the team). */
  botUserId?: string;
  botId?: string;
  workspace?: Workspace;
}

export interface FakeTeam {
  readonly id: string;
  name: string;
  domain: string;
  enterpriseId?: string;
  enterpriseName?: string;
  bot: BotIdentity;
  readonly workspace: Workspace;
  readonly users: Map<string, FakeUser>;
  /** Conversations the bot is not a member of. */
  readonly channelsWithoutBot: Set<string>;
  /** View id -> current hash, and person -> their Home tab's view id: what views.* checks against. */
  readonly viewHashes: Map<string, string>;
  readonly homeViewIds: Map<string, string>;
  /** Unknown users are made up from their id (teams of `tokenTeam`, where nobody adds people). */
  inventUsers: boolean;
}

export interface TokenGrant {
  token: string;
  /** The team the token acts in; undefined for an org-wide install's token (it acts in any team of `enterpriseId`). */
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  scopes: string[];
  bot: BotIdentity;
  /** Milliseconds on the fake's clock after which calls are refused with `token_expired`. */
  expiresAt?: number;
  revoked: boolean;
}

export interface TeamDirectoryOptions {
  /** Scopes of tokens that name none. */
  scopes: string[];
  appId: string;
  /** Tokens not registered: the team they act in (registered on first use), or undefined for `invalid_auth`. */
  tokenTeam?: (token: string) => string | undefined;
}

/** Every team and token the fake knows. */
export class TeamDirectory {
  readonly teams = new Map<string, FakeTeam>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly enterpriseNames = new Map<string, string>();

  constructor(private readonly opts: TeamDirectoryOptions) {}

  /** Register a team (or update the name and enterprise of a known one, keeping its data), and its token if given. */
  addTeam(input: TeamInput): FakeTeam {
    let team = this.teams.get(input.teamId);
    if (!team) {
      team = {
        id: input.teamId,
        name: input.teamName ?? input.teamId,
        domain: input.domain ?? input.teamId.toLowerCase(),
        bot: { userId: input.botUserId ?? 'UBOT', botId: input.botId ?? 'B0001', appId: this.opts.appId },
        workspace: input.workspace ?? new Workspace(),
        users: new Map(),
        channelsWithoutBot: new Set(),
        viewHashes: new Map(),
        homeViewIds: new Map(),
        inventUsers: false,
      };
      this.teams.set(team.id, team);
    } else if (input.teamName !== undefined) {
      team.name = input.teamName;
    }
    if (input.enterpriseId !== undefined) {
      team.enterpriseId = input.enterpriseId;
      if (input.enterpriseName !== undefined) this.enterpriseNames.set(input.enterpriseId, input.enterpriseName);
      team.enterpriseName = this.enterpriseNames.get(input.enterpriseId);
    }
    if (input.botToken !== undefined) {
      this.grant({
        token: input.botToken,
        teamId: team.id,
        enterpriseId: team.enterpriseId,
        isEnterpriseInstall: false,
        scopes: [...(input.scopes ?? this.opts.scopes)],
        bot: team.bot,
        revoked: false,
      });
    }
    return team;
  }

  grant(grant: TokenGrant): void {
    this.tokens.set(grant.token, grant);
  }

  /** The grant behind a token, or the error code Slack answers for it. */
  authenticate(token: string, now: number): TokenGrant | string {
    let grant = this.tokens.get(token);
    if (!grant) {
      const teamId = this.opts.tokenTeam?.(token);
      if (teamId === undefined) return 'invalid_auth';
      const known = this.teams.has(teamId);
      const team = this.addTeam({ teamId, botToken: token });
      if (!known) team.inventUsers = true;
      grant = this.tokens.get(token)!;
    }
    if (grant.revoked) return 'token_revoked';
    if (grant.expiresAt !== undefined && now >= grant.expiresAt) return 'token_expired';
    return grant;
  }

  /**
   * The team a call acts in. An org-wide token names the workspace with `team_id` (Slack requires it for methods
   * that act in one workspace); without it, the workspace of its enterprise that knows the user asked about, or the
   * enterprise's first workspace.
   */
  teamFor(grant: TokenGrant, args: Json): FakeTeam {
    if (grant.teamId !== undefined) return this.teams.get(grant.teamId)!;
    const candidates = [...this.teams.values()].filter((t) => t.enterpriseId === grant.enterpriseId);
    if (!isMissing(args.team_id)) {
      const named = candidates.find((t) => t.id === args.team_id);
      if (!named) throw new SlackApiError('team_access_not_granted');
      return named;
    }
    const user = typeof args.user === 'string' ? args.user : typeof args.user_id === 'string' ? args.user_id : undefined;
    const byUser = user ? candidates.find((t) => t.users.has(user)) : undefined;
    const team = byUser ?? candidates[0];
    if (!team) throw new SlackApiError('team_access_not_granted');
    return team;
  }

  addUser(input: FakeUserInput, teamId: string): FakeUser {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`Fake Slack: no team ${teamId}; addTeam it first`);
    const user = newFakeUser(input, teamId);
    team.users.set(user.id, user);
    return user;
  }

  /** A person of `team`; for a team whose people are made up, one named after the id (kept, so it is made once). */
  user(team: FakeTeam, id: string): FakeUser | undefined {
    const known = team.users.get(id);
    if (known || !team.inventUsers || !/^[UW][A-Z0-9]+$/.test(id)) return known;
    const invented = newFakeUser({ id, tz: 'UTC', tz_label: 'Coordinated Universal Time', tz_offset: 0 }, team.id);
    team.users.set(id, invented);
    return invented;
  }

  /** Revoke every token of a team, or (given an enterprise id) every org-wide token of that enterprise. */
  revokeTeam(teamOrEnterpriseId: string): number {
    let count = 0;
    for (const grant of this.tokens.values()) {
      const orgWide = grant.teamId === undefined && grant.enterpriseId === teamOrEnterpriseId;
      if ((grant.teamId === teamOrEnterpriseId || orgWide) && !grant.revoked) {
        grant.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  revokeToken(token: string): boolean {
    const grant = this.tokens.get(token);
    if (!grant || grant.revoked) return false;
    grant.revoked = true;
    return true;
  }
}
