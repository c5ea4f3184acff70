/**
 * The id of a logged entry (an activity, a deal) as it arrives in a button value or a form's private_metadata: a
 * UUID, or it names nothing. Checked before a query, so a forged or garbled id is "no such entry" instead of a
 * database error (PostgreSQL refuses a malformed uuid with an error).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEntryId(id: string): boolean {
  return UUID.test(id);
}
