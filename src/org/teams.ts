import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { salesTeamMembers, salesTeams, type TeamRole } from '../db/schema/index.js';
import { isUuid } from '../lib/uuid.js';

export interface SalesTeam {
  id: string;
  name: string;
  channelId: string | null;
  digestDefault: 'off' | 'weekly' | null;
  managers: string[];
  members: string[];
}

/** The key a team name is unique by: case-insensitive, inner whitespace collapsed, quotes and ends trimmed. */
export function teamNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

const TEAM_COLUMNS = { id: salesTeams.id, name: salesTeams.name, channelId: salesTeams.channelId, digestDefault: salesTeams.digestDefault };

/** Every sales team of the workspace with its managers and members (user ids, sorted), by name. Two queries. */
export async function listSalesTeams(db: Db, teamId: string): Promise<SalesTeam[]> {
  const teams = await db.select(TEAM_COLUMNS).from(salesTeams).where(eq(salesTeams.teamId, teamId)).orderBy(asc(salesTeams.nameKey));
  return withPeople(db, teamId, teams);
}

/** One team by its name (case-insensitive), or undefined. */
export async function findSalesTeamByName(db: Db, teamId: string, name: string): Promise<SalesTeam | undefined> {
  const teams = await db
    .select(TEAM_COLUMNS)
    .from(salesTeams)
    .where(and(eq(salesTeams.teamId, teamId), eq(salesTeams.nameKey, teamNameKey(name))));
  return (await withPeople(db, teamId, teams))[0];
}

/** One team by id, scoped to the workspace (an id from a payload names nothing in another workspace). */
export async function findSalesTeamById(db: Db, teamId: string, id: string): Promise<SalesTeam | undefined> {
  if (!isUuid(id)) return undefined;
  const teams = await db
    .select(TEAM_COLUMNS)
    .from(salesTeams)
    .where(and(eq(salesTeams.teamId, teamId), eq(salesTeams.id, id)));
  return (await withPeople(db, teamId, teams))[0];
}

/** The ids of the sales teams a person has a role in (member or manager). */
export async function salesTeamIdsOf(db: Db, teamId: string, userId: string, role: TeamRole): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: salesTeamMembers.salesTeamId })
    .from(salesTeamMembers)
    .where(and(eq(salesTeamMembers.teamId, teamId), eq(salesTeamMembers.userId, userId), eq(salesTeamMembers.role, role)));
  return rows.map((r) => r.id).sort();
}

async function withPeople(db: Db, teamId: string, teams: Omit<SalesTeam, 'managers' | 'members'>[]): Promise<SalesTeam[]> {
  if (teams.length === 0) return [];
  const people = await db
    .select({ salesTeamId: salesTeamMembers.salesTeamId, userId: salesTeamMembers.userId, role: salesTeamMembers.role })
    .from(salesTeamMembers)
    .where(
      and(
        eq(salesTeamMembers.teamId, teamId),
        inArray(
          salesTeamMembers.salesTeamId,
          teams.map((t) => t.id),
        ),
      ),
    )
    .orderBy(asc(salesTeamMembers.userId));
  return teams.map((t) => ({
    ...t,
    managers: people.filter((p) => p.salesTeamId === t.id && p.role === 'manager').map((p) => p.userId),
    members: people.filter((p) => p.salesTeamId === t.id && p.role === 'member').map((p) => p.userId),
  }));
}
