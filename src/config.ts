import { readFileSync } from 'node:fs';
import { parse as parseDotEnv } from 'dotenv';
import { z } from 'zod';
import { ENCRYPTION_KEY_FORMAT, parseEncryptionKey } from './lib/secret-box.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Empty strings in .env files mean "not set". */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/**
 * ENCRYPTION_KEY and OLD_ENCRYPTION_KEY: optional, and when set 32 bytes as 64 hex characters or base64. Kept as
 * the text given (src/lib/encryption-key.ts makes the key); a bad value is a start-up error naming the variable.
 */
export const encryptionKeySetting = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .refine((v) => parseEncryptionKey(v) !== undefined, { error: ENCRYPTION_KEY_FORMAT })
    .optional(),
);

/** Where data is kept and the keys that seal secrets in it: read by the bot and by every CLI command that opens the database. */
export const storageSettings = {
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/sales_pulse (unset it to use the embedded database)' })
      .optional(),
  ),
  DATA_DIR: z.preprocess((v) => (v === '' || v === undefined ? './data' : v), z.string()),
  /** Encrypts secrets at rest (webhook secrets); unset: a key generated into DATA_DIR/encryption.key. */
  ENCRYPTION_KEY: encryptionKeySetting,
  /** The previous ENCRYPTION_KEY while rotating: still opens what it sealed (README, "Encryption key"). */
  OLD_ENCRYPTION_KEY: encryptionKeySetting,
};

const SIGNING_SECRET_REQUIRED =
  'is required in HTTP mode: copy the Signing Secret from your Slack app’s "Basic Information" page (or set SLACK_APP_TOKEN to use Socket Mode)';

export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string({ error: 'is required: copy the Bot User OAuth Token (xoxb-…) from your Slack app’s "OAuth & Permissions" page' })
        .regex(/^xoxb-/, { error: 'must be a bot token starting with "xoxb-" (Slack app → OAuth & Permissions → Bot User OAuth Token)' })
        .optional(),
    ),
    /** OAuth mode (many workspaces): all three set, from the Slack app's "Basic Information" page; SLACK_BOT_TOKEN is then not used. */
    SLACK_CLIENT_ID: optionalString,
    SLACK_CLIENT_SECRET: optionalString,
    /** Any long random string: signs the OAuth state so an install cannot be forged or replayed. */
    SLACK_STATE_SECRET: optionalString,
    /** Days an uninstalled workspace's data is kept before it is purged (a reinstall within them finds it all). */
    RETENTION_DAYS: z.preprocess(
      (v) => (v === '' || v === undefined ? 30 : v),
      z.coerce.number({ error: 'must be a whole number of days, such as 30' }).int({ error: 'must be a whole number of days, such as 30' }).min(0, { error: 'must be 0 or more days' }).max(3650, { error: 'must be at most 3650 days' }),
    ),
    /** Serve Prometheus metrics on their own port (GET /metrics); unset: off unless METRICS=1. */
    METRICS_PORT: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce.number({ error: 'must be a port number from 1 to 65535, such as 9464' }).int({ error: 'must be a whole port number such as 9464' }).min(0, { error: 'must be a port number from 0 to 65535' }).max(65535, { error: 'must be a port number from 0 to 65535' }).optional(),
    ),
    /** METRICS=1: serve GET /metrics on the main port too (only where that port is not public). */
    METRICS: z.preprocess(
      (v) => (v === '' || v === undefined ? '0' : String(v).trim().toLowerCase()),
      z.enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'], { error: 'must be 1 (serve /metrics on the main port) or 0' }).transform((v) => ['1', 'true', 'yes', 'on'].includes(v)),
    ),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^xapp-/, { error: 'must be an app-level token starting with "xapp-" (Slack app → Basic Information → App-Level Tokens, scope connections:write)' })
        .optional(),
    ),
    PORT: z.preprocess(
      (v) => (v === '' || v === undefined ? 3000 : v),
      z.coerce.number({ error: 'must be a port number from 0 to 65535, such as 3000' }).int({ error: 'must be a whole port number such as 3000' }).min(0, { error: 'must be a port number from 0 to 65535' }).max(65535, { error: 'must be a port number from 0 to 65535' }),
    ),
    SLACK_API_URL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'https://slack.com/api/' : v),
      z
        .url({ error: 'must be a URL such as https://slack.com/api/' })
        .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
    ),
    ...storageSettings,
    LOG_LEVEL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'info' : String(v).toLowerCase()),
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    ),
  })
  .superRefine((c, ctx) => {
    const oauth = [c.SLACK_CLIENT_ID, c.SLACK_CLIENT_SECRET, c.SLACK_STATE_SECRET];
    if (oauth.some(Boolean) && !oauth.every(Boolean)) {
      for (const [name, value] of [['SLACK_CLIENT_ID', c.SLACK_CLIENT_ID], ['SLACK_CLIENT_SECRET', c.SLACK_CLIENT_SECRET], ['SLACK_STATE_SECRET', c.SLACK_STATE_SECRET]] as const) {
        if (!value) ctx.addIssue({ code: 'custom', path: [name], message: 'is required for OAuth mode (many workspaces): set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together, or none of them' });
      }
    }
    if (!oauth.every(Boolean) && !c.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required: copy the Bot User OAuth Token (xoxb-…) from your Slack app’s "OAuth & Permissions" page (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET to serve many workspaces)' });
    }
    if (!c.SLACK_APP_TOKEN && !c.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: SIGNING_SECRET_REQUIRED,
      });
    }
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Sales Pulse cannot start: the configuration is incomplete.\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment or in a .env file (see .env.example).`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment once. Errors name the variable and say how to fix it; values are never echoed (they may be secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  // The mode check is a refinement, which zod skips while a field is invalid: report it too, all at once.
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET && !problems.some((p) => p.startsWith('SLACK_SIGNING_SECRET'))) {
    problems.push(`SLACK_SIGNING_SECRET ${SIGNING_SECRET_REQUIRED}`);
  }
  throw new ConfigError(problems);
}

/** OAuth mode: many workspaces, each installed through /slack/install, tokens in the installation store. */
export function isOAuthMode(config: Config): boolean {
  return Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.SLACK_STATE_SECRET);
}

export function isSocketMode(config: Config): boolean {
  return Boolean(config.SLACK_APP_TOKEN);
}

/**
 * The environment with `.env` read in: a variable set in the environment wins, except when it is empty,
 * which counts as unset there as in `.env` (so `SLACK_BOT_TOKEN=` in the environment leaves `.env`'s value).
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, dotEnvPath = '.env'): NodeJS.ProcessEnv {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotEnv(readFileSync(dotEnvPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const merged: NodeJS.ProcessEnv = { ...fromFile };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[key] = value;
    else if (!(key in fromFile)) merged[key] = value;
  }
  return merged;
}

/** The variables that connect the bot to a real Slack app. */
export const SLACK_CREDENTIALS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET'] as const;

export type StartMode = { kind: 'slack'; config: Config } | { kind: 'sandbox'; reason: 'no-credentials' | 'forced' };

const SANDBOX_FLAG = z.preprocess(
  (v) => (v === undefined || v === '' ? '0' : String(v).trim().toLowerCase()),
  z.enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'], { error: 'must be 1 (start the local sandbox) or 0' }),
);

/**
 * What `npm start` runs. No Slack credentials at all: the local sandbox (a Slack-like workspace in the
 * browser), except with NODE_ENV=production, which refuses. SALES_PULSE_SANDBOX=1 forces the sandbox.
 * Some credentials but not all: the configuration errors naming what is missing, never a silent fallback.
 */
export function resolveStartMode(env: NodeJS.ProcessEnv): StartMode {
  const flag = SANDBOX_FLAG.safeParse(env.SALES_PULSE_SANDBOX);
  if (!flag.success) throw new ConfigError([`SALES_PULSE_SANDBOX ${flag.error.issues[0]!.message}`]);
  if (['1', 'true', 'yes', 'on'].includes(flag.data)) return { kind: 'sandbox', reason: 'forced' };
  const anyCredential = SLACK_CREDENTIALS.some((name) => env[name] !== undefined && env[name] !== '');
  if (anyCredential) return { kind: 'slack', config: loadConfig(env) };
  if (env.NODE_ENV === 'production') {
    throw new ConfigError([
      'No Slack credentials are set (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN), and with NODE_ENV=production ' +
        'Sales Pulse does not start its local sandbox: a production process must serve a real Slack workspace. ' +
        'Set the Slack credentials (see "Connect to Slack" in README.md), or unset NODE_ENV to try the sandbox on this machine.',
    ]);
  }
  return { kind: 'sandbox', reason: 'no-credentials' };
}
