import { defineConfig } from 'vitest/config';

// The browser e2e suite: one real demo stack (scripts/start.ts, as `npm start` runs it) for every
// file, started by global-setup.ts on the demo's fixed ports; files run one after another.
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['**/*.e2e.ts'],
    globalSetup: ['./support/global-setup.ts'],
    fileParallelism: false,
    // A busy two-core machine: browser steps and the stack's start are slow there, never hung.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
