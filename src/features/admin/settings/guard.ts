import type { webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { loadRole, type Role } from '../../../org/index.js';

/**
 * The role of the person behind an interaction, when they are an admin; undefined otherwise (a rep's or a
 * manager's forged payload, or Slack not confirming the profile), logged. Sections call it in every handler.
 */
export async function adminBehind(deps: Deps, client: webApi.WebClient, teamId: string, userId: string, what: string): Promise<Role | undefined> {
  const role = await loadRole(deps, client, teamId, userId);
  if (role?.kind === 'admin') return role;
  deps.logger.warn({ teamId, userId, what, role: role?.kind ?? 'unconfirmed' }, 'settings: refused to someone who is not an admin');
  return undefined;
}
