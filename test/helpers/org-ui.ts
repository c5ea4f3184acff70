/**
 * Teams and roles as an admin (or a forger) drives them in Slack: `/sales-admin …` text commands, the settings modal
 * (open, push a section, press its buttons, submit its forms) and what the database holds afterwards.
 */
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { adminGrants, auditLog, salesTeamMembers, salesTeams } from '../../src/db/schema/index.js';
import type { Db } from '../../src/db/client.js';
import type { RecordedCall } from './fake-slack.js';
import type { Harness } from './harness.js';
import { blockAction, DEFAULT_TEAM_ID, viewSubmission, type ViewStateValues } from './signed-request.js';
import { ackReply, openedModal, type OpenModal } from './slack-ui.js';

/** `/sales-admin <text>` by `userId`, answered in the ack: the reply's text. */
export async function salesAdmin(h: Harness, text: string, userId: string): Promise<string> {
  const reply = await ackReply(h, { command: '/sales-admin', text, userId });
  return reply.text as string;
}

/** Every sales team of the default workspace with its people, by name. */
export async function storedTeams(db: Db) {
  const teams = await db.select().from(salesTeams).where(eq(salesTeams.teamId, DEFAULT_TEAM_ID)).orderBy(asc(salesTeams.nameKey));
  const people = await db.select().from(salesTeamMembers).orderBy(asc(salesTeamMembers.userId));
  return teams.map((t) => ({
    id: t.id,
    name: t.name,
    channelId: t.channelId,
    createdBy: t.createdBy,
    managers: people.filter((p) => p.salesTeamId === t.id && p.role === 'manager').map((p) => p.userId),
    members: people.filter((p) => p.salesTeamId === t.id && p.role === 'member').map((p) => p.userId),
  }));
}

export const storedGrants = (db: Db) => db.select({ userId: adminGrants.userId, grantedBy: adminGrants.grantedBy }).from(adminGrants).orderBy(asc(adminGrants.userId));

/** Audit entries (without ids and times), in the order written: the clock is moved on between commands. */
export async function auditEntries(db: Db) {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.createdAt), asc(auditLog.action));
  return rows.map((r) => ({ actorId: r.actorId, action: r.action, subject: r.subject, before: r.before, after: r.after }));
}

/** Everything teams and roles could write, to compare before and after a refused request. */
export async function orgSnapshot(db: Db) {
  return { teams: await storedTeams(db), grants: await storedGrants(db), audit: await auditEntries(db) };
}

/** `/sales-admin` alone by `userId`: the settings home it opened. */
export async function openSettingsHome(h: Harness, userId: string): Promise<OpenModal> {
  const res = await h.slack.command({ command: '/sales-admin', text: '', userId });
  expect(res.status).toBe(200);
  return openedModal(await h.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId));
}

/** Press a button in a modal; the views.push it made (its trigger id is the click's). */
export async function pressInModal(h: Harness, modal: OpenModal, input: { actionId: string; value: string; userId: string; blockId?: string }): Promise<OpenModal> {
  const payload = blockAction({
    actionId: input.actionId,
    value: input.value,
    userId: input.userId,
    blockId: input.blockId ?? 'actions',
    view: { id: modal.id, hash: modal.hash, type: 'modal', callback_id: modal.view.callback_id, private_metadata: modal.view.private_metadata ?? '', state: { values: {} } },
  });
  const res = await h.slack.interaction(payload);
  expect(res.status).toBe(200);
  return openedModal(await h.fake.waitFor('views.push', (c: RecordedCall) => c.args.trigger_id === payload.trigger_id));
}

/** The settings home, then a section's view pushed over it. */
export async function openSection(h: Harness, userId: string, sectionId: string): Promise<OpenModal> {
  const home = await openSettingsHome(h, userId);
  return pressInModal(h, home, { actionId: `settings_open:${sectionId}`, value: sectionId, userId, blockId: `settings_section_${sectionId}` });
}

/** Submit a view with these state values (as `userId`); the ack's body (null when empty: the view closed). */
export async function submitView(
  h: Harness,
  input: { callbackId: string; values: ViewStateValues; privateMetadata?: string; userId: string; viewId?: string; hash?: string },
): Promise<Record<string, any> | null> {
  const res = await h.slack.interaction(viewSubmission(input));
  expect(res.status).toBe(200);
  return res.json() as Record<string, any> | null;
}

/** The state Slack sends for the team form. */
export function teamFormState(form: { name: string | null; channel?: string | null; managers?: string[]; members?: string[] }): ViewStateValues {
  return {
    settings_team_name: { name: { type: 'plain_text_input', value: form.name } },
    settings_team_channel: { channel: { type: 'conversations_select', selected_conversation: form.channel ?? null } },
    settings_team_managers: { managers: { type: 'multi_users_select', selected_users: form.managers ?? [] } },
    settings_team_members: { members: { type: 'multi_users_select', selected_users: form.members ?? [] } },
  };
}

/** The state Slack sends for the roles form. */
export function rolesFormState(userIds: string[]): ViewStateValues {
  return { settings_roles_admins: { admins: { type: 'multi_users_select', selected_users: userIds } } };
}
