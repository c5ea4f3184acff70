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
}
