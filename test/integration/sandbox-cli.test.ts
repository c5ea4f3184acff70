/** `npm run demo`: the sandbox's demo data from the command line, with and without a sandbox running. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { startSandbox } from '../../src/sandbox/start.js';
import { CLI_ARGS, freePort, ROOT } from '../helpers/built.js';

function demo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_ARGS, 'demo'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}


async function countRows(dir: string): Promise<{ activities: number; deals: number }> {
  const database = await openPglite(dir);
  try {
    const [row] = await database.rows<{ activities: number; deals: number }>(
      sql`select (select count(*)::int from activities) as activities, (select count(*)::int from deals) as deals`,
    );
    return row!;
  } finally {
    await database.close();
  }
}

describe('npm run demo', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-demo-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('with no sandbox running, fills the sandbox database under DATA_DIR/sandbox; run again, it duplicates nothing', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()) };
    const first = await demo(env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Loaded 6 weeks of history: [\d,]+ activities and \d+ deals .* for 6 reps; a weekly leaderboard in #sales/);
    const counts = await countRows(path.join(dataDir, 'sandbox'));
    expect(counts.activities).toBeGreaterThan(300);
    expect(counts.deals).toBeGreaterThan(10);

    const second = await demo(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already loaded (nothing duplicated)');
    expect(await countRows(path.join(dataDir, 'sandbox'))).toEqual(counts);
  }, 60_000);

  it('with the sandbox running, loads through it; on another port, says how to reach it', async () => {
    const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
    const sandbox = await startSandbox({ dataDir, port: 0, logLevel: 'silent', logger, startScheduler: false });
    try {
      const through = await demo({ DATA_DIR: dataDir, PORT: new URL(sandbox.url).port });
      expect(through.code).toBe(0);
      expect(through.stdout).toContain(`through the sandbox running at ${sandbox.url}`);

      const elsewhere = await demo({ DATA_DIR: dataDir, PORT: String(await freePort()) });
      expect(elsewhere.code).toBe(75);
      expect(elsewhere.stderr).toContain('is running, but not on port');
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});
