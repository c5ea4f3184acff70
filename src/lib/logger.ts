import { pino, type Logger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACT_PATHS = [
  'token', '*.token', '*.*.token', 'botToken', 'appToken', 'signingSecret', 'secret', '*.secret',
  'authorization', '*.authorization', '*.headers.authorization', 'headers["x-slack-signature"]',
  'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DATABASE_URL', '*.SLACK_BOT_TOKEN', '*.SLACK_SIGNING_SECRET', '*.SLACK_APP_TOKEN', '*.DATABASE_URL',
];

/** Slack tokens and URL passwords that slip into free text (error messages, Bolt's debug lines) are masked too. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/xox[abposr]-[0-9A-Za-z-]+/g, 'xox?-[redacted]')
    .replace(/xapp-[0-9A-Za-z-]+/g, 'xapp-[redacted]')
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1[redacted]@');
}

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { app: 'sales-pulse' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    // Every finished line passes through the scrubber, whatever field or message a secret hid in.
    { write: (line: string) => destination.write(scrubSecrets(line)) },
  );
}

const BOLT_LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt's Logger interface over pino, so Bolt's own lines are structured JSON too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level: LogLevel = BOLT_LEVELS[logger.level] ?? LogLevel.INFO;
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
