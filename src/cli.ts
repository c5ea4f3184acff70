import 'dotenv/config';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createDb } from './db/client.js';
import { DataDirLockedError } from './db/lock-file.js';
import { runMigrations } from './db/migrate.js';
import { scrubSecrets } from './lib/logger.js';

/** Operator commands. Only the database settings are needed, so no Slack tokens are required here. */
const dbEnv = z.object({
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  DATA_DIR: z.preprocess((v) => (v === '' || v === undefined ? './data' : v), z.string()),
});

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate      apply pending database migrations, then exit (also: npm run db:migrate)
  help         show this help`;

async function migrate(): Promise<void> {
  const env = dbEnv.parse(process.env);
  const database = await createDb(env);
  try {
    await runMigrations(database);
    console.log(`Migrations applied (${database.kind === 'postgres' ? 'PostgreSQL' : `embedded database in ${env.DATA_DIR}`}).`);
  } finally {
    await database.close();
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [command] = positionals;
  switch (command) {
    case 'migrate':
      await migrate();
      return 0;
    case undefined:
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      process.exit(75);
    }
    console.error(scrubSecrets(e instanceof Error ? e.message : String(e)));
    process.exit(1);
  },
);
