import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workspaces } from '../db/schema/index.js';

export type WorkspaceSettings = typeof workspaces.$inferSelect;

/**
 * The workspace row, created with default settings on first contact. Read first: nearly every call finds the row,
 * and a read takes no row lock (an upsert on every command would queue a busy team's commands on its one row and
 * write WAL each time). Only a missing row, or a missing name Slack now gives, is written.
 */
export async function ensureWorkspace(db: Db, teamId: string, name?: string | null): Promise<WorkspaceSettings> {
  const [found] = await db.select().from(workspaces).where(eq(workspaces.teamId, teamId));
  if (found && (found.name !== null || !name)) return found;
  const [upserted] = await db
    .insert(workspaces)
    .values({ teamId, name: name ?? null })
    .onConflictDoUpdate({
      target: workspaces.teamId,
      // Touch nothing but a missing name; returning() then gives the current row in one round trip.
      set: { name: sql`coalesce(${workspaces.name}, excluded.name)` },
    })
    .returning();
  return upserted!;
}
