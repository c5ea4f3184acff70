/** Field limits every kind of logged entry shares (command and form alike). */

/** Notes: the same as the most a slash command can carry, so a command's notes always fit. */
export const MAX_NOTES_LENGTH = 3000;
/** An account name typed in a form. */
export const MAX_ACCOUNT_LENGTH = 200;
