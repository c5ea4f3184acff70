/**
 * A ready-made PGlite cluster for first starts. A new data directory would otherwise run initdb: seconds of
 * work and, while it runs, a second WebAssembly instance (about 900 MB in all). The build (`npm run build`,
 * which npm ci's `prepare` and `npm start` run) makes dist/pglite-template-<key>/ once: a cluster with the
 * migrations applied, closed cleanly. A new data directory starts as a copy of it, made beside the data
 * directory and renamed into place (so a first start cut short leaves no half-made cluster), copied off the
 * main thread while the app's modules load; PGlite then opens it as it opens any existing cluster.
 * Migrations still run after opening (a no-op then).
 *
 * The key hashes the PGlite version and the migrations, so a template is used only with the PGlite and the
 * migrations it was made from: after `git pull` or an edit to migrations/ without a build, a new data
 * directory runs initdb as before. No template (running from src/ before any build): initdb as before.
 *
 * (Why a directory, not a `dumpDataDir()` tarball opened with `loadDataDir`: PGlite unpacks a tarball in
 * memory and writes its thousand files through its emulated file system on the main thread. Measured on the
 * same machine, a first start that way took about 0.5 to 1.5 s longer and about 100 MB more memory.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { packagePath } from '../lib/package-root.js';
import type { Db } from './database.js';
import { MIGRATIONS_FOLDER, runMigrations } from './migrate.js';

/** Where the build puts the template (dist/, the build's output, ignored by git). */
export const PGLITE_TEMPLATE_PARENT = packagePath('dist');
const PREFIX = 'pglite-template-';

/** The installed PGlite's version, from its package.json (the first one above its entry point). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What a template depends on: the PGlite version, the migrations journal and every migration's SQL. */
export function pgliteTemplateKey(migrationsFolder = MIGRATIONS_FOLDER): string {
  const hash = createHash('sha256').update(`pglite ${pgliteVersion()}\n`);
  const files = ['meta/_journal.json', ...fs.readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()];
  for (const file of files) hash.update(`${file}\n`).update(fs.readFileSync(path.join(migrationsFolder, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The template directory for the current key under `parent` (which may not exist). */
export function pgliteTemplatePath(parent = PGLITE_TEMPLATE_PARENT): string {
  return path.join(parent, `${PREFIX}${pgliteTemplateKey()}`);
}

const isCluster = (dir: string) => fs.existsSync(path.join(dir, 'PG_VERSION'));

/** The built template matching this PGlite and these migrations, if there is one. */
export function currentPgliteTemplate(parent = PGLITE_TEMPLATE_PARENT): string | undefined {
  const dir = pgliteTemplatePath(parent);
  return isCluster(dir) ? dir : undefined;
}

/**
 * Make the template for the current key under `parent` unless it is there already (the build calls this; it
 * takes a few seconds and about 900 MB while initdb runs). Templates of other keys are removed.
 */
export async function buildPgliteTemplate(parent = PGLITE_TEMPLATE_PARENT): Promise<{ dir: string; built: boolean }> {
  const dir = pgliteTemplatePath(parent);
  if (isCluster(dir)) return { dir, built: false };
  const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  fs.mkdirSync(parent, { recursive: true });
  const partial = `${dir}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  const client = await PGlite.create(partial);
  try {
    await runMigrations({ kind: 'pglite', db: drizzle(client) as unknown as Db });
  } finally {
    await client.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
  for (const entry of fs.readdirSync(parent)) {
    if (entry.startsWith(PREFIX) && path.join(parent, entry) !== dir) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  return { dir, built: true };
}

/** Copy a directory tree, many files at a time, off the main thread. */
async function copyTree(from: string, to: string): Promise<void> {
  await fsp.mkdir(to);
  const entries = await fsp.readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map((e) => (e.isDirectory() ? copyTree(path.join(from, e.name), path.join(to, e.name)) : fsp.copyFile(path.join(from, e.name), path.join(to, e.name)))),
  );
}

/**
 * Make `pgdata` a copy of `template`: copied beside it, then renamed into place (replacing an empty directory),
 * so a first start cut short leaves no half-made cluster. If that fails, it says why and leaves pgdata as it
 * was, for initdb.
 */
async function copyTemplate(template: string, pgdata: string): Promise<void> {
  const partial = `${pgdata}.partial`;
  try {
    await fsp.rm(partial, { recursive: true, force: true });
    await copyTree(template, partial);
    await fsp.rename(partial, pgdata);
  } catch (e) {
    process.emitWarning(`could not start the embedded database from its template ${template} (${e instanceof Error ? e.message : String(e)}); running initdb instead`);
    await fsp.rm(partial, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * PGlite on the cluster directory `pgdata`. An existing cluster is opened as it is. A new one starts as a copy
 * of `template` (by default the current one, if built; null for none), made while PGlite loads; without one,
 * or if the copy fails, PGlite runs initdb as it always did.
 */
export async function createPgliteCluster(pgdata: string, template?: string | null): Promise<PGlite> {
  const source = isCluster(pgdata) ? undefined : template === undefined ? currentPgliteTemplate() : template;
  const [{ PGlite }] = await Promise.all([import('@electric-sql/pglite'), source ? copyTemplate(source, pgdata) : undefined]);
  return PGlite.create(pgdata);
}
