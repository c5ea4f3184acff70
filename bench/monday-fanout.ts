/**
 * The Monday fan-out: 1,000 installed workspaces (rows in slack_installations, tokens sealed), each with a weekly
 * leaderboard due at the same minute (Monday 09:00 UTC) and 20 reps with a week of activity and deals, posted
 * through the fake Slack with Slack's rate limits on (slackRateLimits(): the published tiers per workspace and
 * method, about one post per second per channel; 429 with Retry-After past them), by ONE and by THREE bot
 * processes sharing the PostgreSQL database. Each process is a child (bench/fanout-worker.mjs) running the
 * scheduler as the bot builds it and ticking once at 09:00:05; the fake Slack runs here, in the parent.
 *
 * Reported per case: wall time from the tick to the last board posted (and to the last process done, thread
 * uploads included), peak RSS of each bot process, database statements per board (counted at each process's
 * postgres.js client during the tick), Slack calls per board (the fake's counts, 429s included). A smaller
 * variant (100 workspaces × 5 reps) shows whether statements per board grow with workspaces or reps.
 *
 * Checks: every board posted exactly once (one successful chat.postMessage per workspace at the fake, every run
 * `done` in scheduled_runs, nothing else); within 3 minutes with one process; peak RSS at most 300 MB per process;
 * statements per board of the small variant within 10% of the full one's.
 *
 * `--quick`: 200 workspaces (and 50 × 5 for the comparison). BENCH_FANOUT_WORKSPACES overrides the size.
 * Seeding is set-based (INSERT … SELECT from generate_series); only the 1,000 sealed tokens are made here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { webApi } from '@slack/bolt';
import postgres from 'postgres';
import { configSchema } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { ignoreChanges, type Deps } from '../src/deps.js';
import { loadBoard } from '../src/features/leaderboard/index.js';
import { renderBoardChart } from '../src/features/leaderboard/chart.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { lastCompletePeriod } from '../src/periods/parse-period.js';
import { noSlack } from '../src/slack/clients.js';
import { UserDirectory } from '../src/slack/user-lookups.js';
import { tokenContext } from '../src/features/install/index.js';
import { generateEncryptionKey, parseEncryptionKey, SecretBox } from '../src/lib/secret-box.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../src/sandbox/index.js';
import { slackRateLimits } from '../src/sandbox/rate-limits.js';
import { deferCleanup } from './cleanup.js';
import { freshPostgres } from './postgres.js';
import { prepareStart } from './processes.js';
import type { Bench, BenchOptions, BenchRow } from './types.js';

/** The slot: Monday 30 November 2026, 09:00 UTC; the tick comes five seconds later, as a minute tick does. */
const SLOT = new Date('2026-11-30T09:00:00Z');
const TICK_AT = new Date(SLOT.getTime() + 5_000);
/** The week the boards cover: Monday 23 to Sunday 29 November. */
const WEEK_START = '2026-11-23T00:00:00Z';
/** Activities per rep per workday (five workdays), deals per rep in the week. */
const ACTIVITIES_PER_DAY = 4;
const DEALS_PER_REP = 2;
const TARGET_SECONDS = 180;
const TARGET_RSS_MB = 300;
/** Statements per board of the small variant against the full one. */
const TARGET_STATEMENT_RATIO = 0.1;
const WORKER = path.join(import.meta.dirname, 'fanout-worker.mjs');

const teamOf = (n: number) => `TF${String(n).padStart(5, '0')}`;
const tokenOf = (teamId: string) => `xoxb-fanout-${teamId}`;

interface Size {
  workspaces: number;
  reps: number;
}

/** Workspaces, their reps (in the users cache, so a board needs no users.info), a week of activity and deals, a schedule each. */
async function seed(url: string, size: Size, box: SecretBox): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select setseed(0.13)`;
    await sql`
      insert into workspaces (team_id, name, currency)
      select 'TF' || lpad(n::text, 5, '0'), 'Fan-out ' || n, 'USD' from generate_series(1, ${size.workspaces}) n`;
    await sql`
      insert into users (team_id, user_id, display_name, real_name, time_zone, joined_at, fetched_at)
      select w.team_id, 'UREP' || lpad(r::text, 3, '0'), 'Rep ' || r, 'Rep Number ' || r, 'UTC', '2026-01-01', ${TICK_AT.toISOString()}::timestamptz
      from workspaces w cross join generate_series(1, ${size.reps}) r`;
    await sql`
      insert into activities (team_id, user_id, type_key, quantity, occurred_at, source, created_at, updated_at)
      select u.team_id, u.user_id, (array['call', 'email', 'meeting', 'demo', 'proposal'])[1 + floor(random() * 5)::int],
             case when random() < 0.05 then 2 + floor(random() * 5)::int else 1 end, t, 'slash_command', t, t
      from users u cross join generate_series(0, 4) d cross join generate_series(1, ${ACTIVITIES_PER_DAY}) k
      cross join lateral (select ${WEEK_START}::timestamptz + d * interval '1 day' + interval '8 hours' + random() * interval '9 hours' as t) tt`;
    await sql`
      insert into deals (team_id, user_id, status, amount_minor, currency, closed_at, account, source, created_at, updated_at)
      select u.team_id, u.user_id, case when random() < 0.6 then 'won' else 'lost' end, 1000 + floor(random() * 5000000)::bigint, 'USD', t,
             'Account ' || k, 'webhook', t, t
      from users u cross join generate_series(1, ${DEALS_PER_REP}) k
      cross join lateral (select ${WEEK_START}::timestamptz + random() * interval '6 days' as t) tt`;
    await sql`
      insert into leaderboard_schedules (team_id, channel_id, cadence, weekday, time_of_day, time_zone, created_by, created_at, updated_at)
      select team_id, 'CBOARD' || substr(team_id, 3), 'weekly', 1, '09:00', 'UTC', 'UADMIN', '2026-11-01', '2026-11-01' from workspaces`;
    // The installations, tokens sealed as the store seals them (per row and kind): the one part made here, not in SQL.
    const teams = Array.from({ length: size.workspaces }, (_, i) => teamOf(i + 1));
    const sealed = teams.map((teamId) => box.seal(tokenOf(teamId), tokenContext({ enterpriseId: '', teamId }, 'bot_token')));
    await sql`
      insert into slack_installations (enterprise_id, team_id, team_name, app_id, bot_id, bot_user_id, bot_scopes, bot_token, installer_user_id)
      select '', t.team_id, 'Fan-out ' || t.team_id, 'A123456', 'B0001', 'UBOT', ${manifestBotScopes().join(',')}, t.token, 'UADMIN'
      from unnest(${teams}::text[], ${sealed}::text[]) as t(team_id, token)`;
    await sql`vacuum analyze`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The median of `samples`. */
function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Where a board's time goes, one at a time in this process (no fan-out, no contention): building it (its SQL: the
 * workspace, activity types, the grouped sums, names from the users cache, targets), rendering the chart (resvg,
 * synchronous: it holds the event loop), posting it to the fake Slack. Medians over `n` workspaces, ms.
 */
async function boardCosts(url: string, n: number): Promise<{ buildMs: number; chartMs: number; postMs: number }> {
  const database = connectPostgres(url, { max: 2 });
  const fake = await startFakeSlack({ scopes: manifestBotScopes(), record: false, tokenTeam: (token) => token.slice('xoxb-fanout-'.length) });
  try {
    const config = configSchema.parse({ SLACK_BOT_TOKEN: 'xoxb-fanout-x', SLACK_SIGNING_SECRET: 'bench' });
    const deps: Deps = { config, db: database.db, clock: fixedClock(TICK_AT), logger: createLogger('silent'), afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
    const period = lastCompletePeriod('weekly', SLOT, { timeZone: 'UTC', weekStartsOn: 1, fiscalYearStartMonth: 1 });
    const build: number[] = [];
    const chart: number[] = [];
    const post: number[] = [];
    for (let i = 1; i <= n; i++) {
      const teamId = teamOf(i);
      const client = new webApi.WebClient(tokenOf(teamId), { slackApiUrl: fake.apiUrl });
      let t = performance.now();
      const board = await loadBoard(deps, client, { teamId, period });
      build.push(performance.now() - t);
      t = performance.now();
      await renderBoardChart(board);
      chart.push(performance.now() - t);
      t = performance.now();
      await client.chat.postMessage({ channel: `CCOST${i}`, text: 'cost probe' });
      post.push(performance.now() - t);
    }
    // The first of each pays for loading (resvg, prepared statements): the median leaves it out.
    return { buildMs: median(build), chartMs: median(chart), postMs: median(post) };
  } finally {
    await fake.close();
    await database.close();
  }
}

interface CaseResult {
  processes: number;
  size: Size;
  done: DoneMessage[];
  /** From the tick to the last successful chat.postMessage, and to the last process done. */
  lastPostSeconds: number;
  allDoneSeconds: number;
  posts: Map<string, number>;
  calls: number;
  callsByMethod: Record<string, number>;
  rateLimited: number;
  runs: Record<string, number>;
}

/** What the parent and a bot process (bench/fanout-worker.mjs) say to each other. */
export interface TickMessage {
  type: 'tick';
  at: string;
}

export interface DoneMessage {
  type: 'done';
  pid: number;
  statuses: Record<string, number>;
  /** Statements sent from the tick to its end. */
  statements: number;
  /** Peak resident set size of this process over its life, MB. */
  peakRssMb: number;
  tickSeconds: number;
  errors: string[];
}

/** Fork a bot process; resolves once it is ready. */
function startWorker(env: Record<string, string>): Promise<{ child: ChildProcess; done: Promise<DoneMessage> }> {
  const child = fork(WORKER, [], { execArgv: ['--expose-gc'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const kill = deferCleanup(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let resolveDone!: (m: DoneMessage) => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<DoneMessage>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => {});
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') resolve({ child, done });
      if (m.type === 'done') resolveDone(m as DoneMessage);
    });
    child.on('exit', (code) => {
      void kill();
      const error = new Error(`fan-out worker ${child.pid} exited with ${code}`);
      reject(error);
      rejectDone(error);
    });
  });
}

async function runCase(url: string, size: Size, processes: number, key: string): Promise<CaseResult> {
  const fake: FakeSlack = await startFakeSlack({
    scopes: manifestBotScopes(),
    record: true,
    rateLimits: slackRateLimits(),
    tokenTeam: (token) => (token.startsWith('xoxb-fanout-') ? token.slice('xoxb-fanout-'.length) : undefined),
  });
  const closeFake = deferCleanup(() => fake.close());
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`delete from scheduled_runs`;
    const env = { FANOUT_DATABASE_URL: url, FANOUT_SLACK_API_URL: fake.apiUrl, FANOUT_ENCRYPTION_KEY: key };
    const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(env)));
    const t0 = Date.now();
    for (const w of workers) w.child.send({ type: 'tick', at: TICK_AT.toISOString() });
    const done = await Promise.all(workers.map((w) => w.done));
    const allDoneSeconds = (Date.now() - t0) / 1000;
    const okPosts = fake.callsTo('chat.postMessage').filter((c) => c.ok);
    const posts = new Map<string, number>();
    for (const c of okPosts) posts.set(c.teamId ?? '?', (posts.get(c.teamId ?? '?') ?? 0) + 1);
    const lastPostSeconds = okPosts.length ? (Math.max(...okPosts.map((c) => c.at)) - t0) / 1000 : NaN;
    const callsByMethod: Record<string, number> = {};
    for (const c of fake.counts()) callsByMethod[c.method] = (callsByMethod[c.method] ?? 0) + c.count;
    const runRows = await sql<{ status: string; n: string }[]>`select status, count(*) as n from scheduled_runs where job = 'leaderboard' group by status`;
    return {
      processes,
      size,
      done,
      lastPostSeconds,
      allDoneSeconds,
      posts,
      calls: fake.count(),
      callsByMethod,
      rateLimited: fake.count({ status: 429 }),
      runs: Object.fromEntries(runRows.map((r) => [r.status, Number(r.n)])),
    };
  } finally {
    await sql.end({ timeout: 5 });
    await closeFake();
  }
}

function exactlyOnce(r: CaseResult): { ok: boolean; detail: string } {
  const teams = Array.from({ length: r.size.workspaces }, (_, i) => teamOf(i + 1));
  const missing = teams.filter((t) => !r.posts.has(t)).length;
  const doubled = [...r.posts.values()].filter((n) => n > 1).length;
  const runsDone = r.runs.done ?? 0;
  const other = Object.entries(r.runs).filter(([s]) => s !== 'done');
  const ok = missing === 0 && doubled === 0 && runsDone === r.size.workspaces && other.length === 0;
  return { ok, detail: `${r.posts.size} workspaces posted, ${missing} missing, ${doubled} twice; runs done ${runsDone}${other.length ? `, ${other.map(([s, n]) => `${s} ${n}`).join(', ')}` : ''}` };
}

function describeCase(r: CaseResult): string {
  return `${r.size.workspaces} workspaces × ${r.size.reps} reps, ${r.processes} process${r.processes > 1 ? 'es' : ''}`;
}

function row(r: CaseResult, timed: boolean): BenchRow {
  const boards = r.size.workspaces;
  const statements = r.done.reduce((s, d) => s + d.statements, 0);
  const peak = Math.max(...r.done.map((d) => d.peakRssMb));
  const once = exactlyOnce(r);
  const rssOk = peak <= TARGET_RSS_MB;
  const timeOk = !timed || r.lastPostSeconds <= TARGET_SECONDS;
  const split = r.done.map((d) => d.statuses.done ?? 0).join('/');
  const methods = Object.entries(r.callsByMethod)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${(n / boards).toFixed(2)}`)
    .join(', ');
  const problems = r.done.flatMap((d) => d.errors).slice(0, 3);
  return {
    bench: 'fanout',
    case: describeCase(r),
    rows: boards,
    seconds: r.lastPostSeconds,
    figures: {
      'to last post s': r.lastPostSeconds,
      'all done s': r.allDoneSeconds,
      'boards/s': boards / r.lastPostSeconds,
      'peak RSS MB': r.done.map((d) => d.peakRssMb.toFixed(0)).join('/'),
      'statements/board': statements / boards,
      'Slack calls/board': r.calls / boards,
      '429s': r.rateLimited,
    },
    target: `each board once${timed ? `, <= ${TARGET_SECONDS} s` : ''}, RSS <= ${TARGET_RSS_MB} MB`,
    pass: once.ok && rssOk && timeOk,
    note: `${once.detail}; boards per process ${split}; calls per board: ${methods}${problems.length ? `; not done: ${problems.join(' | ')}` : ''}`,
  };
}

export const fanoutBench: Bench = {
  name: 'fanout',
  description: 'Monday fan-out: 1,000 workspaces × 20 reps, a weekly board each due at 09:00, through the rate-limited fake Slack, 1 and 3 processes (200 with --quick)',
  async run({ quick }: BenchOptions): Promise<BenchRow[]> {
    const full: Size = { workspaces: Number(process.env.BENCH_FANOUT_WORKSPACES ?? (quick ? 200 : 1000)), reps: 20 };
    const small: Size = { workspaces: quick ? 50 : 100, reps: 5 };
    // The bot processes run the compiled bot (dist/), as npm start does: build it first, as npm start would.
    const prepared = await prepareStart();
    if (prepared) console.error(`  fanout: ${prepared}`);
    const key = generateEncryptionKey();
    const box = new SecretBox(parseEncryptionKey(key)!);
    const rows: BenchRow[] = [];
    const results: CaseResult[] = [];
    for (const size of [full, small]) {
      const fresh = await freshPostgres('fanout');
      try {
        const t = Date.now();
        await seed(fresh.url, size, box);
        console.error(`  fanout: seeded ${size.workspaces} workspaces × ${size.reps} reps in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        if (size === full) {
          const costs = await boardCosts(fresh.url, Math.min(size.workspaces, 21));
          rows.push({
            bench: 'fanout',
            case: `one board at a time, ${size.reps} reps`,
            figures: { 'build ms': costs.buildMs, 'chart ms': costs.chartMs, 'post ms': costs.postMs },
            note: 'medians over 21 workspaces in one process, no fan-out: where a board\'s time goes (build = its SQL; chart = resvg, synchronous, on the event loop)',
          });
          console.error(`  fanout: one board: build ${costs.buildMs.toFixed(1)} ms, chart ${costs.chartMs.toFixed(1)} ms, post ${costs.postMs.toFixed(1)} ms`);
        }
        for (const processes of size === full ? [1, 3] : [1]) {
          console.error(`  fanout: ${describeCase({ size, processes } as CaseResult)} ...`);
          const result = await runCase(fresh.url, size, processes, key);
          results.push(result);
          const r = row(result, processes === 1 && size === full);
          rows.push(r);
          console.error(`  fanout: last post after ${result.lastPostSeconds.toFixed(1)} s; ${r.note}`);
        }
      } finally {
        await fresh.drop();
      }
    }
    const perBoard = (r: CaseResult) => r.done.reduce((s, d) => s + d.statements, 0) / r.size.workspaces;
    const big = results.find((r) => r.size === full && r.processes === 1)!;
    const little = results.find((r) => r.size === small)!;
    const ratio = perBoard(big) / perBoard(little);
    rows.push({
      bench: 'fanout',
      case: `statements per board, ${full.workspaces} × ${full.reps} vs ${small.workspaces} × ${small.reps}`,
      ratio,
      figures: { 'statements/board': perBoard(big) },
      target: `ratio 1 ± ${TARGET_STATEMENT_RATIO}`,
      pass: Math.abs(ratio - 1) <= TARGET_STATEMENT_RATIO,
      note: `${perBoard(big).toFixed(2)} vs ${perBoard(little).toFixed(2)} statements per board (1 process each; per tick: the schedules and the runs are read once, the rest is per board)`,
    });
    return rows;
  },
};
