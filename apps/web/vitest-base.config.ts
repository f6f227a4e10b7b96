import { defineConfig } from 'vitest/config';

// Merged by `ng test` (angular.json runnerConfig). Vitest 5 caches transformed modules on disk by
// default, and for the in-memory bundles Angular's builder serves it replayed stale code after a
// source change: tests then pass or fail against old code. Correctness over a second of speed.
export default defineConfig({
  test: { fsModuleCache: false, testTimeout: 15_000 },
});
