/**
 * CSV import of closed deals or logged activities, for backfilling history.
 *
 * Every row is validated first and every problem is reported with the physical line it is on (the header is
 * line 1). One problem anywhere and nothing is written. A valid file is written in one transaction, in
 * multi-row upserts keyed by (team_id, external_id): importing the same file again updates its rows.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { workspaces } from '../../db/schema/index.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { loadActivityTypes } from '../logging/index.js';
import { activityRowSpec, type ImportedActivity } from './activity-rows.js';
import { CsvSyntaxError, readCsvRecords, type CsvInput } from './csv-records.js';
import { dealRowSpec, type ImportedDeal } from './deal-rows.js';
import { parseRow, readHeader, type RowSpec } from './row-spec.js';
import { upsertActivityBatch, upsertDealBatch, type WriteCounts } from './write.js';

export const IMPORT_KINDS = ['deals', 'activities'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Rows per INSERT statement (one JSON parameter each, see write.ts); 5,000 measured no faster on 100,000 rows. */
export const DEFAULT_BATCH_SIZE = 2000;

export interface ImportOptions {
  teamId: string;
  kind: ImportKind;
  /** "Now" for the no-future-dates rule and the rows' timestamps. */
  now: Date;
  batchSize?: number;
}

export interface ImportError {
  /** Physical line in the file, header = 1. */
  line: number;
  message: string;
}

export type ImportResult =
  | { ok: true; kind: ImportKind; inserted: number; updated: number; total: number }
  | { ok: false; kind: ImportKind; errors: ImportError[] };

/** `line 7: amount "12,50" is not a decimal number like 12500.50` */
export function formatImportError(e: ImportError): string {
  return `line ${e.line}: ${e.message}`;
}

/** Import `csv` (a stream, e.g. fs.createReadStream, or the whole text) into the workspace. */
export async function importCsv(db: Db, csv: CsvInput, opts: ImportOptions): Promise<ImportResult> {
  const { teamId, kind, now } = opts;
  // Read, don't create: a file with errors must leave the database as it was.
  const [settings] = await db
    .select({ currency: workspaces.currency, timeZone: workspaces.defaultTimeZone, satisfactionScale: workspaces.satisfactionScale })
    .from(workspaces)
    .where(eq(workspaces.teamId, teamId));
  // A workspace not seen yet will be created with the defaults; validate with those same defaults.
  const timeZone = settings?.timeZone ?? 'UTC';
  const defaultCurrency = settings?.currency ?? 'USD';

  if (kind === 'deals') {
    const spec = dealRowSpec({ timeZone, now, defaultCurrency, satisfactionScale: settings?.satisfactionScale });
    return finish(db, kind, opts, await validate(spec, csv), upsertDealBatch);
  }
  const types = await loadActivityTypes(db, teamId);
  const spec = activityRowSpec({ timeZone, now, types });
  return finish(db, kind, opts, await validate(spec, csv), upsertActivityBatch);
}

/** Import the file at `path`, read as a stream. */
export async function importCsvFile(db: Db, path: string, opts: ImportOptions): Promise<ImportResult> {
  return importCsv(db, fs.createReadStream(path), opts);
}

type Validated<Row> = { ok: true; rows: Row[] } | { ok: false; errors: ImportError[] };

async function validate<Shape extends Record<string, z.ZodType>, Row extends { externalId: string | null }>(
  spec: RowSpec<Shape, Row>,
  csv: CsvInput,
): Promise<Validated<Row>> {
  const errors: ImportError[] = [];
  const rows: Row[] = [];
  const externalIdLines = new Map<string, number>();
  let columns: (string | null)[] | undefined;
  try {
    for await (const { line, fields } of readCsvRecords(csv)) {
      if (columns === undefined) {
        const header = readHeader(spec, fields);
        // Without a usable header no row can be read meaningfully: report the header alone.
        if (!header.ok) return { ok: false, errors: header.errors.map((message) => ({ line, message })) };
        columns = header.columns;
        continue;
      }
      if (fields.length !== columns.length) {
        const hint = fields.length > columns.length ? ' (a value with a comma in it must be in double quotes, like "Acme, Inc.")' : '';
        errors.push({ line, message: `${fields.length} value${fields.length === 1 ? '' : 's'}, but the header has ${columns.length} columns${hint}` });
        continue;
      }
      const raw: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) raw[columns[i]!] = fields[i]!;
      const parsed = parseRow(spec, raw);
      if ('errors' in parsed) {
        for (const message of parsed.errors) errors.push({ line, message });
      }
      // Each external id once per file: a second one would be updated twice in a statement, and is a mistake anyway.
      const externalId = 'row' in parsed ? parsed.row.externalId : raw.external_id?.trim();
      if (externalId) {
        const first = externalIdLines.get(externalId);
        if (first !== undefined) errors.push({ line, message: `external_id ${JSON.stringify(externalId)} is also on line ${first}; each external_id may appear once in a file` });
        else externalIdLines.set(externalId, line);
      }
      // Once a row is wrong nothing will be written: stop keeping rows, keep checking.
      if ('row' in parsed && errors.length === 0) rows.push(parsed.row);
    }
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    errors.push({ line: e.line, message: e.message });
  }
  if (columns === undefined && errors.length === 0) {
    errors.push({ line: 1, message: `the file is empty; the first line must be a header naming the columns: ${spec.columns.join(', ')}` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

async function finish<Row>(
  db: Db,
  kind: ImportKind,
  opts: ImportOptions,
  validated: Validated<Row>,
  writeBatch: (db: Db, teamId: string, rows: Row[], now: Date) => Promise<WriteCounts>,
): Promise<ImportResult> {
  if (!validated.ok) return { ok: false, kind, errors: validated.errors };
  const { rows } = validated;
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const counts = await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    await ensureWorkspace(txDb, opts.teamId);
    const total: WriteCounts = { inserted: 0, updated: 0 };
    for (let i = 0; i < rows.length; i += batchSize) {
      const done = await writeBatch(txDb, opts.teamId, rows.slice(i, i + batchSize), opts.now);
      total.inserted += done.inserted;
      total.updated += done.updated;
    }
    return total;
  });
  return { ok: true, kind, ...counts, total: rows.length };
}

export type { ImportedActivity, ImportedDeal };
