import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workspaces } from '../db/schema/index.js';

export type WorkspaceSettings = typeof workspaces.$inferSelect;

/** The workspace row, created with default settings on first contact. */
export async function ensureWorkspace(db: Db, teamId: string, name?: string | null): Promise<WorkspaceSettings> {
  const [inserted] = await db
    .insert(workspaces)
    .values({ teamId, name: name ?? null })
    .onConflictDoUpdate({
      target: workspaces.teamId,
      // Touch nothing but a missing name; returning() then gives the current row in one round trip.
      set: { name: sql`coalesce(${workspaces.name}, excluded.name)` },
    })
    .returning();
  if (inserted) return inserted;
  const [row] = await db.select().from(workspaces).where(eq(workspaces.teamId, teamId));
  return row!;
}
