/**
 * Settings section `teams`: the list of sales teams; "New team" and "Edit" push the team form; Save applies the
 * differences through org-changes (validated, audited) and refreshes the list under the form. Every click and
 * submission re-loads the role: a rep's or a manager's forged payload changes nothing, and a team id from a payload
 * is looked up in the sender's workspace.
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { ADMIN_ONLY_TEXT, findSalesTeamById, listSalesTeams, loadRole } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ButtonArgs, ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { PERMISSION_CHECK_UNAVAILABLE_TEXT } from '../../../slack/user-directory.js';
import { saveTeam, teamLabel } from '../org-changes.js';
import { adminBehind } from './guard.js';
import type { SettingsSection } from './section.js';
import {
  decodeTeamFormMetadata,
  EDIT_TEAM_ACTION,
  NEW_TEAM_ACTION,
  readTeamForm,
  slackFieldText,
  TEAM_BLOCKS,
  TEAM_FORM_CALLBACK,
  teamFormErrors,
  teamFormView,
  teamNoticeView,
  teamsListView,
} from './teams.view.js';

export const TEAM_GONE_TEXT = 'This team no longer exists: someone deleted it. Go back to see the teams as they are now.';

/** "New team" or a team's "Edit": push the form, for an admin only. */
export async function handleOpenTeamForm(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const role = await adminBehind(deps, client, teamId, body.user.id, 'team form');
  if (!role) {
    await client.views.push({ trigger_id: body.trigger_id, view: teamNoticeView(ADMIN_ONLY_TEXT) });
    return;
  }
  const listViewId = body.view?.id;
  if (action.action_id === NEW_TEAM_ACTION) {
    await client.views.push({ trigger_id: body.trigger_id, view: teamFormView({ listViewId }) });
    return;
  }
  const team = await findSalesTeamById(deps.db, teamId, action.value ?? '');
  await client.views.push({ trigger_id: body.trigger_id, view: team ? teamFormView({ team, listViewId }) : teamNoticeView(`:warning: ${TEAM_GONE_TEXT}`) });
}

/** The team form was saved: errors under the fields, or apply, close the form and refresh the list under it. */
export async function handleTeamFormSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  const errorUnderName = (text: string) => ack({ response_action: 'errors', errors: { [TEAM_BLOCKS.name]: slackFieldText(text) } });
  let notice: string;
  let listViewId: string | undefined;
  try {
    const role = await loadRole(deps, client, teamId, body.user.id);
    if (!role) return await errorUnderName(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    if (role.kind !== 'admin') {
      deps.logger.warn({ teamId, userId: body.user.id, role: role.kind }, 'settings: team form refused to someone who is not an admin');
      return await errorUnderName(ADMIN_ONLY_TEXT);
    }
    const meta = decodeTeamFormMetadata(view.private_metadata);
    listViewId = meta.listViewId;
    const team = meta.salesTeamId !== undefined ? await findSalesTeamById(deps.db, teamId, meta.salesTeamId) : undefined;
    if (meta.salesTeamId !== undefined && !team) return await errorUnderName(TEAM_GONE_TEXT);
    const form = readTeamForm(view.state.values);
    const result = await saveTeam({ deps, client, teamId, role }, { team, ...form });
    if (!result.ok) return await ack({ response_action: 'errors', errors: teamFormErrors(result.errors) });
    const saved = result.value;
    notice = saved.created
      ? `:white_check_mark: Created ${teamLabel(saved.team.name)}.`
      : saved.changes.length
        ? `:white_check_mark: Saved ${teamLabel(saved.team.name)}.`
        : `:information_source: Nothing changed in ${teamLabel(saved.team.name)}.`;
  } catch (e) {
    await ack(notSavedSubmission(e, TEAM_BLOCKS.name, TEAM_FORM_CALLBACK, deps.logger));
    return;
  }
  await ack();
  if (!listViewId) return;
  try {
    await client.views.update({ view_id: listViewId, view: teamsListView(await listSalesTeams(deps.db, teamId), notice) });
  } catch (err) {
    // The list may have been closed meanwhile; the change is saved either way.
    deps.logger.warn({ err, teamId }, 'settings: could not refresh the team list after a save');
  }
}

export const teamsSection: SettingsSection = {
  id: 'teams',
  title: 'Teams',
  async summary(deps, teamId) {
    const teams = await listSalesTeams(deps.db, teamId);
    if (teams.length === 0) return 'No teams yet';
    const names = teams.slice(0, 5).map((t) => teamLabel(t.name));
    return `${teams.length} ${teams.length === 1 ? 'team' : 'teams'}: ${names.join(', ')}${teams.length > 5 ? ', …' : ''}`;
  },
  async view(deps, { teamId }) {
    return teamsListView(await listSalesTeams(deps.db, teamId));
  },
  register(app: App, deps: Deps) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: NEW_TEAM_ACTION }, (args) => handleOpenTeamForm(args, deps));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: EDIT_TEAM_ACTION }, (args) => handleOpenTeamForm(args, deps));
    app.view<ViewSubmitAction>(TEAM_FORM_CALLBACK, (args) => handleTeamFormSubmit(args, deps));
  },
};
