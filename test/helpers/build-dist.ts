/** Vitest global setup: `npm run build` once before the tests (a no-op taking about half a second when dist/ is current). */
import { execFileSync } from 'node:child_process';
import { ROOT } from './built.js';

export default function buildDist(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
