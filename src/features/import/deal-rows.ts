import { DEAL_STATUSES, type DealKind, type DealStatus, type SatisfactionScale } from '../../db/schema/index.js';
import { DEAL_KIND_CHOICES, readDealKind, readSatisfaction } from '../../entries/deal-kinds.js';
import { currencyExponent, decimalToMinor, isKnownCurrency } from '../../lib/money.js';
import {
  externalIdCell,
  MAX_NAME_LENGTH,
  MAX_NOTES_LENGTH,
  optionalCell,
  requiredCell,
  shown,
  textCell,
  userIdCell,
  whenCell,
  fail,
  type WhenContext,
} from './fields.js';
import type { RowSpec } from './row-spec.js';

export interface DealImportContext extends WhenContext {
  /** ISO-4217 code used when a row leaves `currency` blank (the workspace currency). */
  defaultCurrency: string;
  /** The workspace's satisfaction scale: a `satisfaction` cell is read on it (absent: csat5, the default). */
  satisfactionScale?: SatisfactionScale;
}

export interface ImportedDeal {
  externalId: string | null;
  userId: string;
  status: DealStatus;
  amountMinor: bigint | null;
  currency: string | null;
  closedAt: Date;
  account: string | null;
  notes: string | null;
  /** Null: the cell was blank (new business for a new deal; an existing deal keeps its kind). */
  kind: DealKind | null;
  /** Null: blank (none for a new deal; an existing deal keeps its score). */
  satisfaction: { score: number; scale: SatisfactionScale } | null;
}

const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * Deals file: external_id, user_id, status (won|lost), amount (plain decimal like 12500.50), currency (ISO-4217,
 * default the workspace's), closed_at, account, notes, kind (new|expansion|renewal), satisfaction (a whole number on
 * the workspace's scale). A won deal needs an amount; a lost one may leave it blank. A blank kind or satisfaction
 * keeps what a deal already stored under the external_id has (new business and no score for a new one).
 */
export function dealRowSpec(ctx: DealImportContext) {
  const cells = {
    external_id: externalIdCell(),
    user_id: userIdCell(),
    status: requiredCell('status', 'won or lost').transform((v, zctx) => {
      const status = v.toLowerCase();
      return (DEAL_STATUSES as readonly string[]).includes(status)
        ? (status as DealStatus)
        : fail(zctx, `status ${shown(v)} is neither won nor lost`);
    }),
    amount: optionalCell().transform((v, zctx) => {
      if (v === undefined) return null;
      if (/^-\d+(\.\d+)?$/.test(v)) return fail(zctx, `amount ${v} is negative; amounts are 0 or more`);
      if (!/^\d+(\.\d+)?$/.test(v)) return fail(zctx, `amount ${shown(v)} is not a decimal number like 12500.50 (no currency symbols or thousands separators)`);
      return v;
    }),
    currency: optionalCell().transform((v, zctx) => {
      if (v === undefined) return ctx.defaultCurrency;
      const code = v.toUpperCase();
      return /^[A-Z]{3}$/.test(code) && isKnownCurrency(code) ? code : fail(zctx, `currency ${shown(v)} is not an ISO-4217 code like USD, EUR or JPY`);
    }),
    closed_at: whenCell('closed_at', ctx),
    account: textCell('account', MAX_NAME_LENGTH),
    notes: textCell('notes', MAX_NOTES_LENGTH),
    kind: optionalCell().transform((v, zctx) => {
      if (v === undefined) return null;
      return readDealKind(v) ?? fail(zctx, `kind ${shown(v)} is not ${DEAL_KIND_CHOICES}`);
    }),
    satisfaction: optionalCell().transform((v, zctx) => {
      if (v === undefined) return null;
      const scale = ctx.satisfactionScale ?? 'csat5';
      const read = readSatisfaction(v, scale);
      return 'error' in read ? fail(zctx, `satisfaction ${read.error}`) : { score: read.score, scale };
    }),
  };
  const spec: RowSpec<typeof cells, ImportedDeal> = {
    noun: 'deals',
    columns: ['external_id', 'user_id', 'status', 'amount', 'currency', 'closed_at', 'account', 'notes', 'kind', 'satisfaction'],
    required: ['user_id', 'status', 'amount', 'closed_at'],
    cells,
    combine(c, failed) {
      const errors: string[] = [];
      let amountMinor: bigint | null = null;
      if (c.amount === null && c.status === 'won') errors.push('amount is required for a won deal');
      if (c.amount != null && c.currency !== undefined) {
        const minor = decimalToMinor(c.amount, c.currency);
        if (minor === 'too_precise') {
          const exp = currencyExponent(c.currency);
          errors.push(
            exp === 0
              ? `amount ${c.amount} has decimals, but ${c.currency} amounts are whole numbers`
              : `amount ${c.amount} has more than ${exp} decimal${exp === 1 ? '' : 's'}, the most ${c.currency} has`,
          );
        } else if (minor === 'malformed') {
          errors.push(`amount ${shown(c.amount)} is not a decimal number like 12500.50`);
        } else if (minor > MAX_BIGINT) {
          errors.push(`amount ${c.amount} is too large`);
        } else {
          amountMinor = minor;
        }
      }
      if (failed.size || errors.length) return { errors };
      return {
        row: {
          externalId: c.external_id ?? null,
          userId: c.user_id!,
          status: c.status!,
          amountMinor,
          // A lost deal without an amount has no currency either (the deals table keeps them null together).
          currency: amountMinor === null ? null : c.currency!,
          closedAt: c.closed_at!,
          account: c.account ?? null,
          notes: c.notes ?? null,
          kind: c.kind ?? null,
          satisfaction: c.satisfaction ?? null,
        },
      };
    },
  };
  return spec;
}
