import type { types } from '@slack/bolt';
import type { StoredConversionStage } from '../../../db/schema/index.js';
import type { ActivityTypeDef } from '../../../entries/activity-types.js';
import { escapeMrkdwn, truncate } from '../../../slack/text.js';
import { defaultStages, MAX_STAGE_LABEL, MAX_STAGES, stageWords, type StageField, type StageInput, type StageSettings } from '../conversion-stages.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type Option = types.PlainTextOption;

export const STAGES_CALLBACK = 'settings_stages';
export const STAGE_FORM_CALLBACK = 'settings_stages_form';
export const STAGES_ADD_ACTION = 'settings_stages_add';
export const STAGES_RESET_ACTION = 'settings_stages_reset';
/** A stage's menu (overflow) or, for deals won, its Rename button: `settings_stages_menu:<index>`. */
export const STAGES_MENU_PREFIX = 'settings_stages_menu:';
export const STAGES_MENU_ACTION = /^settings_stages_menu:/;
export const STAGE_FORM_BLOCKS: Record<StageField, string> = {
  label: 'settings_stage_label',
  types: 'settings_stage_types',
  outcomes: 'settings_stage_outcomes',
};
const ACTION = 'value';
/** Slack's limits on a select: options, and an option's text and value. */
const MAX_OPTIONS = 100;
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 75;

export type StageOp = 'edit' | 'up' | 'down' | 'remove';
/**
 * A menu option's value: `<op>:<index>:<label>`. The label travels with the index so a click on a list that has
 * changed since (another admin) is refused rather than applied to whichever stage is there now.
 */
export function stageOpValue(op: StageOp, index: number, label: string): string {
  return `${op}:${index}:${label}`.slice(0, OPTION_VALUE_MAX);
}
/** `<op>:<index>:<label>` from a menu option or button value; undefined when it is not one. Pure. */
export function parseStageOp(value: string | undefined): { op: StageOp; index: number; label: string } | undefined {
  const m = /^(edit|up|down|remove):([0-9]):(.{1,40})$/su.exec(value ?? '');
  return m ? { op: m[1] as StageOp, index: Number(m[2]), label: m[3]! } : undefined;
}

function stageText(stage: StoredConversionStage, i: number, types: ActivityTypeDef[]): string {
  const what = stage.won ? 'Deals marked won · always the last stage' : capitalised(stageWords(stage, types));
  return truncate(`*${i + 1}. ${escapeMrkdwn(stage.label)}*\n${escapeMrkdwn(what)}`, 3000);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function stageBlock(stage: StoredConversionStage, i: number, stages: StoredConversionStage[], types: ActivityTypeDef[]): KnownBlock {
  const action_id = `${STAGES_MENU_PREFIX}${i}`;
  const text = { type: 'mrkdwn' as const, text: stageText(stage, i, types) };
  if (stage.won) {
    return { type: 'section', block_id: `settings_stage_${i}`, text, accessory: { type: 'button', action_id, text: plain('Rename', 75), value: stageOpValue('edit', i, stage.label) } };
  }
  const next = stages[i + 1];
  const options: Option[] = [
    { text: plain('Edit', OPTION_TEXT_MAX), value: stageOpValue('edit', i, stage.label) },
    ...(i > 0 ? [{ text: plain('Move up', OPTION_TEXT_MAX), value: stageOpValue('up', i, stage.label) }] : []),
    ...(next && !next.won ? [{ text: plain('Move down', OPTION_TEXT_MAX), value: stageOpValue('down', i, stage.label) }] : []),
    { text: plain('Remove', OPTION_TEXT_MAX), value: stageOpValue('remove', i, stage.label) },
  ];
  return { type: 'section', block_id: `settings_stage_${i}`, text, accessory: { type: 'overflow', action_id, options } };
}

/** The stages in order with their menus; "Add a stage" on top (while under the maximum), Reset at the bottom. Pure. */
export function conversionStagesView(settings: StageSettings, notice?: string): ModalView {
  const { stages, types } = settings;
  const full = stages.length >= MAX_STAGES;
  const intro =
    'The funnel from effort to wins, in order: each stage counts the activities of its types with its outcomes, and the rate between two stages is how many of one become the next. The last stage is always deals won.' +
    (full ? ` A funnel has at most ${MAX_STAGES} stages: remove one to add another.` : '');
  const blocks: KnownBlock[] = [
    ...(notice ? [noticeBlock(notice)] : []),
    {
      type: 'section',
      block_id: 'settings_stages_intro',
      text: { type: 'mrkdwn', text: intro },
      ...(full ? {} : { accessory: { type: 'button' as const, action_id: STAGES_ADD_ACTION, text: plain('Add a stage', 75), value: 'add', style: 'primary' as const } }),
    },
    { type: 'divider' },
    ...stages.map((s, i) => stageBlock(s, i, stages, types)),
    { type: 'divider' },
  ];
  if (settings.stored === null) {
    blocks.push({ type: 'context', block_id: 'settings_stages_default', elements: [{ type: 'mrkdwn', text: 'These are the default stages. Any change here makes them the workspace’s own.' }] });
  } else {
    blocks.push({
      type: 'actions',
      block_id: 'settings_stages_actions',
      elements: [
        {
          type: 'button',
          action_id: STAGES_RESET_ACTION,
          text: plain('Reset to the defaults', 75),
          value: 'reset',
          style: 'danger',
          confirm: {
            title: plain('Reset the stages?', 100),
            text: plain(`The stages go back to the defaults: ${defaultStages().map((s) => s.label).join(' → ')}. Your own stages are removed.`, 300),
            confirm: plain('Reset', 30),
            deny: plain('Keep mine', 30),
          },
        },
      ],
    });
  }
  return sectionModal({ callbackId: STAGES_CALLBACK, title: 'Conversion stages', blocks });
}

function optionText(text: string): types.PlainTextElement {
  return plain(text, OPTION_TEXT_MAX);
}

/** Every type, built-in then custom (hidden ones too: their entries still count), as options. */
function typeOptions(types: ActivityTypeDef[]): Option[] {
  return types.slice(0, MAX_OPTIONS).map((t) => ({ text: optionText(`${t.label}${t.hidden ? ' (hidden)' : ''}`), value: t.key }));
}

/** Every outcome of every type, once, with the types that have it: "booked (Call, Meeting, Demo)". */
export function outcomeOptions(types: ActivityTypeDef[]): Option[] {
  const byOutcome = new Map<string, string[]>();
  for (const t of types) for (const o of t.outcomes) byOutcome.set(o, [...(byOutcome.get(o) ?? []), t.label]);
  return [...byOutcome].map(([o, labels]) => ({ text: optionText(`#${o} (${labels.join(', ')})`), value: o.slice(0, OPTION_VALUE_MAX) }));
}

/**
 * The form to add a stage, or edit one (`editing`: its index and label go in private_metadata). Types and outcomes
 * are multi-selects of the workspace's own (custom ones included); past Slack's 100 options, outcomes are typed.
 * Deals won: its name only. Pure.
 */
export function conversionStageForm(types: ActivityTypeDef[], editing?: { index: number; stage: StoredConversionStage }): ModalView {
  const stage = editing?.stage;
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: STAGE_FORM_BLOCKS.label,
      label: plain('Name'),
      hint: plain(stage?.won ? 'The last stage counts deals marked won; only its name changes.' : 'As the funnel shows it, like "Demos held". Each stage needs its own name.'),
      element: {
        type: 'plain_text_input',
        action_id: ACTION,
        max_length: MAX_STAGE_LABEL,
        placeholder: plain('Demos held', 150),
        ...(stage ? { initial_value: stage.label } : {}),
      },
    },
  ];
  if (!stage?.won) {
    const typeOpts = typeOptions(types);
    const initialTypes = typeOpts.filter((o) => stage?.types?.includes(o.value!));
    blocks.push({
      type: 'input',
      block_id: STAGE_FORM_BLOCKS.types,
      optional: true,
      label: plain('Activity types'),
      hint: plain('Leave empty to count every type.'),
      element: {
        type: 'multi_static_select',
        action_id: ACTION,
        placeholder: plain('Any type', 150),
        options: typeOpts,
        ...(initialTypes.length ? { initial_options: initialTypes } : {}),
      },
    });
    const outcomeOpts = outcomeOptions(types);
    const hint = 'Leave empty to count any outcome (or none). Outcomes must belong to the chosen types.';
    if (outcomeOpts.length > 0 && outcomeOpts.length <= MAX_OPTIONS) {
      const initial = outcomeOpts.filter((o) => stage?.outcomes?.includes(o.value!));
      blocks.push({
        type: 'input',
        block_id: STAGE_FORM_BLOCKS.outcomes,
        optional: true,
        label: plain('Outcomes'),
        hint: plain(hint),
        element: { type: 'multi_static_select', action_id: ACTION, placeholder: plain('Any outcome', 150), options: outcomeOpts, ...(initial.length ? { initial_options: initial } : {}) },
      });
    } else {
      blocks.push({
        type: 'input',
        block_id: STAGE_FORM_BLOCKS.outcomes,
        optional: true,
        label: plain('Outcomes'),
        hint: plain(`Separated by commas, like \`booked, held\`. ${hint}`),
        element: {
          type: 'plain_text_input',
          action_id: ACTION,
          max_length: 600,
          placeholder: plain('held, booked', 150),
          ...(stage?.outcomes?.length ? { initial_value: stage.outcomes.join(', ') } : {}),
        },
      });
    }
  }
  return sectionModal({
    callbackId: STAGE_FORM_CALLBACK,
    title: stage?.won ? 'Rename deals won' : editing ? 'Edit stage' : 'Add a stage',
    submit: 'Save',
    blocks,
    privateMetadata: JSON.stringify(editing ? { index: editing.index, label: editing.stage.label } : {}),
  });
}

type StateValue = { value?: string | null; selected_options?: { value?: string }[] | null };
type StateValues = Record<string, Record<string, StateValue>>;

/** What the form says; typed outcomes are split at commas. Pure. */
export function stageFormInput(values: StateValues): StageInput {
  const state = (field: StageField): StateValue | undefined => values[STAGE_FORM_BLOCKS[field]]?.[ACTION];
  const picked = (s: StateValue | undefined) => (s?.selected_options ?? []).map((o) => o.value ?? '').filter(Boolean);
  const outcomes = state('outcomes');
  return {
    label: state('label')?.value ?? '',
    types: picked(state('types')),
    outcomes: outcomes?.selected_options
      ? picked(outcomes)
      : (outcomes?.value ?? '')
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
  };
}

/** Errors under each field. Pure. */
export function stageFormErrors(errors: Partial<Record<StageField, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [STAGE_FORM_BLOCKS[k as StageField], v]));
}

/** The index and label of the stage the form edits, from its private_metadata; undefined when it adds one. */
export function editedStage(privateMetadata: string | undefined): { index: number; label: string } | undefined {
  try {
    const meta = JSON.parse(privateMetadata || '{}') as { index?: unknown; label?: unknown };
    return Number.isInteger(meta.index) && typeof meta.label === 'string' ? { index: meta.index as number, label: meta.label } : undefined;
  } catch {
    return undefined;
  }
}
