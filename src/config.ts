import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Empty strings in .env files mean "not set". */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const SIGNING_SECRET_REQUIRED =
  'is required in HTTP mode: copy the Signing Secret from your Slack app’s "Basic Information" page (or set SLACK_APP_TOKEN to use Socket Mode)';

export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'is required: copy the Bot User OAuth Token (xoxb-…) from your Slack app’s "OAuth & Permissions" page' })
      .regex(/^xoxb-/, { error: 'must be a bot token starting with "xoxb-" (Slack app → OAuth & Permissions → Bot User OAuth Token)' }),
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
    DATABASE_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/sales_pulse (unset it to use the embedded database)' })
        .optional(),
    ),
    DATA_DIR: z.preprocess((v) => (v === '' || v === undefined ? './data' : v), z.string()),
    LOG_LEVEL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'info' : String(v).toLowerCase()),
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    ),
  })
  .superRefine((c, ctx) => {
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

export function isSocketMode(config: Config): boolean {
  return Boolean(config.SLACK_APP_TOKEN);
}
