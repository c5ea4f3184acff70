import { listMessage, noticeMessage, type Message } from '../../slack/blocks.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { loadActivityTypes } from '../logging/index.js';
import { describeTargetAmount, EVERYONE, listTargets, metricLabel, parseTargetCommand, removeTarget, targetForms, upsertTarget, userKeyOf } from '../targets/index.js';
import type { AdminContext } from './context.js';

/** `/sales-admin target <@rep|everyone> <metric> <amount>/<week|month|quarter>` and `… <metric> off`. */
export async function setTarget({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command } = args;
  const [workspace, types] = await Promise.all([ensureWorkspace(deps.db, command.team_id), loadActivityTypes(deps.db, command.team_id)]);
  const parsed = parseTargetCommand(rest.join(' '), { types, currency: workspace.currency });
  if (parsed.kind === 'error') {
    return noticeMessage(parsed.message);
  }
  const userKey = userKeyOf(parsed.who);
  const whom = parsed.who.kind === 'everyone' ? 'everyone' : `<@${parsed.who.userId}>`;
  const metric = escapeMrkdwn(metricLabel(parsed.metric, types).toLowerCase());
  if (parsed.kind === 'remove') {
    const removed = await removeTarget(deps.db, command.team_id, userKey, parsed.metric);
    return noticeMessage(
      removed
        ? `:white_check_mark: Removed the ${metric} target for ${whom}.` +
            (parsed.who.kind === 'user' ? ' The everyone target for it applies to them again, if there is one.' : '')
        : `:information_source: There is no ${metric} target for ${whom}, so there was nothing to remove. See them all with \`/sales-admin targets\`.`,
    );
  }
  const { replaced } = await upsertTarget(
    deps.db,
    { teamId: command.team_id, userKey, metric: parsed.metric, amount: parsed.amount, currency: parsed.currency, period: parsed.period, createdBy: command.user_id },
    deps.clock.now(),
  );
  const described = escapeMrkdwn(describeTargetAmount(parsed, types));
  return noticeMessage(
    `:white_check_mark: Target set for ${whom}: ${described}.` +
      (replaced ? ` It replaces ${escapeMrkdwn(describeTargetAmount(replaced, types))}.` : '') +
      (parsed.who.kind === 'everyone' ? ` It applies to every rep without their own ${metric} target.` : '') +
      '\nSee them all with `/sales-admin targets`.',
  );
}

/** `/sales-admin targets`: every target, who it applies to and its period; the everyone targets first. */
export async function listWorkspaceTargets({ deps, args }: AdminContext): Promise<Message> {
  const { command } = args;
  const [rows, types, workspace] = await Promise.all([
    listTargets(deps.db, command.team_id),
    loadActivityTypes(deps.db, command.team_id),
    ensureWorkspace(deps.db, command.team_id),
  ]);
  if (rows.length === 0) {
    return noticeMessage(`No targets are set yet.\n${targetForms(workspace.currency)}`);
  }
  const lines = rows.map((t) => `• ${t.userKey === EVERYONE ? 'Everyone' : `<@${t.userKey}>`}: ${escapeMrkdwn(describeTargetAmount(t, types))}`);
  const title = `*Targets* (${rows.length})`;
  const footer =
    'A rep’s own target replaces the everyone target for that metric. Change one by setting it again; remove one with `/sales-admin target @name calls off`.';
  return listMessage(title, lines, footer);
}
