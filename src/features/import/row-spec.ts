import type { z } from 'zod';

/**
 * What one kind of import file holds: its columns, which of them the header must have, a zod schema per cell,
 * and the checks that need several cells at once (an amount's decimals depend on its currency).
 */
export interface RowSpec<Shape extends Record<string, z.ZodType>, Row> {
  /** Plural noun for messages: "deals", "activities". */
  noun: string;
  /** Every column, in the order the documentation lists them. */
  columns: readonly (keyof Shape & string)[];
  /** Columns the header must name (a row may still leave an optional one blank). */
  required: readonly (keyof Shape & string)[];
  cells: Shape;
  /**
   * The row from the cells, or the messages of the checks across cells. `cells` holds only the columns that were
   * valid, so a check runs whenever the cells it needs are valid, even when another cell of the row is not.
   * When `failed` is not empty there is no row to build: return the messages found (maybe none).
   */
  combine(cells: Partial<CellValues<Shape>>, failed: ReadonlySet<string>): { row: Row } | { errors: string[] };
}

export type CellValues<Shape extends Record<string, z.ZodType>> = { [K in keyof Shape]: z.output<Shape[K]> };

/** Header names are matched case-insensitively; spaces and hyphens count as underscores ("External ID"). */
export function normalizeColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

const HINTS: Record<string, string> = {
  email: 'emails cannot be looked up without Slack, so a file names people by user_id (a Slack user id like U0123ABCD)',
  user: 'name people by user_id (a Slack user id like U0123ABCD)',
};

export type HeaderResult = { ok: true; columns: (string | null)[] } | { ok: false; errors: string[] };

/** Map the header row to the spec's columns. All problems are reported at once. */
export function readHeader(spec: { noun: string; columns: readonly string[]; required: readonly string[] }, header: string[]): HeaderResult {
  const allowed = new Set<string>(spec.columns);
  const errors: string[] = [];
  const seen = new Set<string>();
  const columns = header.map((raw, i) => {
    const name = normalizeColumnName(raw);
    if (name === '') {
      errors.push(`column ${i + 1} of the header has no name`);
      return null;
    }
    if (!allowed.has(name)) {
      const hint = HINTS[name];
      errors.push(
        `unknown column ${JSON.stringify(raw.trim())}${hint ? ` (${hint})` : ''}; the columns for ${spec.noun} are: ${spec.columns.join(', ')}`,
      );
      return null;
    }
    if (seen.has(name)) {
      errors.push(`column "${name}" appears twice in the header`);
      return null;
    }
    seen.add(name);
    return name;
  });
  for (const name of spec.required) {
    if (!seen.has(name)) errors.push(`missing required column "${name}"; the header must have: ${spec.required.join(', ')}`);
  }
  return errors.length ? { ok: false, errors } : { ok: true, columns };
}

/** Parse one record's cells against the spec, then the checks across cells. Messages in column order. */
export function parseRow<Shape extends Record<string, z.ZodType>, Row>(
  spec: RowSpec<Shape, Row>,
  raw: Record<string, string>,
): { row: Row } | { errors: string[] } {
  const errors: string[] = [];
  const failed = new Set<string>();
  const cells: Partial<CellValues<Shape>> = {};
  for (const column of spec.columns) {
    const result = spec.cells[column]!.safeParse(raw[column]);
    if (result.success) {
      cells[column] = result.data as CellValues<Shape>[typeof column];
    } else {
      failed.add(column);
      for (const issue of result.error.issues) errors.push(issue.message);
    }
  }
  const combined = spec.combine(cells, failed);
  if ('errors' in combined) return { errors: [...errors, ...combined.errors] };
  return errors.length ? { errors } : combined;
}
