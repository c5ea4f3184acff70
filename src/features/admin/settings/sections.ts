import type { SettingsSection } from './section.js';
import { calendarSection } from './calendar.js';
import { notificationsSection } from './notifications.js';
import { activityTypesSection } from './activity-types.js';
import { rolesSection } from './roles.js';
import { teamsSection } from './teams.js';
import { currencySection } from './currency.js';
import { satisfactionSection } from './satisfaction.js';
import { conversionStagesSection } from './conversion-stages.js';

/** The settings modal's sections, in the order of their buttons on the settings home. */
export const SETTINGS_SECTIONS: SettingsSection[] = [teamsSection, rolesSection, calendarSection, activityTypesSection, conversionStagesSection, currencySection, satisfactionSection, notificationsSection];
