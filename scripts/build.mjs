// `npm run build`: what npm start and the CLI scripts run. npm runs it on `npm ci` / `npm install` (prepare)
// and before `npm start`, `npm run cli`, `db:migrate` and `demo` (their pre-scripts), so an edit to src/ is
// always what runs. Both steps are no-ops when nothing changed (about half a second in all):
//   1. tsc -b tsconfig.build.json: src/ to dist/, only the files that changed (emit only; `npm run typecheck`
//      checks types);
//   2. dist/pglite-template-<key>/, the embedded database a new data directory starts from, made again only
//      when PGlite or migrations/ changed (a few seconds; see src/db/pglite-template.ts).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('The build (tsc -b tsconfig.build.json) failed: see above.');
  process.exit(1);
}

const { buildPgliteTemplate } = await import('../dist/db/pglite-template.js');
const started = performance.now();
const { dir, built } = await buildPgliteTemplate();
if (built) console.error(`Built the embedded database template ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
