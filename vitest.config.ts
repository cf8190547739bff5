import { transformWithEsbuild } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Package tests that need what the global setup provides. Everything else under packages/*\/test
 * and apps/*\/test is a unit test: it runs with nothing provisioned (`npm run test:unit`).
 */
const NEEDS_SERVICES = [
  // A fresh database on the run's PostgreSQL (createTestDatabase).
  'packages/artifacts/test/store.test.ts',
  // A real S3-compatible server (SeaweedFS, provisioned into the run's cache).
  'packages/artifacts/test/s3.test.ts',
  'packages/db/test/authoring.test.ts',
  'packages/db/test/client.test.ts',
  'packages/db/test/migrations.test.ts',
  'packages/db/test/users.test.ts',
  'packages/engine/test/tokens.test.ts',
  // A private Dovecot (the MailPeer), installed by the global setup's provisioning.
  'packages/channels/test/email.test.ts',
];

export default defineConfig({
  // TypeScript is compiled as tsx compiles it (the CLI, the web server and the worker run under
  // tsx): esbuild with keepNames, which wraps named functions in a `__name` helper that only Node
  // has. A function handed to a browser page that leans on it then fails in tests as in production.
  oxc: false,
  plugins: [
    {
      name: 'pincer:compile-as-tsx',
      enforce: 'pre',
      transform(code, id) {
        if (!/\.[cm]?tsx?$/.test(id) || id.includes('/node_modules/')) return null;
        return transformWithEsbuild(code, id, { keepNames: true, jsx: 'automatic', target: 'node20' });
      },
    },
  ],
  test: {
    // Safety nets, not expectations: a loaded 2-core machine (other suites, builds) can make a
    // CLI spawn or a model answer many times slower than usual.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...NEEDS_SERVICES],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts', ...NEEDS_SERVICES],
          // PostgreSQL, Temporal, podman, Chromium, the model and Dovecot, provided via inject().
          globalSetup: ['tests/setup/services.ts'],
        },
      },
    ],
  },
});
