/**
 * A UUID as PostgreSQL's uuid type takes it. Ids that arrive from outside (a button value, a form's
 * private_metadata) are checked with it before a query: a forged or garbled id then names nothing, instead of a
 * database error (PostgreSQL refuses a malformed uuid with an error).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}
