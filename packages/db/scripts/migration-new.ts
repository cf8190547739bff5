// DATABASE_URL=postgres://... npm run migration:new -w @pincer/db -- <snake_case_name>
import { createMigration } from '../src/authoring.ts';

const name = process.argv[2];
const databaseUrl = process.env.DATABASE_URL;
if (!name || !databaseUrl) {
  console.error(
    'Usage: DATABASE_URL=postgres://... npm run migration:new -w @pincer/db -- <snake_case_name>\n' +
      'Any reachable PostgreSQL will do: the schema engine connects at start but only diffs schema files.',
  );
  process.exit(2);
}
try {
  const result = await createMigration(name, { databaseUrl });
  console.log(
    result.created
      ? `Wrote ${result.migrationFile}: review it, then commit it with prisma/migrations/schema.prisma.snapshot`
      : 'schema.prisma has no changes since the last migration: nothing written',
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
