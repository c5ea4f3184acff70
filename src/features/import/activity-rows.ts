import { findActivityType, findOutcome, type ActivityTypeDef } from '../../entries/activity-types.js';
import { MAX_COUNT, MAX_DURATION_MINUTES } from '../logging/index.js';
import {
  externalIdCell,
  fail,
  intCell,
  MAX_NAME_LENGTH,
  MAX_NOTES_LENGTH,
  optionalCell,
  requiredCell,
  shown,
  textCell,
  userIdCell,
  whenCell,
  type WhenContext,
} from './fields.js';
import type { RowSpec } from './row-spec.js';

export interface ActivityImportContext extends WhenContext {
  /** The workspace's activity types: built-ins plus its custom ones (loadActivityTypes). */
  types: ActivityTypeDef[];
}

export interface ImportedActivity {
  externalId: string | null;
  userId: string;
  typeKey: string;
  quantity: number;
  occurredAt: Date;
  outcome: string | null;
  durationMinutes: number | null;
  account: string | null;
  contact: string | null;
  notes: string | null;
}

/**
 * Activities file: external_id, user_id, type (a key, label or plural of the workspace's types), occurred_at,
 * quantity (default 1, 1..100), outcome (one of the type's), duration_minutes (1..720), account, contact, notes.
 */
export function activityRowSpec(ctx: ActivityImportContext) {
  const typeKeys = ctx.types.map((t) => t.key).join(', ');
  const cells = {
    external_id: externalIdCell(),
    user_id: userIdCell(),
    type: requiredCell('type', `one of: ${typeKeys}`).transform((v, zctx) => {
      const type = findActivityType(ctx.types, v);
      return type ?? fail(zctx, `type ${shown(v)} is not an activity type here; use one of: ${typeKeys}`);
    }),
    occurred_at: whenCell('occurred_at', ctx),
    quantity: intCell('quantity', 1, MAX_COUNT, 1),
    outcome: optionalCell().transform((v) => v ?? null),
    duration_minutes: intCell('duration_minutes', 1, MAX_DURATION_MINUTES, null),
    account: textCell('account', MAX_NAME_LENGTH),
    contact: textCell('contact', MAX_NAME_LENGTH),
    notes: textCell('notes', MAX_NOTES_LENGTH),
  };
  const spec: RowSpec<typeof cells, ImportedActivity> = {
    noun: 'activities',
    columns: ['external_id', 'user_id', 'type', 'occurred_at', 'quantity', 'outcome', 'duration_minutes', 'account', 'contact', 'notes'],
    required: ['user_id', 'type', 'occurred_at'],
    cells,
    combine(c, failed) {
      const errors: string[] = [];
      let outcome: string | null = null;
      if (c.outcome != null && c.type !== undefined) {
        const type = c.type;
        const found = findOutcome(type, c.outcome);
        if (found !== undefined) outcome = found;
        else if (type.outcomes.length === 0) errors.push(`outcome ${shown(c.outcome)} is not allowed: ${type.plural} don't take an outcome`);
        else errors.push(`outcome ${shown(c.outcome)} is not an outcome for ${type.plural}; use one of: ${type.outcomes.join(', ')}`);
      }
      if (failed.size || errors.length) return { errors };
      return {
        row: {
          externalId: c.external_id ?? null,
          userId: c.user_id!,
          typeKey: c.type!.key,
          quantity: c.quantity!,
          occurredAt: c.occurred_at!,
          outcome,
          durationMinutes: c.duration_minutes ?? null,
          account: c.account ?? null,
          contact: c.contact ?? null,
          notes: c.notes ?? null,
        },
      };
    },
  };
  return spec;
}
