import type { SettingsSection } from './section.js';

/** The settings modal's sections, in the order of their buttons on the settings home. */
export const SETTINGS_SECTIONS: SettingsSection[] = [];
