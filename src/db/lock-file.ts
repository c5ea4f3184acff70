import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${path.resolve(dataDir)} is already open in another Sales Pulse process (pid ${pid}). ` +
        'Two processes on one embedded database corrupt it, so this one stops here. ' +
        'Stop the running bot first (then run this command again), or set DATABASE_URL to use PostgreSQL, which any number of processes can share.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Who holds a lock: a pid alone is not enough (after a crash, a container restarts with the same pid, often 1),
 * so the kernel's boot id and the process's start time (clock ticks since boot, /proc/<pid>/stat) go with it.
 * Both are null where /proc is missing; the pid then decides alone.
 */
export interface LockHolder {
  pid: number;
  bootId: string | null;
  startTicks: string | null;
}

function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function bootId(): string | null {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function startTicks(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

export function currentHolder(pid = process.pid): LockHolder {
  return { pid, bootId: bootId(), startTicks: startTicks(pid) };
}

/** The lock file's holder: JSON, or the bare pid older versions wrote; undefined when unreadable. */
export function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), bootId: null, startTicks: null };
  try {
    const v = JSON.parse(trimmed) as Partial<LockHolder>;
    if (!Number.isInteger(v.pid) || (v.pid as number) <= 0) return undefined;
    return { pid: v.pid as number, bootId: typeof v.bootId === 'string' ? v.bootId : null, startTicks: typeof v.startTicks === 'string' ? v.startTicks : null };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote `holder` still runs. A different boot means it is gone. A live pid counts only
 * if it is the same process (same start time, when both are known). This process's own pid counts only when it is
 * really this process (same start time): after a restart that reused the pid, the old lock is stale.
 */
export function holderAlive(holder: LockHolder, self: LockHolder = currentHolder()): boolean {
  if (holder.bootId && self.bootId && holder.bootId !== self.bootId) return false;
  if (holder.pid === self.pid) return holder.startTicks !== null && holder.startTicks === self.startTicks;
  if (!pidAlive(holder.pid)) return false;
  const now = startTicks(holder.pid);
  return holder.startTicks === null || now === null || now === holder.startTicks;
}

/** A take-over mutex older than this was left by a process that died while taking over: removed. */
const TAKEOVER_STALE_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Take the data directory's lock file, or fail at once with a message saying what to do.
 * A lock left by a process that no longer runs (a crash, a kill -9, a container restarted with the same pid) is
 * taken over. Creating the lock is atomic (`wx`); taking over a stale one is serialised by a mutex directory
 * (`mkdir` is atomic) under which the lock is read again, so two processes that both find the same stale lock
 * can never both hold it.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'sales-pulse.lock');
  const mutex = `${file}.takeover`;
  const self = currentHolder();
  const content = `${JSON.stringify({ ...self, token: randomBytes(8).toString('hex') })}\n`;
  const deadline = Date.now() + 2 * TAKEOVER_STALE_MS;

  const create = (): boolean => {
    try {
      fs.writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    }
  };
  /** The current holder when it is alive (refuse), else undefined (missing or stale). */
  const liveHolder = (): LockHolder | undefined => {
    const text = readProc(file);
    if (text === null) return undefined;
    const holder = parseHolder(text);
    return holder && holderAlive(holder, self) ? holder : undefined;
  };

  while (!create()) {
    const holder = liveHolder();
    if (holder) throw new DataDirLockedError(dataDir, holder.pid);
    // Stale (or just removed): take it over under the mutex.
    try {
      fs.mkdirSync(mutex);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (fs.statSync(mutex, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > TAKEOVER_STALE_MS) fs.rmSync(mutex, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Could not take the lock file ${file}; remove it and ${mutex} if no Sales Pulse process is running.`);
      else sleepSync(25);
      continue;
    }
    try {
      // Read again under the mutex: another process may have taken it over meanwhile.
      const now = liveHolder();
      if (now) throw new DataDirLockedError(dataDir, now.pid);
      fs.rmSync(file, { force: true });
      if (create()) break;
    } finally {
      fs.rmSync(mutex, { recursive: true, force: true });
    }
  }

  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      try {
        if (fs.readFileSync(file, 'utf8') === content) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}
