/**
 * Settings section `stages`: the conversion stages in order; add, edit, remove, move up/down, reset to the defaults.
 * Every click and submission re-checks the admin role on the server and goes through the service in
 * ../conversion-stages.ts, which validates the whole list and audits the change with it.
 */
import type { App, BlockAction, ButtonAction, OverflowAction, ViewSubmitAction, webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { ADMIN_ONLY_TEXT } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { escapeMrkdwn } from '../../../slack/text.js';
import { changeConversionStages, loadStageSettings, type StageChangeResult } from '../conversion-stages.js';
import {
  conversionStageForm,
  conversionStagesView,
  editedStage,
  parseStageOp,
  STAGE_FORM_BLOCKS,
  STAGE_FORM_CALLBACK,
  stageFormErrors,
  stageFormInput,
  STAGES_ADD_ACTION,
  STAGES_MENU_ACTION,
  STAGES_RESET_ACTION,
} from './conversion-stages.view.js';
import { adminBehind } from './guard.js';
import type { SettingsSection } from './section.js';

type ClickArgs = { ack: () => Promise<void>; body: BlockAction<ButtonAction | OverflowAction>; client: webApi.WebClient; action: ButtonAction | OverflowAction };

const STALE_NOTICE = ':information_source: The stages changed while you were looking (another admin?): here they are now. Nothing was changed.';

/** "Add a stage": push the empty form. */
export async function handleAddStage(args: ClickArgs, deps: Deps): Promise<void> {
  await args.ack();
  const teamId = requireTeamId(args.body);
  if (!(await adminBehind(deps, args.client, teamId, args.body.user.id, 'add a conversion stage'))) return;
  const { types } = await loadStageSettings(deps, teamId);
  await args.client.views.push({ trigger_id: args.body.trigger_id, view: conversionStageForm(types) });
}

/** Notice after a list change (move, remove, reset). */
function changeNotice(result: StageChangeResult, what: string): string {
  if (!result.ok) return 'stale' in result ? STALE_NOTICE : `:warning: ${escapeMrkdwn('error' in result ? result.error : Object.values(result.errors)[0] ?? 'Not changed.')}`;
  return result.changed ? `:white_check_mark: ${what}` : ':information_source: Nothing changed.';
}

/** A stage's menu: edit (push the form), move up or down, remove (the list updated in place). */
export async function handleStageMenu(args: ClickArgs, deps: Deps): Promise<void> {
  await args.ack();
  const { body, client, action } = args;
  const teamId = requireTeamId(body);
  const picked = parseStageOp(action.type === 'overflow' ? action.selected_option.value : action.value);
  if (!picked || !body.view) return;
  if (!(await adminBehind(deps, client, teamId, body.user.id, `${picked.op} a conversion stage`))) return;
  if (picked.op === 'edit') {
    const settings = await loadStageSettings(deps, teamId);
    const stage = settings.stages[picked.index];
    if (stage && stage.label === picked.label) {
      await client.views.push({ trigger_id: body.trigger_id, view: conversionStageForm(settings.types, { index: picked.index, stage }) });
    } else {
      await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: conversionStagesView(settings, STALE_NOTICE) });
    }
    return;
  }
  const result = await changeConversionStages(deps, { teamId, actorId: body.user.id, change: { op: picked.op, index: picked.index, label: picked.label } });
  const label = escapeMrkdwn(picked.label);
  const done = picked.op === 'remove' ? `Removed ${label}.` : `Moved ${label} ${picked.op}.`;
  await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: conversionStagesView(await loadStageSettings(deps, teamId), changeNotice(result, done)) });
}

/** "Reset to the defaults" (confirmed in Slack): the stored stages removed, the defaults in force again. */
export async function handleResetStages(args: ClickArgs, deps: Deps): Promise<void> {
  await args.ack();
  const { body, client } = args;
  const teamId = requireTeamId(body);
  if (!body.view) return;
  if (!(await adminBehind(deps, client, teamId, body.user.id, 'reset the conversion stages'))) return;
  const result = await changeConversionStages(deps, { teamId, actorId: body.user.id, change: { op: 'reset' } });
  await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: conversionStagesView(await loadStageSettings(deps, teamId), changeNotice(result, 'Back to the default stages.')) });
}

/** The add/edit form: validated (errors under the field), stored, then the list with what changed. */
export async function handleStageFormSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    if (!(await adminBehind(deps, client, teamId, body.user.id, 'save a conversion stage'))) {
      await ack({ response_action: 'errors', errors: { [STAGE_FORM_BLOCKS.label]: ADMIN_ONLY_TEXT } });
      return;
    }
    const editing = editedStage(view.private_metadata);
    const stage = stageFormInput(view.state.values);
    const change = editing ? { op: 'edit' as const, ...editing, stage } : { op: 'add' as const, stage };
    const result = await changeConversionStages(deps, { teamId, actorId: body.user.id, change });
    if (!result.ok) {
      const errors =
        'stale' in result
          ? { [STAGE_FORM_BLOCKS.label]: 'The stages changed while you were editing (another admin?). Close this form and pick the stage again.' }
          : 'error' in result
            ? { [STAGE_FORM_BLOCKS.label]: result.error }
            : stageFormErrors(result.errors);
      await ack({ response_action: 'errors', errors });
      return;
    }
    const label = escapeMrkdwn(result.label ?? stage.label);
    const notice = !result.changed ? ':information_source: Nothing changed.' : editing ? `:white_check_mark: Saved ${label}.` : `:white_check_mark: Added ${label}.`;
    await ack({ response_action: 'update', view: conversionStagesView(await loadStageSettings(deps, teamId), notice) });
  } catch (e) {
    await ack(notSavedSubmission(e, STAGE_FORM_BLOCKS.label, STAGE_FORM_CALLBACK, deps.logger));
  }
}

export const conversionStagesSection: SettingsSection = {
  id: 'stages',
  title: 'Conversion stages',
  async summary(deps, teamId) {
    const s = await loadStageSettings(deps, teamId);
    return `${s.stored === null ? 'Default' : 'Own'}: ${s.stages.map((x) => escapeMrkdwn(x.label)).join(' → ')}`;
  },
  async view(deps, { teamId }) {
    return conversionStagesView(await loadStageSettings(deps, teamId));
  },
  register(app: App, deps: Deps) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: STAGES_ADD_ACTION }, (args) => handleAddStage(args, deps));
    app.action<BlockAction<ButtonAction | OverflowAction>>({ type: 'block_actions', action_id: STAGES_MENU_ACTION }, (args) => handleStageMenu(args, deps));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: STAGES_RESET_ACTION }, (args) => handleResetStages(args, deps));
    app.view<ViewSubmitAction>(STAGE_FORM_CALLBACK, (args) => handleStageFormSubmit(args, deps));
  },
};
