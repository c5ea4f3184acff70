/**
 * What a bench must undo (child processes, databases, temp directories), registered as it is made, so it is undone
 * when the bench ends, when it fails, and when the run is interrupted (bench/run.ts runs what is left).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cleanups = new Set<() => Promise<void>>();

/** Register `fn`; the returned function runs it (once) and unregisters it. */
export function deferCleanup(fn: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => {
    done ??= (async () => {
      cleanups.delete(once);
      await fn();
    })();
    return done;
  };
  cleanups.add(once);
  return once;
}

/** Run every registered cleanup, newest first; a failing one is reported and the rest still run. */
export async function runAllCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** A new temp directory, removed by `remove()` or by the run's cleanup. */
export function tempDir(prefix: string): { dir: string; remove: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: deferCleanup(() => fs.rmSync(dir, { recursive: true, force: true })) };
}
