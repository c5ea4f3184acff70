import type { types } from '@slack/bolt';
import type { ActivityTypeDef } from '../../../entries/activity-types.js';
import { escapeMrkdwn, truncate } from '../../../slack/text.js';
import type { TypeField, TypeInput } from '../activity-types.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const TYPES_CALLBACK = 'settings_types';
export const TYPE_FORM_CALLBACK = 'settings_types_form';
export const TYPES_ADD_ACTION = 'settings_types_add';
/** A type's menu (custom types: overflow) or button (built-in: hide/show): `settings_types_menu:<key>`. */
export const TYPES_MENU_PREFIX = 'settings_types_menu:';
export const TYPES_MENU_ACTION = /^settings_types_menu:/;
export const TYPE_FORM_BLOCKS: Record<TypeField, string> = {
  name: 'settings_type_name',
  plural: 'settings_type_plural',
  emoji: 'settings_type_emoji',
  outcomes: 'settings_type_outcomes',
  weight: 'settings_type_weight',
};
const ACTION = 'value';

export type TypeOp = 'edit' | 'hide' | 'show' | 'delete';
/** `<op>:<key>` from a menu option or button value; undefined when it is not one. Pure. */
export function parseTypeOp(value: string | undefined): { op: TypeOp; key: string } | undefined {
  const m = /^(edit|hide|show|delete):([a-z0-9-]{1,40})$/.exec(value ?? '');
  return m ? { op: m[1] as TypeOp, key: m[2]! } : undefined;
}

export interface ListedType extends ActivityTypeDef {
  builtIn: boolean;
}

function describeType(t: ListedType): string {
  const parts = [
    `${t.emoji ? `${t.emoji} ` : ''}*${escapeMrkdwn(t.label)}* (${escapeMrkdwn(t.plural)})${t.hidden ? ' · _hidden_' : ''}`,
    [t.builtIn ? 'Built-in' : 'Custom', t.outcomes.length ? `outcomes: ${t.outcomes.map(escapeMrkdwn).join(', ')}` : 'no outcomes', `weight ${t.weight ?? '1'}`].join(' · '),
  ];
  return truncate(parts.join('\n'), 3000);
}

/** Every type, built-in then custom, with its actions; "Add a type" on top. Pure. */
export function activityTypesView(list: ListedType[], notice?: string): ModalView {
  const blocks: KnownBlock[] = [
    ...(notice ? [noticeBlock(notice)] : []),
    {
      type: 'section',
      block_id: 'settings_types_intro',
      text: { type: 'mrkdwn', text: 'Hidden types are no longer offered for logging; their entries still count and show in reports. A custom type can be deleted only while it has no entries.' },
      accessory: { type: 'button', action_id: TYPES_ADD_ACTION, text: plain('Add a type', 75), value: 'add', style: 'primary' },
    },
    { type: 'divider' },
    ...list.slice(0, 95).map((t): KnownBlock => {
      const toggle = t.hidden ? { text: plain('Show', 75), value: `show:${t.key}` } : { text: plain('Hide', 75), value: `hide:${t.key}` };
      const accessory = t.builtIn
        ? { type: 'button' as const, action_id: `${TYPES_MENU_PREFIX}${t.key}`, text: toggle.text, value: toggle.value }
        : {
            type: 'overflow' as const,
            action_id: `${TYPES_MENU_PREFIX}${t.key}`,
            options: [{ text: plain('Edit', 75), value: `edit:${t.key}` }, toggle, { text: plain('Delete', 75), value: `delete:${t.key}` }],
          };
      return { type: 'section', block_id: `settings_type_${t.key}`, text: { type: 'mrkdwn', text: describeType(t) }, accessory };
    }),
  ];
  return sectionModal({ callbackId: TYPES_CALLBACK, title: 'Activity types', blocks });
}

const input = (field: TypeField, label: string, opts: { initial?: string; optional?: boolean; hint?: string; placeholder?: string; max: number }): KnownBlock => ({
  type: 'input',
  block_id: TYPE_FORM_BLOCKS[field],
  optional: opts.optional ?? false,
  label: plain(label),
  ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  element: {
    type: 'plain_text_input',
    action_id: ACTION,
    max_length: opts.max,
    ...(opts.initial ? { initial_value: opts.initial } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
  },
});

/** The form to add a custom type, or edit one (`editing`: its key goes in private_metadata). Pure. */
export function activityTypeForm(editing?: ActivityTypeDef): ModalView {
  const blocks: KnownBlock[] = [
    input('name', 'Name', { initial: editing?.label, placeholder: 'Site visit', max: 40, hint: 'What people type after /log, e.g. `/log site visit Acme`.' }),
    input('plural', 'Plural', { initial: editing?.plural, placeholder: 'site visits', max: 40 }),
    input('emoji', 'Emoji', { initial: editing?.emoji, optional: true, placeholder: ':car:', max: 64 }),
    input('outcomes', 'Outcomes', { initial: editing?.outcomes.join(', '), optional: true, placeholder: 'held, no-show, booked', max: 400, hint: 'Separated by commas; people log one with #outcome.' }),
    input('weight', 'Weight', { initial: editing?.weight, optional: true, placeholder: '1', max: 6, hint: 'Its weight in the weighted activity score: above 0, at most 100, up to 2 decimals. Empty: 1.' }),
  ];
  return sectionModal({
    callbackId: TYPE_FORM_CALLBACK,
    title: editing ? 'Edit activity type' : 'Add an activity type',
    submit: 'Save',
    blocks,
    privateMetadata: JSON.stringify(editing ? { key: editing.key } : {}),
  });
}

type StateValues = Record<string, Record<string, { value?: string | null }>>;

/** What the form says. Pure. */
export function typeFormInput(values: StateValues): TypeInput {
  const read = (field: TypeField) => values[TYPE_FORM_BLOCKS[field]]?.[ACTION]?.value ?? '';
  return { name: read('name'), plural: read('plural'), emoji: read('emoji'), outcomes: read('outcomes'), weight: read('weight') };
}

/** Errors under each field. Pure. */
export function typeFormErrors(errors: Partial<Record<TypeField, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [TYPE_FORM_BLOCKS[k as TypeField], v]));
}
