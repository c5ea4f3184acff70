/** The Customer satisfaction section's view: the scale scores are given on. Pure. */
import type { types } from '@slack/bolt';
import { SATISFACTION_SCALE_INFO, SATISFACTION_SCALES, type SatisfactionScale } from '../../../entries/deal-kinds.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const SATISFACTION_CALLBACK = 'settings_satisfaction';
export const SATISFACTION_BLOCK = 'settings_satisfaction_scale';
const ACTION = 'value';

/** "CSAT: 1 to 5" as an option. */
function scaleOption(scale: SatisfactionScale): types.PlainTextOption {
  const { name, min, max } = SATISFACTION_SCALE_INFO[scale];
  return { text: plain(`${name}: ${min} to ${max}`, 75), value: scale };
}

/** The section's form with the workspace's scale selected; `notice` (mrkdwn by the app) says what the last save did. */
export function satisfactionView(scale: SatisfactionScale, notice?: string): ModalView {
  const options = SATISFACTION_SCALES.map(scaleOption);
  const blocks: KnownBlock[] = [
    ...(notice ? [noticeBlock(notice)] : []),
    {
      type: 'input',
      block_id: SATISFACTION_BLOCK,
      label: plain('Satisfaction scale'),
      hint: plain(
        'Scores come with deals from the CRM webhook or the CSV import, and are checked against this scale. ' +
          'Boards average only the scores given on the current scale; scores given on the other one are kept.',
      ),
      element: { type: 'static_select', action_id: ACTION, options, initial_option: scaleOption(scale) },
    },
  ];
  return sectionModal({ callbackId: SATISFACTION_CALLBACK, title: 'Customer satisfaction', submit: 'Save', blocks });
}

type StateValues = Record<string, Record<string, { selected_option?: { value: string } | null }>>;

/** The scale the form says, or undefined when it says none we know. Pure. */
export function satisfactionFormInput(values: StateValues): SatisfactionScale | undefined {
  const value = values[SATISFACTION_BLOCK]?.[ACTION]?.selected_option?.value;
  return (SATISFACTION_SCALES as readonly string[]).includes(value ?? '') ? (value as SatisfactionScale) : undefined;
}
