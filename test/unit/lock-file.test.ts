import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, currentHolder, DataDirLockedError, holderAlive, parseHolder } from '../../src/db/lock-file.js';

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
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject(currentHolder());
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
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a lock with this process\'s own pid from an earlier process (a container restarted with the same pid) is stale', () => {
    const dir = tempDir();
    const me = currentHolder();
    // The same pid, started at another time: the crashed predecessor.
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), JSON.stringify({ ...me, startTicks: '1' }));
    const lock = acquireDataDirLock(dir);
    lock.release();
    // A bare pid (an older version's lock) equal to ours is stale too.
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), `${process.pid}\n`);
    acquireDataDirLock(dir).release();
  });

  it('a lock from before a reboot is stale even if its pid runs again', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), JSON.stringify({ pid: 1, bootId: 'another-boot', startTicks: '5' }));
    if (currentHolder().bootId) acquireDataDirLock(dir).release();
    else expect(() => acquireDataDirLock(dir)).toThrow(/pid 1/); // no /proc: the pid decides alone
  });

  it('holderAlive: a live pid with another start time is another process', () => {
    const me = currentHolder();
    expect(holderAlive(me, me)).toBe(me.startTicks !== null);
    expect(holderAlive({ pid: 1, bootId: me.bootId, startTicks: null }, me)).toBe(true);
    if (me.startTicks) expect(holderAlive({ pid: 1, bootId: me.bootId, startTicks: 'not-its-start' }, me)).toBe(false);
    expect(parseHolder('garbage')).toBeUndefined();
    expect(parseHolder('42\n')).toEqual({ pid: 42, bootId: null, startTicks: null });
  });

  it('six processes finding the same stale lock at once: exactly one takes it over', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), `${deadPid()}\n`);
    const script = `
      import { acquireDataDirLock } from ${JSON.stringify(path.resolve('src/db/lock-file.ts'))};
      try {
        const lock = acquireDataDirLock(${JSON.stringify(dir)});
        process.stdout.write('won');
        setTimeout(() => lock.release(), 1500);
      } catch (e) {
        process.stdout.write(e.name === 'DataDirLockedError' ? 'refused' : 'error ' + e.message);
      }`;
    const outcomes = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
            let out = '';
            child.stdout.on('data', (d) => (out += String(d)));
            child.stderr.on('data', (d) => (out += String(d)));
            child.on('exit', () => resolve(out.trim()));
          }),
      ),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
  }, 60_000);

  it('takes over an unreadable (garbage) lock file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sales-pulse.lock'), 'not a pid');
    const lock = acquireDataDirLock(dir);
    lock.release();
  });
});
