/** Settings section `types`: built-in and custom activity types; add, edit, hide/show, delete. */
import type { App, BlockAction, ButtonAction, OverflowAction, ViewSubmitAction, webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../../entries/activity-types.js';
import { ADMIN_ONLY_TEXT } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { escapeMrkdwn } from '../../../slack/text.js';
import { loadActivityTypes } from '../../logging/index.js';
import { createCustomType, deleteCustomType, setTypeHidden, updateCustomType } from '../activity-types.js';
import { adminBehind } from './guard.js';
import {
  activityTypeForm,
  activityTypesView,
  parseTypeOp,
  TYPE_FORM_BLOCKS,
  TYPE_FORM_CALLBACK,
  typeFormErrors,
  typeFormInput,
  TYPES_ADD_ACTION,
  TYPES_MENU_ACTION,
  type ListedType,
} from './activity-types.view.js';
import type { SettingsSection } from './section.js';

const builtInKeys = new Set(BUILT_IN_ACTIVITY_TYPES.map((t) => t.key));

async function listTypes(deps: Pick<Deps, 'db'>, teamId: string): Promise<ListedType[]> {
  return (await loadActivityTypes(deps.db, teamId)).map((t) => ({ ...t, builtIn: builtInKeys.has(t.key) }));
}

type ClickArgs = { ack: () => Promise<void>; body: BlockAction<ButtonAction | OverflowAction>; client: webApi.WebClient; action: ButtonAction | OverflowAction };

/** "Add a type": push the empty form. */
export async function handleAddType(args: ClickArgs, deps: Deps): Promise<void> {
  await args.ack();
  const teamId = requireTeamId(args.body);
  if (!(await adminBehind(deps, args.client, teamId, args.body.user.id, 'add an activity type'))) return;
  await args.client.views.push({ trigger_id: args.body.trigger_id, view: activityTypeForm() });
}

/** A type's menu or button: edit (push the form), hide, show or delete (the list updated in place). */
export async function handleTypeMenu(args: ClickArgs, deps: Deps): Promise<void> {
  await args.ack();
  const { body, client, action } = args;
  const teamId = requireTeamId(body);
  const picked = parseTypeOp(action.type === 'overflow' ? action.selected_option.value : action.value);
  if (!picked || !body.view) return;
  if (!(await adminBehind(deps, client, teamId, body.user.id, `${picked.op} an activity type`))) return;
  const actorId = body.user.id;
  let notice: string;
  switch (picked.op) {
    case 'edit': {
      const type = (await listTypes(deps, teamId)).find((t) => t.key === picked.key && !t.builtIn);
      if (type) await client.views.push({ trigger_id: body.trigger_id, view: activityTypeForm(type) });
      return;
    }
    case 'hide':
    case 'show': {
      const type = await setTypeHidden(deps, { teamId, actorId, key: picked.key, hidden: picked.op === 'hide' });
      if (!type) return;
      notice =
        picked.op === 'hide'
          ? `:white_check_mark: ${escapeMrkdwn(type.label)} is hidden: no longer offered for logging; its entries still count.`
          : `:white_check_mark: ${escapeMrkdwn(type.label)} is offered for logging again.`;
      break;
    }
    case 'delete': {
      const deleted = await deleteCustomType(deps, { teamId, actorId, key: picked.key });
      if (deleted.result === 'not_found') return;
      notice =
        deleted.result === 'deleted'
          ? `:white_check_mark: Deleted ${escapeMrkdwn(deleted.label!)}.`
          : `:warning: ${escapeMrkdwn(deleted.label!)} has ${deleted.entries} ${deleted.entries === 1 ? 'entry' : 'entries'}, so it cannot be deleted. Hide it instead: it is no longer offered for logging and its entries still count.`;
      break;
    }
  }
  await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: activityTypesView(await listTypes(deps, teamId), notice) });
}

/** The add/edit form: validated (errors under the field), stored, then the list with what changed. */
export async function handleTypeFormSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    if (!(await adminBehind(deps, client, teamId, body.user.id, 'save an activity type'))) {
      await ack({ response_action: 'errors', errors: { [TYPE_FORM_BLOCKS.name]: ADMIN_ONLY_TEXT } });
      return;
    }
    let editing: string | undefined;
    try {
      const meta = JSON.parse(view.private_metadata || '{}') as { key?: unknown };
      editing = typeof meta.key === 'string' ? meta.key : undefined;
    } catch {
      editing = undefined;
    }
    const input = typeFormInput(view.state.values);
    const actorId = body.user.id;
    const result = editing ? await updateCustomType(deps, { teamId, actorId, key: editing, type: input }) : await createCustomType(deps, { teamId, actorId, type: input });
    if (!result.ok) {
      const errors = 'notFound' in result ? { [TYPE_FORM_BLOCKS.name]: 'That type no longer exists. Close this form and pick one from the list.' } : typeFormErrors(result.errors);
      await ack({ response_action: 'errors', errors });
      return;
    }
    const t = result.type;
    const notice = editing
      ? `:white_check_mark: Saved ${escapeMrkdwn(t.label)}.`
      : `:white_check_mark: Added ${escapeMrkdwn(t.label)}. Log one with \`/log ${t.label.toLowerCase()} Acme\`, or pick it in the form.`;
    await ack({ response_action: 'update', view: activityTypesView(await listTypes(deps, teamId), notice) });
  } catch (e) {
    await ack(notSavedSubmission(e, TYPE_FORM_BLOCKS.name, TYPE_FORM_CALLBACK, deps.logger));
  }
}

export const activityTypesSection: SettingsSection = {
  id: 'types',
  title: 'Activity types',
  async summary(deps, teamId) {
    const list = await listTypes(deps, teamId);
    const builtIn = list.filter((t) => t.builtIn).length;
    const custom = list.length - builtIn;
    const hidden = list.filter((t) => t.hidden).length;
    return [`${builtIn} built-in types`, `${custom} custom`, ...(hidden ? [`${hidden} hidden`] : [])].join(' · ');
  },
  async view(deps, { teamId }) {
    return activityTypesView(await listTypes(deps, teamId));
  },
  register(app: App, deps: Deps) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: TYPES_ADD_ACTION }, (args) => handleAddType(args, deps));
    app.action<BlockAction<ButtonAction | OverflowAction>>({ type: 'block_actions', action_id: TYPES_MENU_ACTION }, (args) => handleTypeMenu(args, deps));
    app.view<ViewSubmitAction>(TYPE_FORM_CALLBACK, (args) => handleTypeFormSubmit(args, deps));
  },
};
