import { pino, type Logger } from 'pino';
// Types only: loading Bolt is app.ts's business, so main.ts can open the database while Bolt loads.
import type { LogLevel, Logger as BoltLogger } from '@slack/bolt';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth of a logged object: tokens of every kind, secrets,
 * passwords, authorization headers, signatures, encryption keys and database URLs.
 */
const SECRET_KEY = /token|secret|password|passwd|authorization|signature|encryption_?key|database_?url|cookie/i;
const CENSOR = '[redacted]';
/** How deep redactKeys looks; deeper values are replaced whole (log objects are shallow; this bounds a cycle). */
const MAX_DEPTH = 8;

/** A copy of `value` with every SECRET_KEY key's value censored, however deeply nested; errors keep their fields. */
export function redactKeys(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactKeys(v, depth + 1));
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  if (value instanceof Error) {
    out.type = value.name;
    out.message = value.message;
    out.stack = value.stack;
  }
  for (const key of Object.keys(source)) out[key] = SECRET_KEY.test(key) ? CENSOR : redactKeys(source[key], depth + 1);
  return out;
}

/**
 * Every token kind the app handles that can slip into free text (error messages, Bolt's debug lines): Slack bot,
 * user, app-level and rotating tokens (xoxb-, xoxp-, xapp-, xoxe- refresh and xoxe.xoxb- rotated ones), the CRM
 * webhook secrets (spwh_…) and URL passwords.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/xox[a-z](?:\.xox[a-z])?-[0-9A-Za-z.-]+/g, 'xox?-[redacted]')
    .replace(/xapp-[0-9A-Za-z-]+/g, 'xapp-[redacted]')
    .replace(/spwh_[0-9A-Za-z]+/g, 'spwh_[redacted]')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[redacted]@');
}

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { app: 'sales-pulse' },
      // Secret-named keys are censored at any depth (pino's own redact paths reach fixed depths only).
      formatters: { log: (object) => redactKeys(object) as Record<string, unknown> },
    },
    // Every finished line passes through the scrubber, whatever field or message a secret hid in.
    { write: (line: string) => destination.write(scrubSecrets(line)) },
  );
}

/** Bolt's LogLevel values ('debug', 'info', 'warn', 'error'). */
type BoltLevel = `${LogLevel}`;

const BOLT_LEVELS: Record<string, BoltLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  silent: 'error',
};

/** Bolt's Logger interface over pino, so Bolt's own lines are structured JSON too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level = (BOLT_LEVELS[logger.level] ?? 'info') as LogLevel;
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
