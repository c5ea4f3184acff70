import type { App } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Deps } from '../../../deps.js';
import type { Role } from '../../../org/index.js';
import type { SecretBox } from '../../../lib/secret-box.js';

/** What a section may need beyond deps (given to its register). */
export interface SettingsServices {
  /** Seals and opens secrets at rest (the deal-webhook secret). */
  secretBox: SecretBox;
}

/**
 * One section of the settings modal (`/sales-admin` alone): a button on the settings home that pushes the section's
 * view. Each section owns its views, its actions and its view submissions, and re-checks the role on the server in
 * every one of them (a forged `block_actions` or `view_submission` from a rep changes nothing, whatever its
 * `private_metadata` or action values say). Every change goes through the same service as the text sub-command, is
 * validated (errors under the field, `response_action: 'errors'`), recorded in the audit log and takes effect at once.
 */
export interface SettingsSection {
  /** Stable id: the home button's value and the prefix of the section's callback and action ids (`settings_<id>…`). */
  id: string;
  /** The home button's text and the pushed view's title (at most 24 characters). */
  title: string;
  /** One line under the button on the home view: what the section holds now, e.g. "3 teams" or "USD; 2 rates". */
  summary(deps: Deps, teamId: string): Promise<string>;
  /** The section's view, pushed onto the settings modal. Only called for an admin. */
  view(deps: Deps, ctx: { teamId: string; role: Role }): Promise<View>;
  /** Register the section's own actions and view submissions. */
  register(app: App, deps: Deps, services: SettingsServices): void;
}
