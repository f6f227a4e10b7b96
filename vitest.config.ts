import { defineConfig } from 'vitest/config';

// One Vitest run covers every workspace. Workspace packages resolve to their TypeScript
// sources through the `sigil-source` export condition, so tests never run stale builds.
export default defineConfig({
  resolve: { conditions: ['sigil-source'] },
  ssr: { resolve: { conditions: ['sigil-source'], externalConditions: ['sigil-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'bench/lib/**/*.test.ts',
      'apps/api/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/api/test/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest 5's on-disk module cache can replay stale transforms after a change: correctness first.
    fsModuleCache: false,
  },
});
