import { sql, type SQL } from 'drizzle-orm';

/**
 * An account name as activities and deals are matched by it, per workspace: lower case, with spaces and punctuation
 * removed, letters of any script kept ("ACME Corp." and "acme corp" are one account; "Acme" and "Acme Labs" are
 * two). A generated column on both tables, so every query matches the same way and an index serves it. Empty (only
 * punctuation) is null.
 */
export function accountKeyOf(column: SQL): SQL {
  // \W: not a letter, digit or underscore (so spaces and punctuation, in any script); then the underscores.
  return sql`nullif(regexp_replace(lower(${column}), '\\W+|_+', '', 'g'), '')`;
}
