import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/setup/services.ts'],
    // Safety nets, not expectations: a loaded 2-core machine (other suites, builds) can make a
    // CLI spawn or a model answer many times slower than usual.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
