import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import { layout } from './embedded.ts';
import { APP_PASSWORD_FILE, APP_ROLE, EMBEDDED_DATABASE } from './postgres.ts';
import { ProvisionError } from './steps.ts';

/**
 * The URL of the embedded PostgreSQL that `npm start` runs, as Pincer's least-privileged app role
 * (password from dataDir/postgres/app-password), for tools that work beside it. Use DATABASE_URL
 * instead when set.
 */
export async function embeddedDatabaseUrl(config: PincerConfig): Promise<string> {
  const file = path.join(layout(config).postgres, APP_PASSWORD_FILE);
  let password: string;
  try {
    password = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new ProvisionError(
      'database_not_provisioned',
      'database',
      `The embedded PostgreSQL is not provisioned (no ${file}).`,
      'run `npm start` once, or set DATABASE_URL.',
      { cause: error },
    );
  }
  return `postgresql://${APP_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${config.database.embedded.port}/${EMBEDDED_DATABASE}`;
}
