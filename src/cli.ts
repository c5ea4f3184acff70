import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, configSchema, isOAuthMode, loadConfig, readEnvironment, storageSettings } from './config.js';
import { createDb, openPglite } from './db/client.js';
import { DataDirLockedError } from './db/lock-file.js';
import { runMigrations } from './db/migrate.js';
import { isoInstant, parseIso } from './periods/calendar.js';
import { ignoreChanges, type Deps } from './deps.js';
import { createOrRotateSecret, sealWebhookSecrets } from './features/deals/index.js';
import { formatImportError, IMPORT_KINDS, importCsvFile, type ImportKind } from './features/import/index.js';
import { createOAuthSetup, resealInstallationTokens } from './features/install/index.js';
import { systemClock } from './lib/clock.js';
import { loadSecretBox, type KeyLog } from './lib/encryption-key.js';
import { createLogger, scrubSecrets } from './lib/logger.js';
import { noSlack } from './slack/clients.js';
import { UserDirectory } from './slack/user-directory.js';

/**
 * Operator commands. Only the database settings (and the encryption keys) are needed, so no Slack tokens are
 * required here. A bad value stops the command with the variable's name, as at start-up.
 */
const dbEnv = z.object(storageSettings);

function storageEnvironment(): z.output<typeof dbEnv> {
  const parsed = dbEnv.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  return parsed.data;
}

/** The key's one warning (a key file was generated) goes to stderr; stdout stays the command's answer. */
const keyLog: KeyLog = {
  info: () => {},
  warn: (_fields, message) => console.error(message),
};

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate      apply pending database migrations, then exit (also: npm run db:migrate)
  import <file.csv> --workspace <team_id> --kind deals|activities
               backfill history from a CSV file with a header row. Every row is checked first and each
               problem is printed with its line number; if any row is wrong nothing is imported. Rows whose
               external_id is already stored are updated, not duplicated. People are named by Slack user
               id (user_id, like U0123ABCD): emails cannot be looked up without Slack.
                 deals:      external_id, user_id*, status* (won|lost), amount* (like 12500.50, blank for a
                             lost deal), currency (ISO-4217; default the workspace's), closed_at*, account, notes,
                             kind (new|expansion|renewal; default new), satisfaction (1-5, or 0-10 when the
                             workspace scores NPS; blank kind or satisfaction keeps a stored deal's)
                 activities: external_id, user_id*, type*, occurred_at*, quantity (1-100, default 1),
                             outcome, duration_minutes (1-720), account, contact, notes
               (* = the header must have the column.) Dates: 2026-10-01 means 12:00 that day in the
               workspace time zone; 2026-10-01T14:30:00Z or +02:00 is taken as is. No dates in the future.
  webhook-secret --workspace <team_id> [--rotate]
               create the workspace's CRM deal-webhook secret and print it once (it is never shown again);
               --rotate replaces an existing one, and the old secret stops working at once. Secrets are stored
               encrypted with ENCRYPTION_KEY (unset: the key file DATA_DIR/encryption.key, made if missing)
  reencrypt-secrets
               encrypt every stored secret (the deal-webhook secrets, and the Slack installation tokens of OAuth
               mode) with the current key, ENCRYPTION_KEY (or the key file when unset), opening those encrypted
               with the previous key given as OLD_ENCRYPTION_KEY; plaintext webhook secrets from before encryption
               are encrypted too. Running it again changes nothing.
               Exit code 1 when a secret was encrypted with neither key (it is left as it is).
               Example: ENCRYPTION_KEY=<new> OLD_ENCRYPTION_KEY=<old> npm run cli -- reencrypt-secrets
  run-due --now <ISO-8601 instant>
               act as if the scheduler ticked at that instant, then exit: every scheduled leaderboard whose
               latest slot at that instant has not run yet, and is within the 24-hour grace window, is
               posted now (the same code path as the bot's every-minute tick and its start-up catch-up).
               Runs already done, failed or skipped are never repeated, so running it twice posts once.
               Example: npm run cli -- run-due --now 2026-11-30T16:00:00Z
               Needs the bot's settings and database: SLACK_BOT_TOKEN for one workspace, or in OAuth mode
               (SLACK_CLIENT_ID, ...) each workspace's stored installation token. Prints what ran. Exit code 1
               when a run failed. On the embedded database, stop the bot first.
  demo         fill the local sandbox (npm start without Slack credentials) with six weeks of demo history:
               six reps with distinct stories, a weekly leaderboard in #sales, targets and two digest
               subscriptions (also: npm run demo). When the sandbox is running on PORT it loads through it;
               otherwise it writes the sandbox's database under DATA_DIR/sandbox. Loading twice duplicates
               nothing, and nothing people logged themselves is touched.
  help         show this help`;

async function migrate(): Promise<void> {
  const env = storageEnvironment();
  const database = await createDb(env);
  try {
    await runMigrations(database);
    console.log(`Migrations applied (${database.kind === 'postgres' ? 'PostgreSQL' : `embedded database in ${env.DATA_DIR}`}).`);
  } finally {
    await database.close();
  }
}

const IMPORT_USAGE = 'Usage: npm run cli -- import <file.csv> --workspace <team_id> --kind deals|activities';

async function importCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { workspace: { type: 'string', short: 'w' }, kind: { type: 'string', short: 'k' } },
    });
  } catch (e) {
    console.error(`import: ${e instanceof Error ? e.message : String(e)}\n${IMPORT_USAGE}`);
    return 1;
  }
  const { positionals, values } = parsed;
  const problems: string[] = [];
  const [file, ...extra] = positionals;
  if (file === undefined) problems.push('give the CSV file to import.');
  if (extra.length) problems.push(`give one file at a time (also got: ${extra.join(' ')}).`);
  const teamId = values.workspace?.trim();
  if (!teamId) problems.push('--workspace <team_id> is required: the Slack team id of the workspace, like T0123ABCD.');
  else if (!/^[TE][A-Z0-9]+$/.test(teamId)) problems.push(`--workspace "${teamId}" is not a Slack team id like T0123ABCD.`);
  const kind = values.kind?.trim().toLowerCase();
  if (!kind) problems.push('--kind is required: deals or activities.');
  else if (!(IMPORT_KINDS as readonly string[]).includes(kind)) problems.push(`--kind "${values.kind}" is neither deals nor activities.`);
  if (problems.length) {
    console.error(`${problems.map((p) => `import: ${p}`).join('\n')}\n${IMPORT_USAGE}`);
    return 1;
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file!);
  } catch {
    console.error(`import: file not found: ${file}`);
    return 1;
  }
  if (!stat.isFile()) {
    console.error(`import: ${file} is not a file.`);
    return 1;
  }

  const env = storageEnvironment();
  const database = await createDb(env);
  try {
    // A fresh install can backfill before the bot's first start.
    await runMigrations(database);
    const result = await importCsvFile(database.db, file!, { teamId: teamId!, kind: kind as ImportKind, now: systemClock.now() });
    if (!result.ok) {
      const n = result.errors.length;
      console.error(`${file}: ${n} problem${n === 1 ? '' : 's'} found; nothing was imported.`);
      for (const error of result.errors) console.error(formatImportError(error));
      return 1;
    }
    const noun = result.total === 1 ? (kind === 'deals' ? 'deal' : 'activity') : kind;
    console.log(`Imported ${result.total} ${noun} (${result.inserted} new, ${result.updated} updated) into ${teamId}.`);
    return 0;
  } finally {
    await database.close();
  }
}

const WEBHOOK_SECRET_USAGE = 'Usage: npm run cli -- webhook-secret --workspace <team_id> [--rotate]';

/** Create (or with --rotate replace) a workspace's deal-webhook secret. The secret is printed once, never again. */
async function webhookSecretCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, options: { workspace: { type: 'string', short: 'w' }, rotate: { type: 'boolean' } } });
  } catch (e) {
    console.error(`webhook-secret: ${e instanceof Error ? e.message : String(e)}\n${WEBHOOK_SECRET_USAGE}`);
    return 1;
  }
  const teamId = parsed.values.workspace?.trim();
  if (!teamId || !/^[TE][A-Z0-9]+$/.test(teamId)) {
    const problem = teamId ? `--workspace "${teamId}" is not a Slack team id like T0123ABCD.` : '--workspace <team_id> is required: the Slack team id of the workspace, like T0123ABCD.';
    console.error(`webhook-secret: ${problem}\n${WEBHOOK_SECRET_USAGE}`);
    return 1;
  }
  const rotate = parsed.values.rotate === true;
  const env = storageEnvironment();
  const database = await createDb(env);
  try {
    // The migrations the bot applies at start: the command works before the bot's first start too.
    await runMigrations(database);
    const box = loadSecretBox(env, keyLog);
    const result = await createOrRotateSecret(database.db, box, teamId, { rotate, now: systemClock.now() });
    if (!result.secret) {
      console.error(
        `Workspace ${teamId} already has a deal-webhook secret. It is shown only when it is made, so it is not printed again.\n` +
          `To replace it, run: npm run cli -- webhook-secret --workspace ${teamId} --rotate\n` +
          'The old secret stops working at once, so put the new one in your CRM right after.',
      );
      return 1;
    }
    const what = result.rotated
      ? `Rotated the deal-webhook secret of workspace ${teamId}. The old secret no longer works: put this one in your CRM now.`
      : `Created the deal-webhook secret of workspace ${teamId}.`;
    console.log(
      `${what}\nIt is shown only this once; keep it in your CRM's secret store:\n\n${result.secret}\n\n` +
        `Sign each POST to /webhooks/deals with it (headers X-Sales-Pulse-Workspace: ${teamId}, X-Sales-Pulse-Timestamp, X-Sales-Pulse-Signature; see "CRM deal webhook" in the README).`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/**
 * `reencrypt-secrets`: every stored secret encrypted with the current key (key rotation, and plaintext secrets
 * from before encryption). What it did goes to stdout; secrets are never printed.
 */
async function reencryptSecretsCommand(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(`reencrypt-secrets: takes no arguments (the keys come from ENCRYPTION_KEY and OLD_ENCRYPTION_KEY), got: ${args.join(' ')}`);
    return 1;
  }
  const env = storageEnvironment();
  const database = await createDb(env);
  try {
    await runMigrations(database);
    const box = loadSecretBox(env, keyLog);
    const report = await sealWebhookSecrets(database.db, box, { reseal: true });
    console.log(
      `Deal-webhook secrets: ${report.resealed} re-encrypted from the previous key, ${report.sealed} encrypted from plaintext; ` +
        `all readable ones are now encrypted with key ${box.keyId}.`,
    );
    if (report.unreadable.length > 0) {
      console.error(
        `${report.unreadable.length} secret${report.unreadable.length === 1 ? ' was' : 's were'} encrypted with neither ENCRYPTION_KEY nor OLD_ENCRYPTION_KEY, and ${report.unreadable.length === 1 ? 'was' : 'were'} left as ${report.unreadable.length === 1 ? 'it was' : 'they were'} (workspaces ${report.unreadable.join(', ')}). ` +
          'Give the key they were encrypted with as OLD_ENCRYPTION_KEY and run this again, or, if that key is lost, make new secrets: npm run cli -- webhook-secret --workspace <team_id> --rotate',
      );
    }
    // OAuth mode's installation tokens (never stored in plaintext: nothing to seal for the first time).
    const tokens = await resealInstallationTokens(database.db, box);
    console.log(`Slack installation tokens: ${tokens.resealed} installation${tokens.resealed === 1 ? '' : 's'} re-encrypted from the previous key, ${tokens.current} already encrypted with key ${box.keyId}.`);
    if (tokens.unreadable.length > 0) {
      console.error(
        `${tokens.unreadable.length} installation token${tokens.unreadable.length === 1 ? ' was' : 's were'} encrypted with neither ENCRYPTION_KEY nor OLD_ENCRYPTION_KEY, and left as ${tokens.unreadable.length === 1 ? 'it was' : 'they were'} (${tokens.unreadable.join(', ')}). ` +
          'Give the key they were encrypted with as OLD_ENCRYPTION_KEY and run this again, or, if that key is lost, install Sales Pulse again in those workspaces from /slack/install (their data is kept).',
      );
    }
    return report.unreadable.length > 0 || tokens.unreadable.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

const RUN_DUE_USAGE = 'Usage: npm run cli -- run-due --now <ISO-8601 instant, like 2026-11-30T16:00:00Z or 2026-11-30T11:00:00-05:00>';

/** An ISO-8601 instant: a date, a time and a zone designator (Z or ±HH:MM); anything looser is ambiguous. */
function parseInstant(text: string): Date | undefined {
  const value = parseIso(text.trim());
  // An instant: a date-time with its offset (Z or ±hh:mm); a bare date or wall-clock time is ambiguous here.
  if (value?.kind !== 'dateTime' || value.offsetMinutes === null) return undefined;
  return isoInstant(value, 'UTC');
}

/** `run-due --now <instant>`: one scheduler tick at that instant, through a scheduler built like the bot's. */
async function runDueCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, options: { now: { type: 'string' } } });
  } catch (e) {
    console.error(`run-due: ${e instanceof Error ? e.message : String(e)}\n${RUN_DUE_USAGE}`);
    return 1;
  }
  const nowText = parsed.values.now;
  if (!nowText) {
    console.error(`run-due: --now is required.\n${RUN_DUE_USAGE}`);
    return 1;
  }
  const now = parseInstant(nowText);
  if (!now) {
    console.error(`run-due: "${nowText}" is not an ISO-8601 instant with a time zone.\n${RUN_DUE_USAGE}`);
    return 1;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    throw e;
  }
  // Logs go to stderr; stdout is the summary.
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  const database = await createDb(config);
  try {
    await runMigrations(database);
    // The scheduler's jobs call Slack through clients of their own (buildScheduler); nothing else here does.
    const deps: Deps = { config, db: database.db, clock: systemClock, logger, afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
    // Loaded here, not at the top: the other commands need neither Slack nor the app.
    const { buildScheduler } = await import('./app.js');
    // OAuth mode: each workspace's own token from its installation, never one SLACK_BOT_TOKEN for every workspace.
    const clientOptions = { slackApiUrl: config.SLACK_API_URL };
    const tokens = isOAuthMode(config)
      ? createOAuthSetup({ config, db: database.db, secretBox: loadSecretBox(config, keyLog), clock: systemClock, logger, clientOptions }).tokens
      : undefined;
    const scheduler = buildScheduler(deps, clientOptions, {}, [], tokens);
    let outcomes;
    try {
      outcomes = await scheduler.tick(now);
    } finally {
      await scheduler.stop();
    }
    if (outcomes.length === 0) {
      console.log(`Nothing due at ${now.toISOString()}: every due run has already been done, failed or skipped.`);
      return 0;
    }
    for (const o of outcomes) console.log(`${o.status.padEnd(7)} ${o.job} slot ${o.slotAt.toISOString()} ${o.detail}`);
    const count = (status: string) => outcomes.filter((o) => o.status === status).length;
    console.log(`At ${now.toISOString()}: ${count('done')} posted, ${count('skipped')} skipped, ${count('failed')} failed, ${count('retry')} to retry.`);
    return count('failed') > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

/** `demo`: the sandbox's demo data, through the running sandbox when there is one, else straight into its database. */
async function demoCommand(): Promise<number> {
  const settings = configSchema.safeParse({ ...process.env, SLACK_BOT_TOKEN: 'xoxb-sandbox', SLACK_SIGNING_SECRET: 'sandbox', SLACK_APP_TOKEN: undefined });
  if (!settings.success) {
    console.error(new ConfigError(settings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`)).message);
    return 78;
  }
  const { PORT, DATA_DIR } = settings.data;
  const { SANDBOX_HOST, sandboxDir } = await import('./sandbox/start.js');
  const url = `http://${SANDBOX_HOST}:${PORT}/sandbox/api/demo`;
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(120_000) });
    const answer = (await response.json().catch(() => ({}))) as { ok?: boolean; notice?: string; error?: string };
    if (response.ok && answer.ok) {
      console.log(`${answer.notice ?? 'Demo data loaded.'} (through the sandbox running at http://${SANDBOX_HOST}:${PORT})`);
      return 0;
    }
    console.error(
      response.status === 404
        ? `Something answers on port ${PORT}, but it is not the Sales Pulse sandbox. Set PORT to the sandbox's port, or stop that process.`
        : `The sandbox at http://${SANDBOX_HOST}:${PORT} could not load the demo data: ${answer.error ?? `HTTP ${response.status}`}`,
    );
    return 1;
  } catch (e) {
    // Nothing listens there: write the sandbox's database directly (its lock stops us if a sandbox runs on another port).
    if (!String((e as { cause?: { code?: string } }).cause?.code ?? '').includes('ECONNREFUSED')) throw e;
  }
  const dir = sandboxDir(DATA_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let database;
  try {
    database = await openPglite(dir);
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    console.error(
      `The sandbox for DATA_DIR=${DATA_DIR} is running, but not on port ${PORT}. Run this with its PORT (PORT=<port> npm run demo), or press "Load demo data" on its page.`,
    );
    return 75;
  }
  try {
    await runMigrations(database);
    const [{ loadDemoData, describeDemoData }, { sandboxClock }] = await Promise.all([import('./sandbox/demo-data.js'), import('./sandbox/clock.js')]);
    // The sandbox's own clock, which may have been moved: history ends at the sandbox's now.
    console.log(`${describeDemoData(await loadDemoData(database.db, sandboxClock(dir).now()))} Start the sandbox with npm start to see it.`);
    return 0;
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
    case 'webhook-secret':
      return webhookSecretCommand(argv.slice(argv.indexOf('webhook-secret') + 1));
    case 'reencrypt-secrets':
      return reencryptSecretsCommand(argv.slice(argv.indexOf('reencrypt-secrets') + 1));
    case 'import':
      return importCommand(argv.slice(argv.indexOf('import') + 1));
    case 'run-due':
      return runDueCommand(argv.slice(argv.indexOf('run-due') + 1));
    case 'demo':
      return demoCommand();
    case undefined:
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

// .env is read in, and an empty variable counts as unset, as for npm start.
process.env = readEnvironment();
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      process.exit(75);
    }
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    console.error(scrubSecrets(e instanceof Error ? e.message : String(e)));
    process.exit(1);
  },
);
