import type { Deps } from '../../deps.js';
import { editOwnEntry, entryNotices, undoOwnEntry } from '../../entries/author-actions.js';
import { localDay } from '../../periods/week.js';
import type { ButtonArgs } from '../../slack/listener-args.js';
import { dealUndoneMessage } from './confirmation.blocks.js';
import { loadDealContext, monthTotals } from './context.js';
import { logDealModal } from './modal.view.js';
import { findDeal, softDeleteDeal } from './queries.js';

const NOTICES = entryNotices('a deal', 'That deal');

/** Undo: mark the deal deleted (kept, never counted) and replace the confirmation. Author only. */
export async function handleDealUndo(args: ButtonArgs, deps: Deps): Promise<void> {
  await undoOwnEntry(args, deps, {
    notices: NOTICES,
    find: findDeal,
    softDelete: softDeleteDeal,
    undoneMessage: async (deal, { teamId, userId, now }) => {
      // The owner's month, in their zone: the presser may have logged it on their behalf.
      const dc = await loadDealContext(deps, args.client, teamId, deal.userId);
      return dealUndoneMessage({ deal, totals: await monthTotals(deps, dc, deal.userId), now, timeZone: dc.user.timeZone, viewerId: userId });
    },
  });
}

/** Edit: open the deal form prefilled. Author only; an undone deal cannot be edited. */
export async function handleDealEdit(args: ButtonArgs, deps: Deps): Promise<void> {
  await editOwnEntry(args, deps, {
    notices: NOTICES,
    find: findDeal,
    editView: async (deal, { teamId }) => {
      const dc = await loadDealContext(deps, args.client, teamId, deal.userId);
      return logDealModal({
        prefill: {
          status: deal.status,
          kind: deal.kind,
          amountMinor: deal.amountMinor,
          currency: deal.currency ?? dc.workspace.currency,
          account: deal.account,
          date: localDay(deal.closedAt, dc.user.timeZone),
          notes: deal.notes,
        },
        metadata: { dealId: deal.id, channelId: args.body.channel?.id },
      });
    },
  });
}
