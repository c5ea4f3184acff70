/**
 * What `npm start` and `npm run cli` run: plain node on the build in dist/. Vitest's global setup
 * (build-dist.ts) builds it from the current sources before any test file runs, so a test of a spawned
 * process tests the code in the work tree.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** `npm start`: node --expose-gc dist/main.js, in ROOT (gc: see src/lib/native-memory.ts). */
export const START_ARGS = ['--expose-gc', 'dist/main.js'];
/** `npm run cli -- …`: node --expose-gc dist/cli.js …, in ROOT. */
export const CLI_ARGS = ['--expose-gc', 'dist/cli.js'];

/** What a finished CLI run printed, and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run cli -- <args>` on the build, with only `env` (and PATH, HOME). DATABASE_URL is always given: '' means
 * the embedded database (and keeps a developer's .env out of it).
 */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A spawned bot: its process, everything it printed so far, and its exit code once it exits. */
export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Exactly what `npm start` runs after its build (node dist/main.js in ROOT), without npm between the test and the
 * signal, with only PATH, a temporary HOME and `env` in its environment.
 */
export function startBot(env: Record<string, string>, nodeOptions: string[] = []): Running {
  const child = spawn(process.execPath, [...nodeOptions, ...START_ARGS], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Until GET /readyz on `port` answers 200; throws with the bot's output after `timeoutMs`. */
export async function waitForHealth(port: number, run: Running, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bot did not become ready:\n${run.output()}`);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
