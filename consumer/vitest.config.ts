import { defineConfig } from 'vitest/config';

// The consumer suite (consumer/README.md): the tarballs of `npm run pack`, installed into fresh
// apps under the OS temp dir. Heavy (npm installs, an Angular production build, Chromium) on a
// two-core machine: one file at a time, generous timeouts.
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
