/** Settings section `notifications`: win celebrations and their channel, the digest default, the webhook secret. */
import type { App, BlockAction, ButtonAction, ViewSubmitAction, webApi } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Deps } from '../../../deps.js';
import { webhookSecrets } from '../../../db/schema/index.js';
import type { SecretBox } from '../../../lib/secret-box.js';
import { ADMIN_ONLY_TEXT } from '../../../org/index.js';
import { notSavedSubmission } from '../../../slack/command-ack.js';
import type { ViewSubmitArgs } from '../../../slack/listener-args.js';
import { requireTeamId } from '../../../slack/team-id.js';
import { ensureWorkspace } from '../../../slack/workspace.js';
import { cannotPostThere } from '../context.js';
import { rotateWebhookSecret, setCelebrationsChannel, setWorkspaceDigestDefault } from '../notifications.js';
import { adminBehind } from './guard.js';
import {
  CELEBRATIONS_BLOCK,
  NOTIFICATIONS_CALLBACK,
  notificationsFormInput,
  notificationsView,
  ROTATE_SECRET_ACTION,
  type NotificationSettings,
} from './notifications.view.js';
import type { SettingsSection } from './section.js';

async function loadNotificationSettings(deps: Pick<Deps, 'db'>, teamId: string): Promise<NotificationSettings> {
  const ws = await ensureWorkspace(deps.db, teamId);
  const [secret] = await deps.db.select({ createdAt: webhookSecrets.createdAt, rotatedAt: webhookSecrets.rotatedAt }).from(webhookSecrets).where(eq(webhookSecrets.teamId, teamId));
  return { celebrationsChannel: ws.celebrationsChannel, digestDefault: ws.digestDefault, secretSince: secret ? (secret.rotatedAt ?? secret.createdAt) : null };
}

export async function handleNotificationsSubmit(args: ViewSubmitArgs, deps: Deps): Promise<void> {
  const { ack, body, view, client } = args;
  const teamId = requireTeamId(body);
  try {
    if (!(await adminBehind(deps, client, teamId, body.user.id, 'notification settings'))) {
      await ack({ response_action: 'errors', errors: { [CELEBRATIONS_BLOCK]: ADMIN_ONLY_TEXT } });
      return;
    }
    const form = notificationsFormInput(view.state.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const before = await loadNotificationSettings(deps, teamId);
    const said: string[] = [];
    if (form.celebrationsChannel !== before.celebrationsChannel) {
      const result = await setCelebrationsChannel(deps, client, { teamId, actorId: body.user.id, channelId: form.celebrationsChannel });
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: { [CELEBRATIONS_BLOCK]: cannotPostThere(result.code, result.channelId).replace(/^:[a-z_]+: /, '') } });
        return;
      }
      said.push(result.channelId ? `won deals are celebrated in <#${result.channelId}>` : 'win celebrations are off');
    }
    if (await setWorkspaceDigestDefault(deps, { teamId, actorId: body.user.id, value: form.digestDefault })) {
      said.push(form.digestDefault === 'weekly' ? 'everyone gets the weekly digest unless they opt out' : 'digests are opt-in');
    }
    const notice = said.length ? `:white_check_mark: Saved: ${said.join('; ')}.` : ':information_source: Nothing changed.';
    await ack({ response_action: 'update', view: notificationsView(await loadNotificationSettings(deps, teamId), { notice }) });
  } catch (e) {
    await ack(notSavedSubmission(e, CELEBRATIONS_BLOCK, NOTIFICATIONS_CALLBACK, deps.logger));
  }
}

/** Create or rotate the webhook secret and show it once in the modal (never logged, never in the audit log). */
export async function handleRotateSecret(
  args: { ack: () => Promise<void>; body: BlockAction<ButtonAction>; client: webApi.WebClient },
  deps: Deps,
  box: SecretBox,
): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  if (!(await adminBehind(deps, client, teamId, body.user.id, 'webhook secret'))) return;
  if (!body.view) return;
  const { secret, rotated } = await rotateWebhookSecret(deps, box, { teamId, actorId: body.user.id });
  const notice = rotated ? ':white_check_mark: Rotated: the old secret no longer works.' : ':white_check_mark: Created.';
  await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: notificationsView(await loadNotificationSettings(deps, teamId), { notice, secret }) });
}

export const notificationsSection: SettingsSection = {
  id: 'notifications',
  title: 'Notifications',
  async summary(deps, teamId) {
    const s = await loadNotificationSettings(deps, teamId);
    return [
      s.celebrationsChannel ? `Celebrations in <#${s.celebrationsChannel}>` : 'Celebrations off',
      s.digestDefault === 'weekly' ? 'weekly digest for everyone' : 'digests opt-in',
      s.secretSince ? 'webhook secret set' : 'no webhook secret',
    ].join(' · ');
  },
  async view(deps, { teamId }) {
    return notificationsView(await loadNotificationSettings(deps, teamId));
  },
  register(app: App, deps: Deps, services) {
    app.view<ViewSubmitAction>(NOTIFICATIONS_CALLBACK, (args) => handleNotificationsSubmit(args, deps));
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ROTATE_SECRET_ACTION }, (args) => handleRotateSecret(args, deps, services.secretBox));
  },
};

