/**
 * Files the program reads at run time by path (migrations, the manifest, the sandbox's page assets and Slack
 * method reference, the PGlite template) are named from the package root, so the same code finds them
 * whether it runs from src/ (tsx, vitest) or compiled in dist/: both sit one level below the root, and this
 * file two.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** An absolute path inside the package: packagePath('migrations'), packagePath('src', 'sandbox', 'assets', 'page.css'). */
export function packagePath(...segments: string[]): string {
  return path.join(PACKAGE_ROOT, ...segments);
}
