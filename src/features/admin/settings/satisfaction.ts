/**
 * Settings section `satisfaction`: the scale customer satisfaction scores are given on (CSAT 1-5 or NPS 0-10). A
 * change is stored with its audit entry (`settings.update`, subject `satisfaction_scale`) in one transaction and
 * applies at once: the next score is checked against the new scale, and boards average the scores given on it.
 */
import type { App, ViewSubmitAction } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Deps } from '../../../deps.js';
import { workspaces } from '../../../db/schema/index.js';
import { SATISFACTION_SCALE_INFO, type SatisfactionScale } from '../../../entries/deal-kinds.js';
import { ADMIN_ONLY_TEXT, recordAudit } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { ensureWorkspace } from '../../../slack/workspace.js';
import { adminBehind } from './guard.js';
import { SATISFACTION_BLOCK, SATISFACTION_CALLBACK, satisfactionFormInput, satisfactionView } from './satisfaction.view.js';
import type { SettingsSection } from './section.js';

/** Set the workspace's satisfaction scale; returns the scale before (equal to `scale` when nothing changed). */
export async function setSatisfactionScale(deps: Pick<Deps, 'db' | 'clock'>, input: { teamId: string; actorId: string; scale: SatisfactionScale }): Promise<SatisfactionScale> {
  await ensureWorkspace(deps.db, input.teamId);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.select({ scale: workspaces.satisfactionScale }).from(workspaces).where(eq(workspaces.teamId, input.teamId)).for('update');
    const before = row!.scale;
    if (before === input.scale) return before;
    await tx.update(workspaces).set({ satisfactionScale: input.scale, updatedAt: now }).where(eq(workspaces.teamId, input.teamId));
    await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'settings.update', subject: 'satisfaction_scale', before, after: input.scale, at: now });
    return before;
  });
}

export async function handleSatisfactionSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    if (!(await adminBehind(deps, client, teamId, body.user.id, 'satisfaction settings'))) {
      await ack({ response_action: 'errors', errors: { [SATISFACTION_BLOCK]: ADMIN_ONLY_TEXT } });
      return;
    }
    const scale = satisfactionFormInput(view.state.values);
    if (!scale) {
      await ack({ response_action: 'errors', errors: { [SATISFACTION_BLOCK]: 'Pick CSAT (1 to 5) or NPS (0 to 10).' } });
      return;
    }
    const before = await setSatisfactionScale(deps, { teamId, actorId: body.user.id, scale });
    const notice =
      before === scale
        ? ':information_source: Nothing changed.'
        : `:white_check_mark: Saved: satisfaction is scored as ${SATISFACTION_SCALE_INFO[scale].description} (was ${SATISFACTION_SCALE_INFO[before].description}). It applies from now on.`;
    await ack({ response_action: 'update', view: satisfactionView(scale, notice) });
  } catch (e) {
    await ack(notSavedSubmission(e, SATISFACTION_BLOCK, SATISFACTION_CALLBACK, deps.logger));
  }
}

export const satisfactionSection: SettingsSection = {
  id: 'satisfaction',
  title: 'Customer satisfaction',
  async summary(deps, teamId) {
    return `Scored as ${SATISFACTION_SCALE_INFO[(await ensureWorkspace(deps.db, teamId)).satisfactionScale].description}`;
  },
  async view(deps, { teamId }) {
    return satisfactionView((await ensureWorkspace(deps.db, teamId)).satisfactionScale);
  },
  register(app: App, deps: Deps) {
    app.view<ViewSubmitAction>(SATISFACTION_CALLBACK, (args) => handleSatisfactionSubmit(args, deps));
  },
};
