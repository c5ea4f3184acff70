/**
 * The settings modal: `/sales-admin` alone, from an admin, opens its home (one button per section, with a one-line
 * summary); a button pushes the section's view. Every click and submission re-checks the role on the server.
 */
import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import type { Deps } from '../../../deps.js';
import { SETTINGS_SECTIONS } from './sections.js';
import type { SettingsServices } from './section.js';
import { settingsHomeView, SETTINGS_OPEN_ACTION } from './home.view.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { adminBehind } from './guard.js';

/** How long the home waits for a section's summary before showing it without one (the trigger expires in ~3 s). */
export const SUMMARY_WAIT_MS = 700;

async function summaryOf(deps: Deps, teamId: string, id: string, summary: () => Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(''), SUMMARY_WAIT_MS);
  });
  try {
    return await Promise.race([
      summary().catch((err: unknown) => {
        deps.logger.warn({ err, section: id, teamId }, 'settings: a section summary failed; shown without it');
        return '';
      }),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The settings home for an admin, opened with the command's trigger_id. */
export async function openSettings(deps: Deps, client: webApi.WebClient, input: { teamId: string; triggerId: string }): Promise<void> {
  const items = await Promise.all(
    SETTINGS_SECTIONS.map(async (s) => ({ id: s.id, title: s.title, summary: await summaryOf(deps, input.teamId, s.id, () => s.summary(deps, input.teamId)) })),
  );
  await client.views.open({ trigger_id: input.triggerId, view: settingsHomeView(items) });
}

/** A section's button on the home: push its view, for an admin only. */
export async function handleOpenSection(args: { ack: () => Promise<void>; body: BlockAction<ButtonAction>; client: webApi.WebClient; action: ButtonAction }, deps: Deps): Promise<void> {
  await args.ack();
  const teamId = requireTeamId(args.body);
  const section = SETTINGS_SECTIONS.find((s) => s.id === args.action.value);
  if (!section) return;
  const role = await adminBehind(deps, args.client, teamId, args.body.user.id, `open ${section.id}`);
  if (!role) return;
  await args.client.views.push({ trigger_id: args.body.trigger_id, view: await section.view(deps, { teamId, role }) });
}

export function registerSettings(app: App, deps: Deps, services: SettingsServices): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: SETTINGS_OPEN_ACTION }, (args) => handleOpenSection(args, deps));
  for (const section of SETTINGS_SECTIONS) section.register(app, deps, services);
}
