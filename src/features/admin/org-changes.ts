/**
 * The one place sales teams and the Sales Pulse admin role change. The text sub-commands (teams.ts) and the settings
 * modal (settings/teams.section.ts, settings/roles.section.ts) both call it. Every function re-checks that the actor
 * is an admin, validates its input and answers either the result or a field error that reads as well in a command
 * reply as under a modal field; every change is written with its audit entry in one transaction. Adding someone who
 * is already there, or setting what is already set, changes nothing and records nothing.
 */
import type { webApi } from '@slack/bolt';
import { and, eq, inArray, ne, or } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { adminGrants, leaderboardSchedules, salesTeamMembers, salesTeams, users, type TeamRole } from '../../db/schema/index.js';
import { ADMIN_ONLY_TEXT, recordAudit, teamNameKey, type DbOrTx, type Role, type SalesTeam } from '../../org/index.js';
import { getSlackUser, isWorkspaceAdmin } from '../../slack/user-directory.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { cannotPostCode } from '../../slack/web-api-errors.js';
import { cannotPostThere } from './context.js';

export const MAX_TEAM_NAME_LENGTH = 50;

/** What a field error is about: a modal field (name, channel, managers, members) or the command as a whole. */
export type OrgField = 'name' | 'channel' | 'managers' | 'members' | 'users' | 'team';

/** A reason a change was refused, shown as a command reply or under the modal field it names. */
export interface FieldError {
  field: OrgField;
  message: string;
}

export type OrgResult<T> = { ok: true; value: T } | { ok: false; error: FieldError };

/** Who makes a change, and how to reach Slack (for the home channel's announcement and the Slack-admin check). */
export interface OrgActor {
  deps: Deps;
  client: webApi.WebClient;
  teamId: string;
  role: Role;
}

const ok = <T>(value: T): OrgResult<T> => ({ ok: true, value });
const refused = <T>(field: OrgField, message: string): OrgResult<T> => ({ ok: false, error: { field, message } });

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/** A team name as stored: trimmed, inner whitespace collapsed. */
export function cleanTeamName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** Why `name` cannot be a team name (length, characters), or undefined. Uniqueness is checked against the database. */
export function teamNameProblem(name: string): string | undefined {
  const clean = cleanTeamName(name);
  if (clean === '') return 'Give the team a name.';
  if (clean.length > MAX_TEAM_NAME_LENGTH) return `A team name can be at most ${MAX_TEAM_NAME_LENGTH} characters; that one has ${clean.length}.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(clean)) return 'A team name cannot contain control characters.';
  return undefined;
}

/** A team's name for mrkdwn. */
export const teamLabel = (name: string): string => `*${escapeMrkdwn(name)}*`;

function badUserIds(userIds: string[]): string | undefined {
  const bad = userIds.find((id) => !USER_ID.test(id));
  return bad === undefined ? undefined : `\`${bad.replace(/`/g, "'").slice(0, 40)}\` is not a Slack user. Pick people with @ so Slack links them.`;
}

function refuseNonAdmin(actor: OrgActor): FieldError | undefined {
  return actor.role.kind === 'admin' ? undefined : { field: 'team', message: ADMIN_ONLY_TEXT };
}

function isUniqueViolation(error: unknown): boolean {
  for (let cur = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (cur.code === '23505') return true;
  }
  return false;
}

const nameTakenText = (name: string) => `There is already a team called ${teamLabel(name)}. Pick another name.`;

async function nameTaken(actor: OrgActor, name: string, exceptId?: string): Promise<string | undefined> {
  const [row] = await actor.deps.db
    .select({ name: salesTeams.name })
    .from(salesTeams)
    .where(and(eq(salesTeams.teamId, actor.teamId), eq(salesTeams.nameKey, teamNameKey(name)), exceptId ? ne(salesTeams.id, exceptId) : undefined));
  return row?.name;
}

/**
 * Prove the bot can post in `channelId` by announcing the team there (as the celebrations setting does); a channel it
 * cannot post in is a field error with the same friendly reply.
 */
async function announceHomeChannel(actor: OrgActor, channelId: string, teamName: string): Promise<FieldError | undefined> {
  if (!CHANNEL_ID.test(channelId)) return { field: 'channel', message: 'Pick the home channel with `#` so Slack links it.' };
  try {
    await actor.client.chat.postMessage({
      channel: channelId,
      text: `:busts_in_silhouette: This is now the home channel of the sales team ${teamLabel(teamName)} (set by <@${actor.role.userId}>). Its leaderboard is posted here by default.`,
    });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) return { field: 'channel', message: cannotPostThere(code, channelId) };
    throw error;
  }
  return undefined;
}

const audit = (tx: DbOrTx, actor: OrgActor, action: string, subject: string, before: unknown, after: unknown) =>
  recordAudit(tx, { teamId: actor.teamId, actorId: actor.role.userId, action, subject, before, after, at: actor.deps.clock.now() });

// ---------------------------------------------------------------------------------------------
// teams

/** `/sales-admin team create "East AEs" #sales-east`: a new team, announced in its home channel when it has one. */
export async function createTeam(actor: OrgActor, input: { name: string; channelId?: string | null }): Promise<OrgResult<SalesTeam>> {
  const result = await saveTeam(actor, { name: input.name, channelId: input.channelId ?? null });
  return result.ok ? ok(result.value.team) : { ok: false, error: result.errors[0]! };
}

/** Rename a team (a change of case only is a rename too). */
export async function renameTeam(actor: OrgActor, team: SalesTeam, newName: string): Promise<OrgResult<{ team: SalesTeam; changed: boolean }>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const name = cleanTeamName(newName);
  const problem = teamNameProblem(name);
  if (problem) return refused('name', problem);
  if (name === team.name) return ok({ team, changed: false });
  const taken = await nameTaken(actor, name, team.id);
  if (taken) return refused('name', nameTakenText(taken));
  try {
    await actor.deps.db.transaction(async (tx) => {
      await tx
        .update(salesTeams)
        .set({ name, nameKey: teamNameKey(name), updatedAt: actor.deps.clock.now() })
        .where(and(eq(salesTeams.teamId, actor.teamId), eq(salesTeams.id, team.id)));
      await audit(tx, actor, 'team.rename', name, { name: team.name }, { name });
    });
  } catch (error) {
    if (isUniqueViolation(error)) return refused('name', nameTakenText(name));
    throw error;
  }
  return ok({ team: { ...team, name }, changed: true });
}

/** Move a team's home channel, announced there first (not saved when the bot cannot post there). */
export async function setTeamChannel(actor: OrgActor, team: SalesTeam, channelId: string): Promise<OrgResult<{ team: SalesTeam; changed: boolean }>> {
  const result = await saveTeam(actor, { team, name: team.name, channelId, managers: team.managers, members: team.members });
  return result.ok ? ok({ team: result.value.team, changed: result.value.changes.length > 0 }) : { ok: false, error: result.errors[0]! };
}

export interface PeopleChange {
  team: SalesTeam;
  /** Who was added (or removed). */
  changed: string[];
  /** Who was already there (or, removing, was not there): nothing done for them. */
  unchanged: string[];
}

/** Add people to a team as members or managers. Someone already there is left as they are. */
export async function addTeamPeople(actor: OrgActor, team: SalesTeam, role: TeamRole, userIds: string[]): Promise<OrgResult<PeopleChange>> {
  return changePeople(actor, team, role, userIds, 'add');
}

/** Remove people from a team's members or managers. Someone who was not there is named as such. */
export async function removeTeamPeople(actor: OrgActor, team: SalesTeam, role: TeamRole, userIds: string[]): Promise<OrgResult<PeopleChange>> {
  return changePeople(actor, team, role, userIds, 'remove');
}

async function changePeople(actor: OrgActor, team: SalesTeam, role: TeamRole, userIds: string[], how: 'add' | 'remove'): Promise<OrgResult<PeopleChange>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const field = role === 'manager' ? 'managers' : 'members';
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return refused(field, `Name at least one person with @.`);
  const bad = badUserIds(wanted);
  if (bad) return refused(field, bad);
  const current = role === 'manager' ? team.managers : team.members;
  const next = how === 'add' ? [...new Set([...current, ...wanted])].sort() : current.filter((id) => !wanted.includes(id));
  const changed = await actor.deps.db.transaction((tx) => applyPeople(tx, actor, team, role, current, next));
  const updated = role === 'manager' ? { ...team, managers: changed.after } : { ...team, members: changed.after };
  const touched = how === 'add' ? changed.added : changed.removed;
  return ok({ team: updated, changed: touched, unchanged: wanted.filter((id) => !touched.includes(id)) });
}

/**
 * Make a team's `role` list `next` (from `current`, as last read): inserts and deletes what differs, and records one
 * audit entry with the list before and after when anything did. Concurrent changes are safe: inserts skip people
 * already there and deletes report only what they deleted.
 */
async function applyPeople(tx: DbOrTx, actor: OrgActor, team: SalesTeam, role: TeamRole, current: string[], next: string[]) {
  const toAdd = next.filter((id) => !current.includes(id));
  const toRemove = current.filter((id) => !next.includes(id));
  const added = toAdd.length
    ? (
        await tx
          .insert(salesTeamMembers)
          .values(toAdd.map((userId) => ({ salesTeamId: team.id, teamId: actor.teamId, userId, role })))
          .onConflictDoNothing()
          .returning({ userId: salesTeamMembers.userId })
      ).map((r) => r.userId)
    : [];
  const removed = toRemove.length
    ? (
        await tx
          .delete(salesTeamMembers)
          .where(and(eq(salesTeamMembers.teamId, actor.teamId), eq(salesTeamMembers.salesTeamId, team.id), eq(salesTeamMembers.role, role), inArray(salesTeamMembers.userId, toRemove)))
          .returning({ userId: salesTeamMembers.userId })
      ).map((r) => r.userId)
    : [];
  const after = [...current.filter((id) => !removed.includes(id)), ...added].sort();
  const key = role === 'manager' ? 'managers' : 'members';
  if (added.length) await audit(tx, actor, `team.${role}.add`, team.name, { [key]: current }, { [key]: [...current, ...added].sort() });
  if (removed.length) await audit(tx, actor, `team.${role}.remove`, team.name, { [key]: added.length ? [...current, ...added].sort() : current }, { [key]: after });
  return { added: added.sort(), removed: removed.sort(), after };
}

/** Delete a team (its members and managers with it). Refused while a scheduled leaderboard belongs to it. */
export async function deleteTeam(actor: OrgActor, team: SalesTeam): Promise<OrgResult<SalesTeam>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const schedules = await actor.deps.db
    .select({ channelId: leaderboardSchedules.channelId })
    .from(leaderboardSchedules)
    .where(and(eq(leaderboardSchedules.teamId, actor.teamId), eq(leaderboardSchedules.salesTeamId, team.id)));
  if (schedules.length) {
    const where = schedules.map((s) => `<#${s.channelId}>`).join(', ');
    return refused(
      'team',
      `${teamLabel(team.name)} has a scheduled leaderboard in ${where}. Stop it first with \`/sales-admin leaderboard #channel off\`, then delete the team.`,
    );
  }
  await actor.deps.db.transaction(async (tx) => {
    await tx.delete(salesTeams).where(and(eq(salesTeams.teamId, actor.teamId), eq(salesTeams.id, team.id)));
    await audit(tx, actor, 'team.delete', team.name, { name: team.name, channelId: team.channelId, managers: team.managers, members: team.members }, null);
  });
  return ok(team);
}

export interface TeamForm {
  /** The team being edited; absent to create one. */
  team?: SalesTeam;
  name: string;
  channelId: string | null;
  managers?: string[];
  members?: string[];
}

export interface SavedTeam {
  team: SalesTeam;
  created: boolean;
  /** The audit actions recorded, in order (empty: nothing changed). */
  changes: string[];
}

/**
 * Create a team or apply a form's differences to one (the settings modal's Save): every field validated first (all
 * errors at once), the home channel proved by an announcement when it changes, then one transaction with an audit
 * entry per change. A channel left empty keeps the team's current one (Slack's channel select cannot be cleared).
 */
export async function saveTeam(actor: OrgActor, form: TeamForm): Promise<{ ok: true; value: SavedTeam } | { ok: false; errors: FieldError[] }> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, errors: [denied] };
  const errors: FieldError[] = [];
  const name = cleanTeamName(form.name);
  const nameProblem = teamNameProblem(name);
  if (nameProblem) errors.push({ field: 'name', message: nameProblem });
  else if (!form.team || name !== form.team.name) {
    const taken = await nameTaken(actor, name, form.team?.id);
    if (taken) errors.push({ field: 'name', message: nameTakenText(taken) });
  }
  const managers = [...new Set(form.managers ?? form.team?.managers ?? [])].sort();
  const members = [...new Set(form.members ?? form.team?.members ?? [])].sort();
  const badManager = badUserIds(managers);
  if (badManager) errors.push({ field: 'managers', message: badManager });
  const badMember = badUserIds(members);
  if (badMember) errors.push({ field: 'members', message: badMember });
  const channelId = form.channelId ?? form.team?.channelId ?? null;
  if (channelId !== null && !CHANNEL_ID.test(channelId)) errors.push({ field: 'channel', message: 'Pick the home channel with `#` so Slack links it.' });
  if (errors.length) return { ok: false, errors };

  if (channelId !== null && channelId !== form.team?.channelId) {
    const cannotPost = await announceHomeChannel(actor, channelId, name);
    if (cannotPost) return { ok: false, errors: [cannotPost] };
  }

  const now = actor.deps.clock.now();
  try {
    return await actor.deps.db.transaction(async (tx) => {
      const changes: string[] = [];
      let team: SalesTeam;
      if (!form.team) {
        const [row] = await tx
          .insert(salesTeams)
          .values({ teamId: actor.teamId, name, nameKey: teamNameKey(name), channelId, createdBy: actor.role.userId, createdAt: now, updatedAt: now })
          .returning({ id: salesTeams.id });
        team = { id: row!.id, name, channelId, digestDefault: null, managers: [], members: [] };
        await audit(tx, actor, 'team.create', name, null, { name, channelId });
        changes.push('team.create');
      } else {
        const before = form.team;
        team = { ...before };
        if (name !== before.name || channelId !== before.channelId) {
          await tx
            .update(salesTeams)
            .set({ name, nameKey: teamNameKey(name), channelId, updatedAt: now })
            .where(and(eq(salesTeams.teamId, actor.teamId), eq(salesTeams.id, before.id)));
          if (name !== before.name) {
            await audit(tx, actor, 'team.rename', name, { name: before.name }, { name });
            changes.push('team.rename');
          }
          if (channelId !== before.channelId) {
            await audit(tx, actor, 'team.channel', name, { channelId: before.channelId }, { channelId });
            changes.push('team.channel');
          }
          team = { ...team, name, channelId };
        }
      }
      const m = await applyPeople(tx, actor, team, 'manager', team.managers, managers);
      const r = await applyPeople(tx, actor, team, 'member', team.members, members);
      if (m.added.length) changes.push('team.manager.add');
      if (m.removed.length) changes.push('team.manager.remove');
      if (r.added.length) changes.push('team.member.add');
      if (r.removed.length) changes.push('team.member.remove');
      return { ok: true as const, value: { team: { ...team, managers: m.after, members: r.after }, created: !form.team, changes } };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: [{ field: 'name', message: nameTakenText(name) }] };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// the admin role

export interface AdminGrant {
  userId: string;
  grantedBy: string;
}

/** The people granted the Sales Pulse admin role (Slack's admins and owners are admins without a grant). */
export async function listAdminGrants(db: Deps['db'], teamId: string): Promise<AdminGrant[]> {
  return db
    .select({ userId: adminGrants.userId, grantedBy: adminGrants.grantedBy })
    .from(adminGrants)
    .where(eq(adminGrants.teamId, teamId))
    .orderBy(adminGrants.userId);
}

/**
 * Slack workspace admins and owners Sales Pulse has seen (its profile cache): admins automatically. People it has
 * never looked up are admins too, but not listed.
 */
export async function listKnownSlackAdmins(db: Deps['db'], teamId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: users.userId })
    .from(users)
    .where(and(eq(users.teamId, teamId), or(eq(users.isAdmin, true), eq(users.isOwner, true)), eq(users.deleted, false), eq(users.isBot, false)))
    .orderBy(users.userId)
    .limit(200);
  return rows.map((r) => r.userId);
}

export interface RoleChange {
  /** Granted (or revoked) now. */
  changed: string[];
  /** Already admins (granting), or not granted (revoking): nothing done. */
  unchanged: string[];
  /** Of the people named, those who are Slack workspace admins or owners: admins whatever is granted. */
  slackAdmins: string[];
}

/** Grant the Sales Pulse admin role. Someone already granted is left as they are. */
export async function grantAdmin(actor: OrgActor, userIds: string[]): Promise<OrgResult<RoleChange>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return refused('users', 'Name at least one person with @.');
  const bad = badUserIds(wanted);
  if (bad) return refused('users', bad);
  const now = actor.deps.clock.now();
  const granted = await actor.deps.db.transaction(async (tx) => {
    const rows = await tx
      .insert(adminGrants)
      .values(wanted.map((userId) => ({ teamId: actor.teamId, userId, grantedBy: actor.role.userId, createdAt: now })))
      .onConflictDoNothing()
      .returning({ userId: adminGrants.userId });
    for (const { userId } of rows) await audit(tx, actor, 'role.admin.grant', `<@${userId}>`, { admin: false }, { admin: true });
    return rows.map((r) => r.userId).sort();
  });
  return ok({ changed: granted, unchanged: wanted.filter((id) => !granted.includes(id)), slackAdmins: [] });
}

/**
 * Revoke the Sales Pulse admin role. Nobody may revoke their own (another admin can). A Slack admin or owner stays
 * an admin whatever is revoked: said in `slackAdmins`.
 */
export async function revokeAdmin(actor: OrgActor, userIds: string[]): Promise<OrgResult<RoleChange>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return refused('users', 'Name at least one person with @.');
  const bad = badUserIds(wanted);
  if (bad) return refused('users', bad);
  if (wanted.includes(actor.role.userId)) return refused('users', 'You can’t remove your own admin role. Ask another admin to do it.');
  const revoked = await actor.deps.db.transaction(async (tx) => {
    const rows = await tx
      .delete(adminGrants)
      .where(and(eq(adminGrants.teamId, actor.teamId), inArray(adminGrants.userId, wanted)))
      .returning({ userId: adminGrants.userId });
    for (const { userId } of rows) await audit(tx, actor, 'role.admin.revoke', `<@${userId}>`, { admin: true }, { admin: false });
    return rows.map((r) => r.userId).sort();
  });
  const profiles = await Promise.all(wanted.map((id) => getSlackUser(actor.deps, actor.client, actor.teamId, id)));
  const slackAdmins = profiles.filter((p) => isWorkspaceAdmin(p)).map((p) => p.userId);
  return ok({ changed: revoked, unchanged: wanted.filter((id) => !revoked.includes(id)), slackAdmins });
}

/**
 * Make the granted admins exactly `userIds` (the settings modal's Save): grants and revokes the differences, each
 * with its audit entry. Revoking yourself is refused, as with the command.
 */
export async function setAdminGrants(actor: OrgActor, userIds: string[]): Promise<OrgResult<{ granted: string[]; revoked: string[] }>> {
  const denied = refuseNonAdmin(actor);
  if (denied) return { ok: false, error: denied };
  const wanted = [...new Set(userIds)];
  const bad = badUserIds(wanted);
  if (bad) return refused('users', bad);
  const current = (await listAdminGrants(actor.deps.db, actor.teamId)).map((g) => g.userId);
  const toRevoke = current.filter((id) => !wanted.includes(id));
  if (toRevoke.includes(actor.role.userId)) return refused('users', 'You can’t remove your own admin role. Ask another admin to do it.');
  const toGrant = wanted.filter((id) => !current.includes(id));
  const granted = toGrant.length ? await grantAdmin(actor, toGrant) : ok<RoleChange>({ changed: [], unchanged: [], slackAdmins: [] });
  if (!granted.ok) return granted;
  const revoked = toRevoke.length ? await revokeAdmin(actor, toRevoke) : ok<RoleChange>({ changed: [], unchanged: [], slackAdmins: [] });
  if (!revoked.ok) return revoked;
  return ok({ granted: granted.value.changed, revoked: revoked.value.changed });
}
