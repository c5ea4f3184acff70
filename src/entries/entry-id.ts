/**
 * The id of a logged entry (an activity, a deal) as it arrives in a button value or a form's private_metadata: a
 * UUID, or it names nothing (lib/uuid.ts).
 */
import { isUuid } from '../lib/uuid.js';

export function isEntryId(id: string): boolean {
  return isUuid(id);
}
