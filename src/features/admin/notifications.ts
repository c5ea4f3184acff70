import type { webApi } from '@slack/bolt';
import { and, eq, ne } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { salesTeams, workspaces } from '../../db/schema/index.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { findSalesTeamByName, managesTeam, NOT_YOUR_TEAM_TEXT, ADMIN_ONLY_TEXT, recordAudit, type SalesTeam } from '../../org/index.js';
import { noticeMessage, parseChannelMention, type Message } from '../../slack/blocks.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { cannotPostCode, type CannotPostCode } from '../../slack/web-api-errors.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { createOrRotateSecret } from '../deals/index.js';
import { cannotPostThere, type AdminContext } from './context.js';

// ---------------------------------------------------------------------------------------------
// Services: the one way each notification setting changes (the text sub-commands and the settings modal)

export type DigestDefault = 'off' | 'weekly';

export type CelebrationsResult = { ok: true; channelId: string | null } | { ok: false; code: CannotPostCode; channelId: string };

/**
 * Win celebrations in `channelId`, or off (null). Turning them on proves the bot can post there first, by announcing
 * the change in the channel; nothing is stored when it cannot. A real change is recorded (`settings.celebrations`).
 */
export async function setCelebrationsChannel(
  deps: Pick<Deps, 'db' | 'clock'>,
  client: webApi.WebClient,
  input: { teamId: string; actorId: string; channelId: string | null },
): Promise<CelebrationsResult> {
  const { teamId, actorId, channelId } = input;
  if (channelId) {
    try {
      await client.chat.postMessage({ channel: channelId, text: `:tada: Won deals will be celebrated in this channel (set by <@${actorId}>).` });
    } catch (error) {
      const code = cannotPostCode(error);
      if (code) return { ok: false, code, channelId };
      throw error;
    }
  }
  await ensureWorkspace(deps.db, teamId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [row] = await tx.select({ channel: workspaces.celebrationsChannel }).from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
    const before = row?.channel ?? null;
    if (before === channelId) return;
    await tx.update(workspaces).set({ celebrationsChannel: channelId, updatedAt: now }).where(eq(workspaces.teamId, teamId));
    await recordAudit(tx, { teamId, actorId, action: 'settings.celebrations', subject: 'celebrations_channel', before, after: channelId, at: now });
  });
  return { ok: true, channelId };
}

/**
 * The workspace's digest default. Only a real change moves digest_default_since (when the default started: no default
 * digest for a slot at or before it), so choosing the same again leaves waiting digests alone; the condition makes it
 * one atomic change. Recorded (`settings.digest_default`). True when it changed.
 */
export async function setWorkspaceDigestDefault(deps: Pick<Deps, 'db' | 'clock'>, input: { teamId: string; actorId: string; value: DigestDefault }): Promise<boolean> {
  const now = deps.clock.now();
  await ensureWorkspace(deps.db, input.teamId);
  return deps.db.transaction(async (tx) => {
    const changed = await tx
      .update(workspaces)
      .set({ digestDefault: input.value, digestDefaultSince: now, updatedAt: now })
      .where(and(eq(workspaces.teamId, input.teamId), ne(workspaces.digestDefault, input.value)))
      .returning({ teamId: workspaces.teamId });
    if (changed.length === 0) return false;
    await recordAudit(tx, {
      teamId: input.teamId,
      actorId: input.actorId,
      action: 'settings.digest_default',
      subject: 'workspace',
      before: input.value === 'weekly' ? 'off' : 'weekly',
      after: input.value,
      at: now,
    });
    return true;
  });
}

/**
 * A sales team's digest default: 'weekly' (its members get the weekly digest unless they opted out) or 'off' (its
 * members get none by default, whatever the workspace's default). Only a real change moves the team's
 * digest_default_since. Recorded (`settings.digest_default`, subject the team's name). True when it changed.
 */
export async function setTeamDigestDefault(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { teamId: string; actorId: string; team: SalesTeam; value: DigestDefault },
): Promise<boolean> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ digestDefault: salesTeams.digestDefault })
      .from(salesTeams)
      .where(and(eq(salesTeams.teamId, input.teamId), eq(salesTeams.id, input.team.id)))
      .for('update');
    if (!row || row.digestDefault === input.value) return false;
    await tx
      .update(salesTeams)
      .set({ digestDefault: input.value, digestDefaultSince: now, updatedAt: now })
      .where(and(eq(salesTeams.teamId, input.teamId), eq(salesTeams.id, input.team.id)));
    await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'settings.digest_default', subject: input.team.name, before: row.digestDefault, after: input.value, at: now });
    return true;
  });
}

/**
 * Create the workspace's deal-webhook secret, or rotate it (the old one stops working at once): the secret, to show
 * once. Recorded (`webhook_secret.rotate`) without the secret. Never log the result.
 */
export async function rotateWebhookSecret(deps: Pick<Deps, 'db' | 'clock'>, box: SecretBox, input: { teamId: string; actorId: string }): Promise<{ secret: string; rotated: boolean }> {
  const now = deps.clock.now();
  const result = await createOrRotateSecret(deps.db, box, input.teamId, { rotate: true, now });
  await recordAudit(deps.db, { teamId: input.teamId, actorId: input.actorId, action: 'webhook_secret.rotate', subject: 'deal webhook secret', before: null, after: { rotated: result.rotated }, at: now });
  return { secret: result.secret!, rotated: result.rotated };
}

// ---------------------------------------------------------------------------------------------
// The text sub-commands

export async function setCelebrations({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command, client } = args;
  const target = rest.join(' ').trim();
  if (target.toLowerCase() === 'off') {
    await setCelebrationsChannel(deps, client, { teamId: command.team_id, actorId: command.user_id, channelId: null });
    return noticeMessage(':white_check_mark: Win celebrations are off.');
  }
  const channel = parseChannelMention(target);
  if (!channel || rest.length !== 1) {
    return noticeMessage(':warning: Name one channel, picked with `#` so Slack links it, or `off`.\nTry: `/sales-admin celebrations #sales-wins`');
  }
  const result = await setCelebrationsChannel(deps, client, { teamId: command.team_id, actorId: command.user_id, channelId: channel.id });
  if (!result.ok) return noticeMessage(cannotPostThere(result.code, channel.id));
  return noticeMessage(`:white_check_mark: Won deals will be celebrated in <#${channel.id}>. Turn it off with \`/sales-admin celebrations off\`.`);
}

/** The team name after the word: `"East AEs"`, `“East AEs”` or `East AEs`. */
export function teamNameOf(words: string[]): string {
  return words
    .join(' ')
    .trim()
    .replace(/^["“”']+|["“”']+$/g, '')
    .trim();
}

/**
 * `/sales-admin digests weekly|off ["Team"]`: the digest for people who never chose one. weekly = everyone Sales Pulse
 * knows (people who used it or were looked up) gets the weekly digest unless they opted out; off = opt-in. With a
 * team name, that team's default (a manager may set it for the teams they manage).
 */
export async function setDigestDefault({ deps, args, rest, role }: AdminContext): Promise<Message> {
  const { command } = args;
  const [first = '', ...nameWords] = rest;
  const word = first.toLowerCase();
  const teamName = teamNameOf(nameWords);
  if (teamName) {
    if (word !== 'weekly' && word !== 'off') return noticeMessage(`:warning: Say \`weekly\` or \`off\`, then the team. Try: \`/sales-admin digests weekly "East AEs"\``);
    const team = await findSalesTeamByName(deps.db, command.team_id, teamName);
    if (!team) return noticeMessage(`:warning: There is no team called “${escapeMrkdwn(teamName)}”. See them with \`/sales-admin teams\`.`);
    if (!managesTeam(role, team.id)) return noticeMessage(NOT_YOUR_TEAM_TEXT);
    await setTeamDigestDefault(deps, { teamId: command.team_id, actorId: command.user_id, team, value: word });
    const name = escapeMrkdwn(team.name);
    return noticeMessage(
      word === 'weekly'
        ? `:white_check_mark: Members of ${name} now get the weekly digest by DM, Fridays at 16:00 in their own time zone, unless they opted out with \`/my-stats unsubscribe\`.`
        : `:white_check_mark: Members of ${name} get no digest by default now (whatever the workspace default); anyone can still subscribe with \`/my-stats subscribe\`.`,
    );
  }
  if (role.kind !== 'admin') return noticeMessage(`${ADMIN_ONLY_TEXT}\nFor a team you manage: \`/sales-admin digests weekly "Team name"\`.`);
  const [workspace] = await deps.db.select({ digestDefault: workspaces.digestDefault }).from(workspaces).where(eq(workspaces.teamId, command.team_id));
  const current = workspace?.digestDefault ?? 'off';
  if (rest.length !== 1 || (word !== 'weekly' && word !== 'off')) {
    const now = current === 'weekly' ? 'everyone gets the weekly digest unless they opted out' : 'digests are opt-in (`/my-stats subscribe`)';
    return noticeMessage(`:information_source: Now: ${now}.
Change it with \`/sales-admin digests weekly\` (everyone, opt-out) or \`/sales-admin digests off\` (opt-in).`);
  }
  await setWorkspaceDigestDefault(deps, { teamId: command.team_id, actorId: command.user_id, value: word });
  return noticeMessage(
    word === 'weekly'
      ? ':white_check_mark: Everyone Sales Pulse knows now gets the weekly digest by DM, Fridays at 16:00 in their own time zone: their own numbers for the week so far. ' +
          'Anyone can stop it with `/my-stats unsubscribe`; people who chose daily or unsubscribed keep their choice.'
      : ':white_check_mark: Digests are opt-in again: only people who subscribed with `/my-stats subscribe` get one.',
  );
}
