import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { digestSubscriptions, users, workspaces, type DigestCadence } from '../../db/schema/index.js';
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

/** The later of two instants, either of which may be missing. */
function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Since when a person without a choice of their own has had the workspace's weekly default: the later of when the
 * default last changed (workspaces.digest_default_since) and when Sales Pulse first saw them. No default digest
 * for a slot at or before it.
 */
export function defaultDigestSince(digestDefaultSince: Date | null, joinedAt: Date | null): Date | null {
  return laterOf(digestDefaultSince, joinedAt);
}

/**
 * Store the person's choice (one row per person). Its updated_at is when their digest cadence last changed, which
 * the digest job reads as "subscribed since": no digest for a slot at or before it. So only a real change moves it:
 * - choosing the cadence they already chose changes nothing (a digest waiting for a later tick or a retry still goes);
 * - choosing, as their own, the weekly digest the workspace default already gives them keeps its start;
 * - anything else starts now (`now`, the injected clock).
 * Returns whether their cadence changed.
 */
export async function setDigestChoice(db: Db, teamId: string, userId: string, cadence: DigestCadence, now: Date): Promise<boolean> {
  await ensureWorkspace(db, teamId);
  const [current] = await db
    .select({ cadence: digestSubscriptions.cadence })
    .from(digestSubscriptions)
    .where(and(eq(digestSubscriptions.teamId, teamId), eq(digestSubscriptions.userId, userId)));
  if (current?.cadence === cadence) return false;
  let since = now;
  if (!current && cadence === 'weekly') {
    const [person] = await db
      .select({ digestDefault: workspaces.digestDefault, defaultSince: workspaces.digestDefaultSince, joinedAt: users.joinedAt })
      .from(workspaces)
      .innerJoin(users, and(eq(users.teamId, workspaces.teamId), eq(users.userId, userId)))
      .where(eq(workspaces.teamId, teamId));
    if (person?.digestDefault === 'weekly') since = defaultDigestSince(person.defaultSince, person.joinedAt) ?? now;
  }
  const rows = await db
    .insert(digestSubscriptions)
    .values({ teamId, userId, cadence, createdAt: now, updatedAt: since })
    .onConflictDoUpdate({
      target: [digestSubscriptions.teamId, digestSubscriptions.userId],
      set: { cadence, updatedAt: now },
      // A concurrent choice of the same cadence got there first: nothing changes.
      setWhere: ne(digestSubscriptions.cadence, cadence),
    })
    .returning({ userId: digestSubscriptions.userId });
  return rows.length > 0;
}
