// DATABASE_URL=postgres://... npm run migrate -w @pincer/db
import { migrateDatabase } from '../src/migrations.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'Set DATABASE_URL to the database to migrate, e.g. postgres://user:pass@127.0.0.1:5432/pincer',
  );
  process.exit(2);
}
try {
  const { applied } = await migrateDatabase(databaseUrl, { log: (line) => console.log(line) });
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
