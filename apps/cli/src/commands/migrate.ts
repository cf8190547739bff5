import type { PincerConfig } from '@pincer/config';
import { ProvisionError } from '@pincer/provision';
import { prepareDatabase } from '../database.ts';
import { say } from '../output.ts';

/** `pincer migrate`: bring an external database (DATABASE_URL) up to date and create the owner. */
export async function migrate(config: PincerConfig): Promise<number> {
  if (!config.database.url) {
    throw new ProvisionError(
      'migrate_needs_database_url',
      'database',
      '`pincer migrate` works on an external database and DATABASE_URL is not set.',
      'set DATABASE_URL, or run `npm start`, which migrates the embedded database itself.',
    );
  }
  say(await prepareDatabase(config, config.database.url, say));
  return 0;
}
