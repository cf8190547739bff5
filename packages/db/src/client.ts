import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

/**
 * A Prisma client over node-postgres (no native engine). It connects lazily; call `$disconnect()`
 * when done so the pool's connections close.
 */
export function createDb(databaseUrl: string): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl }),
    // Prisma's defaults (2 s to get a connection, 5 s per transaction) fail good work on a busy
    // machine; a transaction here is a few statements, so these only bound a stuck one.
    transactionOptions: { maxWait: 30_000, timeout: 60_000 },
  });
}
