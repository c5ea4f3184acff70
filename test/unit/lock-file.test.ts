import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../../src/db/lock-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A pid that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(child.stdout));
}

describe('data directory lock', () => {
  it('is taken, refused to a second holder with a clear message, and released', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(/Stop the running bot.*or set DATABASE_URL to use PostgreSQL/s);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('is refused while another live process holds it', () => {
    const dir = tempDir();
    // pid 1 always exists.
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), '1\n');
    expect(() => acquireDataDirLock(dir)).toThrow(/pid 1/);
    expect(fs.readFileSync(path.join(dir, 'sales-pulse.lock'), 'utf8').trim()).toBe('1');
  });

  it('takes over a lock left by a crashed process', () => {
    const dir = tempDir();
    const pid = deadPid();
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), `${pid}\n`);
    const lock = acquireDataDirLock(dir);
    expect(fs.readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over an unreadable (garbage) lock file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), 'not a pid');
    const lock = acquireDataDirLock(dir);
    lock.release();
  });
});
