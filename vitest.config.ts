import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that spawn the bot or the CLI run the build, as npm start does: build it first.
    globalSetup: ['test/helpers/build-dist.ts'],
    // PGlite boots and migrates per file in a few seconds; PostgreSQL suites create a database each.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // A far-off server zone: code that leans on the process time zone instead of the user's shows up here.
    env: { TZ: 'Pacific/Kiritimati' },
  },
});
