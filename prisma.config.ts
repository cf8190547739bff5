// Configuration for the native `prisma` CLI (`prisma migrate deploy`, `prisma studio`) where its
// schema engine is available. Pincer itself applies migrations with @pincer/db's migrateDatabase and
// generates the client with `npm run generate -w @pincer/db`; both read the same files as this config.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // process.env rather than env(): commands that need no database (generate, validate) must still
  // load this file when DATABASE_URL is unset.
  datasource: { url: process.env.DATABASE_URL },
});
