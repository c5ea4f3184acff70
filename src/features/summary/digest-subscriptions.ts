import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { digestSubscriptions, workspaces, type DigestCadence } from '../../db/schema/index.js';
import { ensureWorkspace } from '../../slack/workspace.js';

export interface DigestChoice {
  /** What the person gets: their own choice, or the workspace default when they never chose. */
  cadence: DigestCadence;
  /** True when there is no row for the person and `cadence` is the workspace default. */
  isDefault: boolean;
}

/** The person's digest cadence: their row if any ('off' is an explicit opt-out), else the workspace default. */
export async function getDigestChoice(db: Db, teamId: string, userId: string): Promise<DigestChoice> {
  const [row] = await db
    .select({ cadence: digestSubscriptions.cadence })
    .from(digestSubscriptions)
    .where(and(eq(digestSubscriptions.teamId, teamId), eq(digestSubscriptions.userId, userId)));
  if (row) return { cadence: row.cadence, isDefault: false };
  const [ws] = await db.select({ digestDefault: workspaces.digestDefault }).from(workspaces).where(eq(workspaces.teamId, teamId));
  return { cadence: ws?.digestDefault ?? 'off', isDefault: true };
}

/**
 * Store the person's choice (insert or replace; one row per person). `now` (the injected clock) becomes
 * updated_at, which the digest job reads as "subscribed since": no digest for a slot before it.
 */
export async function setDigestChoice(db: Db, teamId: string, userId: string, cadence: DigestCadence, now: Date): Promise<void> {
  await ensureWorkspace(db, teamId);
  const at = now;
  await db
    .insert(digestSubscriptions)
    .values({ teamId, userId, cadence, createdAt: at, updatedAt: at })
    .onConflictDoUpdate({
      target: [digestSubscriptions.teamId, digestSubscriptions.userId],
      set: { cadence, updatedAt: at },
    });
}
