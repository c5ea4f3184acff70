/**
 * Footprint (issue 10): time from spawn to ready (GET /readyz answers 200) and memory after ~5 s idle (VmRSS, and
 * the peak VmHWM, from /proc) of the bot started as `npm start` starts it, in HTTP mode: on PostgreSQL (an already
 * migrated database, as on a restart), on PGlite with a new data directory (DATABASE_URL unset, DATA_DIR a new temp
 * dir: the first boot creates the database and migrates it) and on PGlite reopened (the same directory again),
 * against the bare Bolt app (bench/bare-bolt.mjs). Each is measured BENCH_FOOTPRINT_REPEATS times (3; 1 with
 * --quick, which also idles 2 s only), interleaved (bare, PostgreSQL, PGlite new, PGlite reopened, then again), and the median reported.
 * Targets: on PostgreSQL ready <= 2 s and idle RSS <= 120 MB; on PGlite with a new directory ready <= 3 s and peak
 * RSS <= 500 MB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './cleanup.js';
import { freshPostgres } from './postgres.js';
import { freePort, median, memoryOf, prepareStart, randomSecret, ROOT, sleep, spawnBareBolt, spawnBot, startBenchSlack, startCommand, waitReady, type Child } from './processes.js';
import type { Bench, BenchOptions, BenchRow } from './types.js';

interface Sample {
  readyMs: number;
  rssMb: number;
  peakMb: number;
  exit: string;
  errors: number;
}

interface Case {
  name: string;
  spawn: (port: number) => Child;
  target?: { readyMs: number; memoryMb: number; memory: 'rssMb' | 'peakMb' };
  samples: Sample[];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const footprintBench: Bench = {
  name: 'footprint',
  description: 'spawn-to-ready time and idle RSS of the bot on PostgreSQL, PGlite new and reopened, against a bare Bolt app',
  async run({ quick }: BenchOptions): Promise<BenchRow[]> {
    const repeats = Number(process.env.BENCH_FOOTPRINT_REPEATS ?? (quick ? 1 : 3));
    const idleMs = quick ? 2_000 : 5_000;
    const prepared = await prepareStart();
    const start = startCommand();
    const slack = await startBenchSlack();
    const fresh = await freshPostgres('footprint');
    const signingSecret = randomSecret();
    const slackApiUrl = slack.fake.apiUrl;
    const children: Child[] = [];
    const dirs: { dir: string; remove: () => Promise<void> }[] = [];
    try {
      let pgliteDir = '';
      const cases: Case[] = [
        { name: 'bare Bolt (baseline)', spawn: (port) => spawnBareBolt({ signingSecret, slackApiUrl, port }), samples: [] },
        {
          name: 'bot, PostgreSQL',
          spawn: (port) => spawnBot({ signingSecret, slackApiUrl, port, databaseUrl: fresh.url }),
          target: { readyMs: 2_000, memoryMb: 120, memory: 'rssMb' },
          samples: [],
        },
        {
          name: 'bot, PGlite new data dir',
          spawn: (port) => {
            const d = tempDir('sp-bench-pglite-');
            dirs.push(d);
            pgliteDir = d.dir;
            return spawnBot({ signingSecret, slackApiUrl, port, dataDir: pgliteDir });
          },
          target: { readyMs: 3_000, memoryMb: 500, memory: 'peakMb' },
          samples: [],
        },
        { name: 'bot, PGlite reopened', spawn: (port) => spawnBot({ signingSecret, slackApiUrl, port, dataDir: pgliteDir }), samples: [] },
      ];
      for (let r = 0; r < repeats; r++) {
        for (const c of cases) {
          console.error(`  footprint: ${c.name} (${r + 1} of ${repeats}) ...`);
          const child = c.spawn(await freePort());
          children.push(child);
          const readyMs = await waitReady(child);
          await sleep(idleMs);
          const mem = memoryOf(child.pid);
          const exit = await child.stop(20_000);
          c.samples.push({
            readyMs,
            rssMb: mem.rssMb,
            peakMb: mem.peakMb,
            exit: exit.killed ? 'killed' : String(exit.code ?? exit.signal),
            errors: child.log.stdout.errors + child.log.stderr.errors,
          });
        }
        for (const d of dirs.splice(0)) await d.remove();
      }

      const envFile = fs.existsSync(path.join(ROOT, '.env')) ? '; NOTE: .env exists in the repo root and the bot reads it (DATABASE_URL there would override "unset")' : '';
      return cases.map((c, i): BenchRow => {
        const ready = median(c.samples.map((s) => s.readyMs));
        const rss = median(c.samples.map((s) => s.rssMb));
        const peak = median(c.samples.map((s) => s.peakMb));
        const list = (f: (s: Sample) => number) => c.samples.map((s) => round(f(s), 0)).join('/');
        const misses: string[] = [];
        if (c.target) {
          if (ready > c.target.readyMs) misses.push(`ready ${round(ready, 0)} ms > ${c.target.readyMs}`);
          const m = c.target.memory === 'rssMb' ? rss : peak;
          if (m > c.target.memoryMb) misses.push(`${c.target.memory === 'rssMb' ? 'idle RSS' : 'peak RSS'} ${round(m, 0)} MB > ${c.target.memoryMb}`);
        }
        const exits = [...new Set(c.samples.map((s) => s.exit))].join('/');
        const errors = c.samples.reduce((n, s) => n + s.errors, 0);
        return {
          bench: 'footprint',
          case: c.name,
          figures: { 'ready ms': round(ready, 0), 'idle RSS MB': round(rss), 'peak MB': round(peak), runs: c.samples.length },
          ...(c.target
            ? {
                target: `ready <= ${c.target.readyMs / 1000} s, ${c.target.memory === 'rssMb' ? 'idle RSS' : 'peak RSS'} <= ${c.target.memoryMb} MB`,
                pass: misses.length === 0,
              }
            : {}),
          note: [
            `median of ${c.samples.length}: ready ${list((s) => s.readyMs)} ms, RSS ${list((s) => s.rssMb)} MB, peak ${list((s) => s.peakMb)} MB after ${idleMs / 1000} s idle`,
            `exit ${exits}${errors ? `, ${errors} error lines` : ''}`,
            ...misses.map((m) => `missed: ${m}`),
            i === 0 ? `bot started as "${start.script}"${prepared ? ` (${prepared})` : ''}${envFile}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        };
      });
    } finally {
      for (const child of children) await child.stop(5_000);
      for (const d of dirs) await d.remove();
      await fresh.drop();
      await slack.close();
    }
  },
};
