export interface ActivityTypeDef {
  key: string;
  label: string;
  plural: string;
  outcomes: string[];
  emoji?: string;
  /** Hidden by an admin: no longer offered for logging (commands, form); its entries still count and show. */
  hidden?: boolean;
  /** Its weight in the weighted activity score, an exact decimal string ("2.5"); absent = 1. */
  weight?: string;
}

export const BUILT_IN_ACTIVITY_TYPES: ActivityTypeDef[] = [
  { key: 'call', label: 'Call', plural: 'calls', outcomes: ['connected', 'voicemail', 'no-answer', 'booked'], emoji: ':telephone_receiver:' },
  { key: 'email', label: 'Email', plural: 'emails', outcomes: ['sent', 'replied', 'bounced'], emoji: ':email:' },
  { key: 'meeting', label: 'Meeting', plural: 'meetings', outcomes: ['held', 'no-show', 'booked', 'rescheduled'], emoji: ':handshake:' },
  { key: 'demo', label: 'Demo', plural: 'demos', outcomes: ['held', 'no-show', 'booked', 'rescheduled'], emoji: ':desktop_computer:' },
  { key: 'proposal', label: 'Proposal', plural: 'proposals', outcomes: ['sent', 'accepted', 'declined'], emoji: ':page_facing_up:' },
];

/** Case-insensitive match of `word` on a type's key, label or plural. */
export function findActivityType(types: ActivityTypeDef[], word: string): ActivityTypeDef | undefined {
  const wanted = word.trim().toLowerCase();
  if (wanted === '') return undefined;
  return types.find((t) => [t.key, t.label, t.plural].some((name) => name.toLowerCase() === wanted));
}

/** The type's canonical outcome for `name` (case-insensitive), if it has one. */
export function findOutcome(type: ActivityTypeDef, name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return type.outcomes.find((o) => o.toLowerCase() === wanted);
}
