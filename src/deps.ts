import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';

/** What every handler and job receives: injected, never imported as a singleton. */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  logger: Logger;
  /**
   * Called after a person's own entries changed (logged, edited, undone) so views of them refresh, e.g. their
   * App Home tab. Fire-and-forget: returns at once and never throws. Set by app.ts; absent in jobs and the CLI.
   * A hook rather than an import, so logging and deals need not know the summary feature.
   */
  afterChange?: (teamId: string, userId: string) => void;
}
