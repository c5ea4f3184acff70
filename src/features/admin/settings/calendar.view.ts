import type { types } from '@slack/bolt';
import { MAX_BACKDATE_DAYS, MONTH_NAMES, WEEKDAY_NAMES, type CalendarSettingName, type CalendarSettings, type CalendarSettingsInput } from '../workspace-settings.js';
import { noticeBlock, plain, sectionModal } from './home.view.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export const CALENDAR_CALLBACK = 'settings_calendar';
/** The input block of each setting (its errors go under it); the element's action id is `value`. */
export const CALENDAR_BLOCKS: Record<CalendarSettingName, string> = {
  backdateDays: 'settings_calendar_backdate',
  weekStartsOn: 'settings_calendar_week_start',
  fiscalYearStartMonth: 'settings_calendar_fiscal',
  defaultTimeZone: 'settings_calendar_zone',
};
const ACTION = 'value';

const option = (text: string, value: string) => ({ text: plain(text, 75), value });

/** The calendar section's form, filled with the current settings. Pure. */
export function calendarView(current: CalendarSettings, notice?: string): ModalView {
  const weekdays = [1, 2, 3, 4, 5, 6, 0].map((d) => option(WEEKDAY_NAMES[d]!, String(d)));
  const months = MONTH_NAMES.map((m, i) => option(m, String(i + 1)));
  const blocks: KnownBlock[] = [
    ...(notice ? [noticeBlock(notice)] : []),
    {
      type: 'input',
      block_id: CALENDAR_BLOCKS.backdateDays,
      label: plain('Backdating window (days)'),
      hint: plain(`How many days back people may log an activity or a deal: 0 (today only) to ${MAX_BACKDATE_DAYS}.`),
      element: { type: 'plain_text_input', action_id: ACTION, initial_value: String(current.backdateDays), max_length: 10 },
    },
    {
      type: 'input',
      block_id: CALENDAR_BLOCKS.weekStartsOn,
      label: plain('Weeks start on'),
      element: { type: 'static_select', action_id: ACTION, options: weekdays, initial_option: weekdays.find((o) => o.value === String(current.weekStartsOn)) ?? weekdays[0]! },
    },
    {
      type: 'input',
      block_id: CALENDAR_BLOCKS.fiscalYearStartMonth,
      label: plain('Fiscal year starts in'),
      element: { type: 'static_select', action_id: ACTION, options: months, initial_option: months[current.fiscalYearStartMonth - 1] ?? months[0]! },
    },
    {
      type: 'input',
      block_id: CALENDAR_BLOCKS.defaultTimeZone,
      label: plain('Default time zone'),
      hint: plain('An IANA time zone name, like Europe/Paris or America/New_York: used for people whose Slack profile has none.'),
      element: { type: 'plain_text_input', action_id: ACTION, initial_value: current.defaultTimeZone, max_length: 64 },
    },
  ];
  return sectionModal({ callbackId: CALENDAR_CALLBACK, title: 'Calendar', submit: 'Save', blocks });
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** What the form says, by setting (absent when the field is empty). Pure. */
export function calendarFormInput(values: StateValues): CalendarSettingsInput {
  const read = (name: CalendarSettingName): string | undefined => {
    const state = values[CALENDAR_BLOCKS[name]]?.[ACTION];
    const v = state?.selected_option?.value ?? state?.value;
    return v === null || v === undefined ? undefined : v;
  };
  return {
    backdateDays: read('backdateDays') ?? '',
    weekStartsOn: read('weekStartsOn') ?? '',
    fiscalYearStartMonth: read('fiscalYearStartMonth') ?? '',
    defaultTimeZone: read('defaultTimeZone') ?? '',
  };
}

/** The errors of a refused form, under each field. Pure. */
export function calendarErrors(errors: Partial<Record<CalendarSettingName, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [CALENDAR_BLOCKS[k as CalendarSettingName], v]));
}

/** "Saved: backdating window 14 days, weeks start on Sunday." Pure. */
export function describeCalendarChange(changed: CalendarSettingName[], s: CalendarSettings): string {
  if (changed.length === 0) return ':information_source: Nothing changed.';
  const words: Record<CalendarSettingName, string> = {
    backdateDays: `backdating window ${s.backdateDays} ${s.backdateDays === 1 ? 'day' : 'days'}`,
    weekStartsOn: `weeks start on ${WEEKDAY_NAMES[s.weekStartsOn]}`,
    fiscalYearStartMonth: `fiscal year starts in ${MONTH_NAMES[s.fiscalYearStartMonth - 1]}`,
    defaultTimeZone: `default time zone ${s.defaultTimeZone}`,
  };
  return `:white_check_mark: Saved: ${changed.map((k) => words[k]).join(', ')}. It applies from now on.`;
}
