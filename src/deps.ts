import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { SlackClients } from './slack/clients.js';
import type { UserDirectory } from './slack/user-lookups.js';

/**
 * What every handler and job receives: injected, never imported as a singleton, built once by whoever owns the
 * process (app.ts for the bot, cli.ts for `run-due`) and never changed after. The Database that `db` comes from
 * stays with that owner, who pings and closes it.
 */
export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /**
   * Called after a person's own entries changed (logged, edited, undone) so views of them refresh, e.g. their
   * App Home tab. Fire-and-forget: returns at once and never throws. A hook rather than an import, so logging and
   * deals need not know the summary feature. Where nothing shows a person's entries (the CLI, tests of jobs and
   * queries) it is `ignoreChanges`.
   */
  afterChange: (teamId: string, userId: string) => void;
  /** The process's users.info lookups (shared in-flight calls, remembered misses); one per process owner. */
  users: UserDirectory;
  /**
   * Each workspace's Web API clients (slack/clients.ts), for calls outside the client Bolt hands a handler:
   * the one token of a single-workspace app, or each installation's in OAuth mode. `noSlack` where nothing calls Slack.
   */
  slack: SlackClients;
}

/** An `afterChange` for processes with no view to refresh. */
export function ignoreChanges(): void {}
