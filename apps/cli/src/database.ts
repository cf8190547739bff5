import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import { createDb, ensureOwner, migrateDatabase } from '@pincer/db';
import { layout } from '@pincer/provision';
import { bold } from './output.ts';

/**
 * Applies pending migrations and creates the owner account on first start. Returns the sign-in
 * hint to print: the generated password is shown once and kept in dataDir/initial-admin.txt.
 */
export async function prepareDatabase(
  config: PincerConfig,
  databaseUrl: string,
  log: (line: string) => void,
): Promise<string> {
  const migrated = await migrateDatabase(databaseUrl);
  log(
    migrated.applied.length > 0
      ? `✓ database migrated: ${migrated.applied.join(', ')}`
      : '✓ database schema up to date',
  );
  const db = createDb(databaseUrl);
  try {
    const owner = await ensureOwner(db, {
      email: config.admin.email,
      ...(config.admin.password ? { password: config.admin.password } : {}),
    });
    const notes = layout(config).initialAdmin;
    if (owner.created && owner.password && !config.admin.password) {
      await mkdir(path.dirname(notes), { recursive: true });
      await writeFile(
        notes,
        `Pincer owner account created ${new Date().toISOString()}\nemail: ${owner.email}\npassword: ${owner.password}\n` +
          'Change the password after signing in, then delete this file.\n',
        { mode: 0o600 },
      );
      return `Sign in as ${bold(owner.email)} with password ${bold(owner.password)} (shown once; also saved in ${notes})`;
    }
    if (owner.created) return `Sign in as ${bold(owner.email)} with the password from PINCER_ADMIN_PASSWORD`;
    return existsSync(notes)
      ? `Sign in as ${bold(owner.email)} (first-start password in ${notes})`
      : `Sign in as ${bold(owner.email)}`;
  } finally {
    await db.$disconnect();
  }
}
