import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';

/** A transaction or the database: an audit entry is written with the change it records, in its transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface AuditEntry {
  teamId: string;
  actorId: string;
  /** Dotted verb: `team.create`, `team.member.add`, `role.admin.grant`, `settings.update`, `rate.set`, `target.set`, … */
  action: string;
  /** What it applies to, as a person reads it: a team name, `<@U123>`, a setting's name, a currency. */
  subject: string;
  /** The value before and after (JSON; null when there was none). Never a secret, never an erased person's data. */
  before?: unknown;
  after?: unknown;
  at: Date;
}

export interface AuditRow {
  id: string;
  actorId: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

/** Record one administrative change. Call it inside the change's transaction so one never lands without the other. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    teamId: entry.teamId,
    actorId: entry.actorId,
    action: entry.action,
    subject: entry.subject,
    before: entry.before ?? null,
    after: entry.after ?? null,
    createdAt: entry.at,
  });
}

/** The latest `limit` entries of a workspace, newest first. */
export async function latestAudit(db: Db, teamId: string, limit: number): Promise<AuditRow[]> {
  return db
    .select({
      id: auditLog.id,
      actorId: auditLog.actorId,
      action: auditLog.action,
      subject: auditLog.subject,
      before: auditLog.before,
      after: auditLog.after,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .where(eq(auditLog.teamId, teamId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
}
