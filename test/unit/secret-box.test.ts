import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { encryptionKeyId, generateEncryptionKey, parseEncryptionKey, SecretBox, SecretBoxError } from '../../src/lib/secret-box.js';

const key = randomBytes(32);

describe('parseEncryptionKey', () => {
  it('reads 32 bytes as 64 hex characters or base64 (standard or URL-safe, padded or not), and nothing else', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('hex').toUpperCase())).toEqual(key);
    expect(parseEncryptionKey(` ${key.toString('base64')}\n`)).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
    expect(parseEncryptionKey(generateEncryptionKey())).toHaveLength(32);
    for (const bad of ['', 'abc', key.toString('hex').slice(2), randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), `${key.toString('hex')}00`]) {
      expect(parseEncryptionKey(bad), bad).toBeUndefined();
    }
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(key);

  it('seals to text that names its key and opens to the plaintext; each seal differs', () => {
    const a = box.seal('spwh_abc', 'webhook_secrets:T1');
    const b = box.seal('spwh_abc', 'webhook_secrets:T1');
    expect(a).toMatch(new RegExp(`^sb1:${encryptionKeyId(key)}:`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('spwh_abc');
    expect(SecretBox.isSealed(a)).toBe(true);
    expect(SecretBox.isSealed('spwh_abc')).toBe(false);
    expect(box.open(a, 'webhook_secrets:T1')).toBe('spwh_abc');
    expect(box.isCurrent(a)).toBe(true);
  });

  it('refuses a value for another context, an altered one, and one sealed with a key it does not have', () => {
    const sealed = box.seal('secret', 'webhook_secrets:T1');
    expect(() => box.open(sealed, 'webhook_secrets:T2')).toThrow(SecretBoxError);
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join(':'), 'webhook_secrets:T1')).toThrow(/altered or belongs elsewhere/);
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(sealed, 'webhook_secrets:T1')).toThrow(new RegExp(`sealed with encryption key ${box.keyId}`));
    expect(() => box.open('spwh_plain', 'x')).toThrow(/not sealed/);
  });

  it('with a previous key: opens what either sealed, seals with the current one', () => {
    const next = randomBytes(32);
    const old = box.seal('secret', 'c');
    const rotating = new SecretBox(next, [key]);
    expect(rotating.open(old, 'c')).toBe('secret');
    expect(rotating.canOpen(old)).toBe(true);
    expect(rotating.isCurrent(old)).toBe(false);
    const resealed = rotating.seal('secret', 'c');
    expect(rotating.isCurrent(resealed)).toBe(true);
    expect(new SecretBox(next).open(resealed, 'c')).toBe('secret');
  });
});

describe('ENCRYPTION_KEY in the configuration', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

  it('is optional, and taken as given when well-formed', () => {
    expect(loadConfig(base).ENCRYPTION_KEY).toBeUndefined();
    expect(loadConfig({ ...base, ENCRYPTION_KEY: '' }).ENCRYPTION_KEY).toBeUndefined();
    const hex = generateEncryptionKey();
    expect(loadConfig({ ...base, ENCRYPTION_KEY: hex, OLD_ENCRYPTION_KEY: key.toString('base64') })).toMatchObject({ ENCRYPTION_KEY: hex });
  });

  it('a malformed one is a start-up error naming the variable and the format, never the value', () => {
    for (const [name, value] of [['ENCRYPTION_KEY', 'hunter2-not-a-key'], ['OLD_ENCRYPTION_KEY', 'deadbeef']] as const) {
      let error: unknown;
      try {
        loadConfig({ ...base, [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`${name} must be 32 random bytes written as 64 hex characters or as base64`);
      expect((error as ConfigError).message).not.toContain(value);
    }
  });
});
