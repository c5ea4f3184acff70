import type { webApi } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { adminGrants } from '../db/schema/index.js';
import { getProfileForPermission, isWorkspaceAdmin, type SlackUser } from '../slack/user-directory.js';
import { salesTeamIdsOf } from './teams.js';

/**
 * Who someone is in Sales Pulse, decided on the server for every command, button and form: never from a payload.
 * - admin: a Slack workspace admin or owner (automatically), or granted by an admin;
 * - manager: manages one or more sales teams (granted by an admin);
 * - rep: everyone else.
 * An admin who also manages teams is an admin (admins can do everything a manager can, for every team).
 */
export interface Role {
  userId: string;
  kind: 'admin' | 'manager' | 'rep';
  /** Slack says admin or owner (the only admins who cannot be revoked in Sales Pulse). */
  slackAdmin: boolean;
  /** Granted the admin role in Sales Pulse. */
  grantedAdmin: boolean;
  /** The sales teams this person manages (ids, sorted). */
  managedTeamIds: string[];
  profile: SlackUser;
}

type RoleDeps = Pick<Deps, 'db' | 'clock' | 'logger' | 'users'>;

/**
 * The person's role now. Undefined when Slack cannot confirm their profile (see getProfileForPermission): the
 * check fails closed and the caller answers with PERMISSION_CHECK_UNAVAILABLE_TEXT, doing nothing.
 */
export async function loadRole(deps: RoleDeps, client: webApi.WebClient, teamId: string, userId: string): Promise<Role | undefined> {
  const [profile, grant, managedTeamIds] = await Promise.all([
    getProfileForPermission(deps, client, teamId, userId),
    deps.db
      .select({ userId: adminGrants.userId })
      .from(adminGrants)
      .where(and(eq(adminGrants.teamId, teamId), eq(adminGrants.userId, userId))),
    salesTeamIdsOf(deps.db, teamId, userId, 'manager'),
  ]);
  if (!profile) return undefined;
  const slackAdmin = isWorkspaceAdmin(profile);
  const grantedAdmin = grant.length > 0;
  const kind = slackAdmin || grantedAdmin ? 'admin' : managedTeamIds.length > 0 ? 'manager' : 'rep';
  return { userId, kind, slackAdmin, grantedAdmin, managedTeamIds, profile };
}

export function isAdmin(role: Role): boolean {
  return role.kind === 'admin';
}

/** Admins manage every team; a manager, the teams they manage. */
export function managesTeam(role: Role, salesTeamId: string): boolean {
  return role.kind === 'admin' || role.managedTeamIds.includes(salesTeamId);
}

/**
 * May `role` act for `userId` (see their numbers, set their targets, log on their behalf)? Admins: anyone.
 * Managers: members of a team they manage. Everyone: themselves.
 */
export async function managesPerson(db: Deps['db'], teamId: string, role: Role, userId: string): Promise<boolean> {
  if (role.userId === userId || role.kind === 'admin') return true;
  if (role.managedTeamIds.length === 0) return false;
  const memberOf = await salesTeamIdsOf(db, teamId, userId, 'member');
  return memberOf.some((id) => role.managedTeamIds.includes(id));
}

export const ADMIN_ONLY_TEXT = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
export const MANAGER_ONLY_TEXT = ':lock: Only Sales Pulse admins and team managers can do that.';
export const NOT_YOUR_TEAM_TEXT = ':lock: You can do that only for the teams you manage.';
