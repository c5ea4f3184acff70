/**
 * A new embedded data directory starts from the build's PGlite template (a cluster with the migrations
 * applied) instead of running initdb; without a usable template it runs initdb as before. Either way the
 * migrations are all there after opening, and an existing cluster is never touched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../../src/db/client.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.js';
import { currentPgliteTemplate, pgliteTemplateKey, pgliteTemplatePath } from '../../src/db/pglite-template.js';

const JOURNAL = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-template-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const appliedMigrations = async (database: Database) =>
  (await database.rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
/** Every file under `dir` with its size and modification time: changes if anything in it was written. */
function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f} ${st.size} ${st.mtimeMs}`;
    });
}
const tableExists = async (database: Database, name: string) =>
  (await database.rows<{ t: string | null }>(sql`select to_regclass(${name})::text as t`))[0]!.t !== null;

describe('the PGlite template', () => {
  it('is built (by the build, before the tests) for these migrations, with all of them applied', async () => {
    const template = currentPgliteTemplate();
    expect(template).toBe(pgliteTemplatePath());
    expect(fs.existsSync(path.join(template!, 'PG_VERSION'))).toBe(true);
  });

  it('starts a new data directory: its contents and every migration are there before migrating; it reopens as it was left', async () => {
    // A copy of the build's template with a marker table in it, so the test can tell it was used (not initdb).
    const template = path.join(tmp, 'marked-template');
    fs.cpSync(currentPgliteTemplate()!, template, { recursive: true });
    const marking = await PGlite.create(template);
    await marking.exec('create table template_marker (id int)');
    await marking.close();

    const dataDir = path.join(tmp, 'from-template');
    // A copy left half-made by a first start that was cut short is replaced.
    fs.mkdirSync(path.join(dataDir, 'pglite.partial'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'pglite.partial', 'junk'), 'x');

    const before = snapshot(template);
    const first = await openPglite(dataDir, { template });
    try {
      expect(await tableExists(first, 'template_marker')).toBe(true);
      expect(await appliedMigrations(first)).toBe(JOURNAL.entries.length);
      await runMigrations(first); // a no-op
      expect(await appliedMigrations(first)).toBe(JOURNAL.entries.length);
      await first.db.execute(sql`insert into workspaces (team_id, name) values ('T0TPL', 'Template Co')`);
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite.partial'))).toBe(false);
    // The data directory has a copy of the template: the template is untouched by what it did.
    expect(snapshot(template)).toEqual(before);

    // Reopened, the existing cluster is used as it is, never replaced by a template (even another one).
    const again = await openPglite(dataDir, { template: currentPgliteTemplate()! });
    try {
      expect(await again.rows(sql`select team_id, name from workspaces`)).toEqual([{ team_id: 'T0TPL', name: 'Template Co' }]);
      expect(await tableExists(again, 'template_marker')).toBe(true);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('falls back to initdb, as without a template, when the template cannot be copied; the migrations then apply', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const dataDir = path.join(tmp, 'no-template');
    const database = await openPglite(dataDir, { template: path.join(tmp, 'no-such-template') });
    try {
      expect(await tableExists(database, 'workspaces')).toBe(false);
      await runMigrations(database);
      expect(await appliedMigrations(database)).toBe(JOURNAL.entries.length);
      expect(await tableExists(database, 'workspaces')).toBe(true);
    } finally {
      await database.close();
      process.off('warning', onWarning);
    }
    expect(warnings.join('\n')).toContain('could not start the embedded database from its template');
    expect(fs.existsSync(path.join(dataDir, 'pglite.partial'))).toBe(false);
  }, 90_000);

  it('is keyed by the migrations: another migration set (or an edited one) does not use it', () => {
    const copy = path.join(tmp, 'migrations');
    fs.cpSync(MIGRATIONS_FOLDER, copy, { recursive: true });
    const key = pgliteTemplateKey(copy);
    expect(key).toBe(pgliteTemplateKey());
    const last = JOURNAL.entries.at(-1)!.tag;
    fs.appendFileSync(path.join(copy, `${last}.sql`), '\n-- edited\n');
    expect(pgliteTemplateKey(copy)).not.toBe(key);
    fs.writeFileSync(path.join(copy, 'meta/_journal.json'), JSON.stringify({ ...JOURNAL, entries: JOURNAL.entries.slice(0, -1) }));
    fs.rmSync(path.join(copy, `${last}.sql`));
    expect(pgliteTemplateKey(copy)).not.toBe(key);
  });
});
