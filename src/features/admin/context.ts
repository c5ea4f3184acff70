import type { Deps } from '../../deps.js';
import type { Role } from '../../org/index.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import type { SlackUser } from '../../slack/user-directory.js';
import type { CannotPostCode } from '../../slack/web-api-errors.js';

/**
 * What every subcommand gets: the words after its name, who runs it (their role, checked on the server before the
 * subcommand runs) and their profile. It returns its private answer.
 */
export interface AdminContext {
  deps: Deps;
  args: CommandArgs;
  /** The profile of the person running the command (time zone, name). */
  admin: SlackUser;
  role: Role;
  rest: string[];
  /**
   * Work to do once the answer is sent (a file to build and DM): started after the ack, awaited by the command's
   * handler (so shutdown waits for it). The work bounds itself and tells the person of a failure.
   */
  afterAck: (work: () => Promise<void>) => void;
}

/** The reply for a channel the bot cannot post in. */
export function cannotPostThere(code: CannotPostCode, channelId: string): string {
  return code === 'is_archived'
    ? `:warning: <#${channelId}> is archived. Pick an active channel.`
    : `:wave: I'm not in <#${channelId}> yet. Type \`/invite @Sales Pulse\` in that channel, then run this command again.`;
}
