/**
 * Secrets at rest: AES-256-GCM (node:crypto) with a 32-byte key, for the values the bot must read back in full
 * (the CRM webhook secrets; OAuth tokens later). A sealed value is text, safe to store in a `text` column:
 *
 *   sb1:<key id>:<iv>:<ciphertext>:<tag>      (iv, ciphertext and tag in base64url)
 *
 * - A fresh 12-byte random IV per seal; the 16-byte tag authenticates the ciphertext and a `context` string
 *   (additional authenticated data) naming where the value belongs, e.g. `webhook_secrets:T0123ABCD`: a sealed
 *   value copied to another row or table does not open.
 * - The key id is 8 hex digits of a SHA-256 of the key: it tells which key sealed a value (for rotation and for a
 *   clear error when the configured key is not that one) and reveals nothing usable about the key.
 * - A box seals with its current key and opens with any of its keys (the current one, and the previous one
 *   during a rotation: ENCRYPTION_KEY and OLD_ENCRYPTION_KEY).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'sb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^sb1:([0-9a-f]{8}):([A-Za-z0-9_-]+):([A-Za-z0-9_-]*):([A-Za-z0-9_-]+)$/;

/** What ENCRYPTION_KEY must be, for error messages. */
export const ENCRYPTION_KEY_FORMAT = 'must be 32 random bytes written as 64 hex characters or as base64 (make one with: openssl rand -hex 32)';

/** A 32-byte key from 64 hex characters or base64 (standard or URL-safe, padded or not); undefined otherwise. */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

/** A new random key, as 64 hex characters. */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

/** The 8-hex-digit id of a key, as written in the values it seals. */
export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256').update('sales-pulse secret-box key id\n').update(key).digest('hex').slice(0, 8);
}

/** A value that cannot be opened: not sealed, sealed with a key this box does not have, altered, or moved. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  /** The id of the key new values are sealed with. */
  readonly keyId: string;
  private readonly keys: Map<string, Buffer>;

  /** `current` seals and opens; each of `previous` only opens (a key being rotated out). */
  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) if (key.length !== KEY_BYTES) throw new SecretBoxError(`an encryption key is ${KEY_BYTES} bytes, not ${key.length}`);
    this.keyId = encryptionKeyId(current);
    this.keys = new Map([...previous.map((k) => [encryptionKeyId(k), k] as const), [this.keyId, current]]);
  }

  /** True when `value` has the sealed form (whichever key sealed it); a plaintext secret from before encryption does not. */
  static isSealed(value: string): boolean {
    return SEALED.test(value);
  }

  /** The id of the key that sealed `value`, or undefined when it is not sealed. */
  static keyIdOf(value: string): string | undefined {
    return SEALED.exec(value)?.[1];
  }

  seal(plaintext: string, context: string): string {
    const key = this.keys.get(this.keyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
  }

  /** The plaintext of a value sealed for `context`; SecretBoxError when it cannot be opened (never a wrong plaintext). */
  open(sealed: string, context: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new SecretBoxError('the value is not sealed');
    const [, keyId, iv, ciphertext, tag] = match;
    const key = this.keys.get(keyId!);
    if (!key) {
      throw new SecretBoxError(
        `the value was sealed with encryption key ${keyId}, but this process has ${[...this.keys.keys()].join(' and ')}: set ENCRYPTION_KEY to the key it was sealed with (the same on every process), or give it as OLD_ENCRYPTION_KEY while rotating`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext!, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`the value sealed with encryption key ${keyId} does not open for ${context}: it was altered or belongs elsewhere`);
    }
  }

  /** True when `value` is sealed with this box's current key (nothing to re-encrypt). */
  isCurrent(value: string): boolean {
    return SecretBox.keyIdOf(value) === this.keyId;
  }

  /** True when this box has the key that sealed `value`. */
  canOpen(value: string): boolean {
    const keyId = SecretBox.keyIdOf(value);
    return keyId !== undefined && this.keys.has(keyId);
  }
}
