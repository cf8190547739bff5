export default { test: { include: ['packages/*/test/**/*.test.ts'], testTimeout: 60000, pool: 'forks' } };
