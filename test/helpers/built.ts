/**
 * What `npm start` and `npm run cli` run: plain node on the build in dist/. Vitest's global setup
 * (build-dist.ts) builds it from the current sources before any test file runs, so a test of a spawned
 * process tests the code in the work tree.
 */
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** `npm start`: node dist/main.js, in ROOT. */
export const START_ARGS = ['dist/main.js'];
/** `npm run cli -- …`: node dist/cli.js …, in ROOT. */
export const CLI_ARGS = ['dist/cli.js'];
