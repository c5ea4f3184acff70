/**
 * Child processes for the process-level benchmarks (ack-load, shutdown, footprint): the bot started exactly as
 * `npm start` starts it (package.json's `scripts.start`, read at run time), the bare Bolt baseline, readiness, memory
 * from /proc, and a cleanup registry so children, databases and temp dirs go away even when a bench fails or the run
 * is interrupted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../src/sandbox/index.js';
import { deferCleanup } from './cleanup.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BARE_BOLT = path.join(import.meta.dirname, 'bare-bolt.mjs');
export const BOT_TOKEN = 'xoxb-bench';
export const TEAM_ID = 'T0BENCH';

// ---------------------------------------------------------------------------------------------
// The start command
// ---------------------------------------------------------------------------------------------

export interface StartCommand {
  /** The script as package.json has it. */
  script: string;
  /** Arguments to process.execPath. */
  args: string[];
  /** `NAME=value` assignments before `node` in the script. */
  env: Record<string, string>;
}

interface PackageJson {
  scripts?: Record<string, string>;
}

function readScripts(): Record<string, string> {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson).scripts ?? {};
}

/**
 * `scripts.start`, as `npm start` runs it: optional `NAME=value` assignments, then `node` and its arguments, which are
 * spawned with this process's node (process.execPath) and no shell, so the pid is the bot's own. A script needing a
 * shell (quotes, &&, pipes, variables) is refused with a message, not guessed at.
 */
export function startCommand(): StartCommand {
  const script = readScripts().start;
  if (!script) throw new Error('package.json has no scripts.start');
  if (/["'`$&|;<>()\\]/.test(script)) {
    throw new Error(`bench/processes.ts spawns scripts.start without a shell and cannot run "${script}": make it "node <args>" or adapt startCommand()`);
  }
  const tokens = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (tokens.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0]!)) {
    const [name, ...value] = tokens.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const node = tokens.shift();
  if (node !== 'node' && !node?.endsWith('/node')) {
    throw new Error(`scripts.start is "${script}": bench/processes.ts expects it to run node (then it spawns process.execPath with the same arguments)`);
  }
  return { script, args: tokens, env };
}

const prepared = new Map<string, Promise<string | undefined>>();

/**
 * What `npm start` runs before the start script, done once per bench run (again if package.json's scripts change
 * meanwhile): `npm run prestart` when there is one, and `npm run build` when the script's entry file (e.g.
 * dist/main.js) does not exist and there is a build script. Resolves to a note saying what was run, if anything.
 */
export function prepareStart(): Promise<string | undefined> {
  const scripts = readScripts();
  const key = `${scripts.prestart ?? ''}\n${scripts.start ?? ''}`;
  let done = prepared.get(key);
  if (!done) {
    done = prepare(scripts);
    prepared.set(key, done);
  }
  return done;
}

async function prepare(scripts: Record<string, string>): Promise<string | undefined> {
  const { args } = startCommand();
  const notes: string[] = [];
  const npm = (script: string) => {
    console.error(`  running npm run ${script} (as npm start would) ...`);
    const t0 = performance.now();
    execFileSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    notes.push(`ran npm run ${script} first, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  if (scripts.prestart) npm('prestart');
  const entry = args.filter((a) => /\.(c|m)?(j|t)s$/.test(a)).at(-1);
  if (entry && !fs.existsSync(path.resolve(ROOT, entry)) && scripts.build) npm('build');
  return notes.length ? notes.join(', ') : undefined;
}

// ---------------------------------------------------------------------------------------------
// Running children
// ---------------------------------------------------------------------------------------------

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  /** performance.now() when spawned. */
  spawnedAt: number;
  port: number;
  baseUrl: string;
  stdout(): string;
  stderr(): string;
  /** Error and warning lines on each stream, counted as they come. */
  log: { stdout: LogTally; stderr: LogTally };
  /** Resolves when the process has exited: its code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. Safe to call twice. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number; killed: boolean }>;
}

/** Keeps the first `headBytes` and the last `tailBytes` of a stream, so a long run cannot grow memory without bound. */
function capture(stream: NodeJS.ReadableStream | null, headBytes = 64_000, tailBytes = 64_000): () => string {
  let head = '';
  let tail = '';
  let dropped = 0;
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (head.length < headBytes) {
      head += chunk;
      return;
    }
    tail += chunk;
    if (tail.length > tailBytes * 2) {
      dropped += tail.length - tailBytes;
      tail = tail.slice(-tailBytes);
    }
  });
  return () => (dropped ? `${head}\n[... ${dropped} characters dropped ...]\n${tail}` : head + tail);
}

export function spawnChild(name: string, args: string[], env: Record<string, string | undefined>, port: number): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Only what is given: nothing from the bench's environment (DATABASE_URL above all) leaks into the child.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAt = performance.now();
  if (child.pid === undefined) throw new Error(`could not spawn ${name}`);
  const stdout = capture(child.stdout);
  const stderr = capture(child.stderr);
  const log = { stdout: tallyLines(child.stdout), stderr: tallyLines(child.stderr) };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  let stopping: ReturnType<Child['stop']> | undefined;
  const stop: Child['stop'] = (graceMs = 20_000) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, killed };
    })();
    return stopping;
  };
  const unregister = deferCleanup(async () => {
    await stop(5_000);
  });
  void exited.then(() => unregister());
  return { name, child, pid: child.pid, spawnedAt, port, baseUrl: `http://127.0.0.1:${port}`, stdout, stderr, log, exited, stop };
}

export interface BotEnv {
  signingSecret: string;
  slackApiUrl: string;
  port: number;
  /** PostgreSQL; without it the bot opens PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
}

/** The bot, started as `npm start` starts it (see startCommand), in HTTP mode. */
export function spawnBot(e: BotEnv, name = 'bot'): Child {
  const start = startCommand();
  return spawnChild(
    name,
    start.args,
    {
      ...start.env,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: e.signingSecret,
      SLACK_API_URL: e.slackApiUrl,
      PORT: String(e.port),
      LOG_LEVEL: 'warn',
      // Webhook secrets are sealed with it; without one the bot would write a key file into the repo's data/.
      ENCRYPTION_KEY: randomSecret(32),
      ...(e.databaseUrl ? { DATABASE_URL: e.databaseUrl } : {}),
      ...(e.dataDir ? { DATA_DIR: e.dataDir } : {}),
    },
    e.port,
  );
}

/** The bare Bolt baseline (bench/bare-bolt.mjs), with plain node. */
export function spawnBareBolt(e: Pick<BotEnv, 'signingSecret' | 'slackApiUrl' | 'port'>, name = 'bare Bolt'): Child {
  return spawnChild(
    name,
    [BARE_BOLT],
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: e.signingSecret, SLACK_API_URL: e.slackApiUrl, PORT: String(e.port), LOG_LEVEL: 'warn' },
    e.port,
  );
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Poll GET /readyz every 10 ms until it answers 200; resolves to milliseconds from spawn to that answer. */
export async function waitReady(c: Child, timeoutMs = 60_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) {
      throw new Error(`${c.name} exited (${c.child.exitCode ?? c.child.signalCode}) before it was ready:\n${c.stdout()}\n${c.stderr()}`);
    }
    try {
      if ((await getStatus(`${c.baseUrl}/readyz`)) === 200) return performance.now() - c.spawnedAt;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${c.name} was not ready within ${timeoutMs} ms:\n${c.stdout()}\n${c.stderr()}`);
}

export interface Memory {
  /** Resident set size now, MB (VmRSS). */
  rssMb: number;
  /** Peak resident set size, MB (VmHWM). */
  peakMb: number;
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status (Linux); NaN when the process is gone. */
export function memoryOf(pid: number): Memory {
  let status = '';
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMb: NaN, peakMb: NaN };
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}

/** The benchmark's people: five reps the fake Slack knows, so users.info answers for each. */
export const BENCH_USERS = [
  { id: 'U0BENCH001', name: 'ana', real_name: 'Ana Lima', tz: 'America/Sao_Paulo' },
  { id: 'U0BENCH002', name: 'ben', real_name: 'Ben Carter', tz: 'Europe/London' },
  { id: 'U0BENCH003', name: 'chen', real_name: 'Chen Wei', tz: 'Asia/Singapore' },
  { id: 'U0BENCH004', name: 'dana', real_name: 'Dana Ross', tz: 'America/New_York' },
  { id: 'U0BENCH005', name: 'emil', real_name: 'Emil Braun', tz: 'Europe/Berlin' },
] as const;

/** The sandbox's Web API, headless and not recording (a long run would keep every call), with the bench's users. */
export async function startBenchSlack(): Promise<{ fake: FakeSlack; close: () => Promise<void> }> {
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes(), teamId: TEAM_ID, teamName: 'Bench', record: false });
  for (const u of BENCH_USERS) fake.addUser({ ...u });
  return { fake, close: deferCleanup(() => fake.close()) };
}

/** 'error' for pino JSON lines at level >= 50 and plain lines that look like errors, 'warn' for pino level 40. */
export function lineKind(line: string): 'error' | 'warn' | undefined {
  const t = line.trim();
  if (!t) return undefined;
  if (t.startsWith('{')) {
    try {
      const level = Number((JSON.parse(t) as { level?: unknown }).level);
      return level >= 50 ? 'error' : level === 40 ? 'warn' : undefined;
    } catch {
      /* not JSON after all */
    }
  }
  return /error|CONNECTION_|ECONN|unhandled|exception|fatal/i.test(t) ? 'error' : undefined;
}

/** Error and warning lines a stream carried, all counted (the captured text is capped; these counts are not). */
export interface LogTally {
  errors: number;
  warnings: number;
  /** The first few of each, as written. */
  firstErrors: string[];
  firstWarnings: string[];
}

function tallyLines(stream: NodeJS.ReadableStream | null): LogTally {
  const tally: LogTally = { errors: 0, warnings: 0, firstErrors: [], firstWarnings: [] };
  let partial = '';
  const take = (line: string) => {
    const kind = lineKind(line);
    if (kind === 'error') {
      tally.errors++;
      if (tally.firstErrors.length < 5) tally.firstErrors.push(line);
    } else if (kind === 'warn') {
      tally.warnings++;
      if (tally.firstWarnings.length < 5) tally.firstWarnings.push(line);
    }
  };
  stream?.on('data', (chunk: string | Buffer) => {
    const lines = (partial + String(chunk)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  stream?.on('end', () => take(partial));
  return tally;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
