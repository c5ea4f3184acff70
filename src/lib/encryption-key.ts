/**
 * Which key seals secrets at rest (see secret-box.ts): ENCRYPTION_KEY when set (production, and every process
 * sharing one PostgreSQL must have the same), else a key generated on first start and kept in
 * DATA_DIR/encryption.key (mode 0600), which suits one machine with the embedded database. OLD_ENCRYPTION_KEY,
 * set while rotating, still opens what the previous key sealed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ENCRYPTION_KEY_FORMAT, generateEncryptionKey, parseEncryptionKey, SecretBox } from './secret-box.js';

export const ENCRYPTION_KEY_FILE = 'encryption.key';

export interface EncryptionSettings {
  ENCRYPTION_KEY?: string;
  OLD_ENCRYPTION_KEY?: string;
  DATA_DIR: string;
}

/** A log line's sink: the bot's logger, or stderr in the CLI. */
export interface KeyLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** The key in the file, or undefined when there is no file; an unreadable or malformed file is an error. */
function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const key = parseEncryptionKey(text);
  if (!key) throw new Error(`The encryption key file ${file} is not a key: it ${ENCRYPTION_KEY_FORMAT}. Restore it from a backup, or set ENCRYPTION_KEY.`);
  return key;
}

/**
 * Create the key file, atomically: written beside it, then linked into place, so a second process starting at the
 * same moment either finds the whole file or creates none (it then reads the first one's).
 */
function createKeyFile(file: string): Buffer | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(partial, `${generateEncryptionKey()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(partial, file);
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** The box of ENCRYPTION_KEY (and OLD_ENCRYPTION_KEY), or undefined when ENCRYPTION_KEY is unset. No file is read. */
export function secretBoxFromEnvironment(settings: Omit<EncryptionSettings, 'DATA_DIR'>): SecretBox | undefined {
  if (!settings.ENCRYPTION_KEY) return undefined;
  return new SecretBox(keyFrom(settings.ENCRYPTION_KEY, 'ENCRYPTION_KEY'), previousKeys(settings));
}

function previousKeys(settings: Omit<EncryptionSettings, 'DATA_DIR'>): Buffer[] {
  return settings.OLD_ENCRYPTION_KEY ? [keyFrom(settings.OLD_ENCRYPTION_KEY, 'OLD_ENCRYPTION_KEY')] : [];
}

/**
 * The box secrets are sealed and opened with. Settings are validated already (config.ts); without ENCRYPTION_KEY
 * the key file is read, or created with a warning that says to set ENCRYPTION_KEY in production.
 */
export function loadSecretBox(settings: EncryptionSettings, log: KeyLog): SecretBox {
  const fromEnvironment = secretBoxFromEnvironment(settings);
  if (fromEnvironment) return fromEnvironment;
  const previous = previousKeys(settings);
  const file = path.resolve(settings.DATA_DIR, ENCRYPTION_KEY_FILE);
  // Another process may create the file between the read and the link: then its key is the one.
  const existing = readKeyFile(file);
  const created = existing ? undefined : createKeyFile(file);
  if (!created) {
    log.info({ keyFile: file }, 'secrets are encrypted with the key in the data directory; set ENCRYPTION_KEY in production');
    return new SecretBox(existing ?? readKeyFile(file)!, previous);
  }
  log.warn(
    { keyFile: file },
    `ENCRYPTION_KEY is not set: generated an encryption key for secrets at rest in ${file} (readable by this user only). ` +
      'Keep it with the data: without it, stored webhook secrets cannot be read. In production set ENCRYPTION_KEY ' +
      '(openssl rand -hex 32), the same on every process; see "Encryption key" in README.md.',
  );
  return new SecretBox(created, previous);
}

function keyFrom(text: string, name: string): Buffer {
  const key = parseEncryptionKey(text);
  if (!key) throw new Error(`${name} ${ENCRYPTION_KEY_FORMAT}`);
  return key;
}
