/**
 * Settings section `roles`: the Sales Pulse admin role, granted and revoked with a people picker (Slack's own admins
 * and owners are admins automatically, listed). Every submission re-loads the role: a non-admin's changes nothing.
 */
import type { App, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { ADMIN_ONLY_TEXT, loadRole } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../../slack/user-directory.js';
import { listAdminGrants, listKnownSlackAdmins, setAdminGrants } from '../org-changes.js';
import type { SettingsSection } from './section.js';
import { readRolesForm, ROLES_BLOCK, ROLES_CALLBACK, rolesView } from './roles.view.js';
import { slackFieldText } from './teams.view.js';

async function currentRolesView(deps: Deps, teamId: string, notice?: string) {
  const [grants, slackAdmins] = await Promise.all([listAdminGrants(deps.db, teamId), listKnownSlackAdmins(deps.db, teamId)]);
  return rolesView({ granted: grants.map((g) => g.userId), slackAdmins, notice });
}

const people = (ids: string[]) => ids.map((id) => `<@${id}>`).join(', ');

/** Save: grant and revoke the differences (audited), then show the roles as they are now. */
export async function handleRolesSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const errorUnder = (text: string) => ack({ response_action: 'errors', errors: { [ROLES_BLOCK]: slackFieldText(text) } });
  try {
    const role = await loadRole(deps, client, teamId, body.user.id);
    if (!role) return await errorUnder(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    if (role.kind !== 'admin') {
      deps.logger.warn({ teamId, userId: body.user.id, role: role.kind }, 'settings: roles refused to someone who is not an admin');
      return await errorUnder(ADMIN_ONLY_TEXT);
    }
    const result = await setAdminGrants({ deps, client, teamId, role }, readRolesForm(view.state.values));
    if (!result.ok) return await errorUnder(result.error.message);
    const { granted, revoked } = result.value;
    const notice =
      granted.length || revoked.length
        ? [':white_check_mark: Saved.', granted.length ? `Now admin: ${people(granted)}.` : '', revoked.length ? `No longer admin: ${people(revoked)}.` : ''].filter(Boolean).join(' ')
        : ':information_source: Nothing changed.';
    await ack({ response_action: 'update', view: await currentRolesView(deps, teamId, notice) });
  } catch (e) {
    await ack(notSavedSubmission(e, ROLES_BLOCK, ROLES_CALLBACK, deps.logger));
  }
}

export const rolesSection: SettingsSection = {
  id: 'roles',
  title: 'Roles',
  async summary(deps, teamId) {
    const grants = await listAdminGrants(deps.db, teamId);
    const made = grants.length === 0 ? 'no one made admin yet' : `${grants.length} made admin`;
    return `Slack admins and owners, ${made}`;
  },
  view(deps, { teamId }) {
    return currentRolesView(deps, teamId);
  },
  register(app: App, deps: Deps) {
    app.view<ViewSubmitAction>(ROLES_CALLBACK, (args) => handleRolesSubmit(args, deps));
  },
};
