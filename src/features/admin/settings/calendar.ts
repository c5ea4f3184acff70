/** Settings section `calendar`: backdating window, week start, fiscal-year start, default time zone. */
import type { App, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { ADMIN_ONLY_TEXT } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { ensureWorkspace } from '../../../slack/workspace.js';
import { calendarSettingsOf, MONTH_NAMES, updateCalendarSettings, WEEKDAY_NAMES } from '../workspace-settings.js';
import { CALENDAR_BLOCKS, CALENDAR_CALLBACK, calendarErrors, calendarFormInput, calendarView, describeCalendarChange } from './calendar.view.js';
import { adminBehind } from './guard.js';
import type { SettingsSection } from './section.js';

export async function handleCalendarSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    const role = await adminBehind(deps, client, teamId, body.user.id, 'calendar settings');
    if (!role) {
      await ack({ response_action: 'errors', errors: { [CALENDAR_BLOCKS.backdateDays]: ADMIN_ONLY_TEXT } });
      return;
    }
    const result = await updateCalendarSettings(deps, { teamId, actorId: body.user.id, settings: calendarFormInput(view.state.values) });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: calendarErrors(result.errors) });
      return;
    }
    await ack({ response_action: 'update', view: calendarView(result.settings, describeCalendarChange(result.changed, result.settings)) });
  } catch (e) {
    await ack(notSavedSubmission(e, CALENDAR_BLOCKS.backdateDays, CALENDAR_CALLBACK, deps.logger));
  }
}

export const calendarSection: SettingsSection = {
  id: 'calendar',
  title: 'Calendar',
  async summary(deps, teamId) {
    const s = calendarSettingsOf(await ensureWorkspace(deps.db, teamId));
    return `Log up to ${s.backdateDays} ${s.backdateDays === 1 ? 'day' : 'days'} back · weeks start ${WEEKDAY_NAMES[s.weekStartsOn]} · fiscal year from ${MONTH_NAMES[s.fiscalYearStartMonth - 1]} · ${s.defaultTimeZone}`;
  },
  async view(deps, { teamId }) {
    return calendarView(calendarSettingsOf(await ensureWorkspace(deps.db, teamId)));
  },
  register(app: App, deps: Deps) {
    app.view<ViewSubmitAction>(CALENDAR_CALLBACK, (args) => handleCalendarSubmit(args, deps));
  },
};
