import type { PincerConfig } from '@pincer/config';
import { createDb } from '@pincer/db';
import { AccountError, changePassword, setUserDisabled } from '@pincer/engine';
import { CliError, databaseUrlOf } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, usageError } from './args.ts';
import { readValue } from './credential.ts';

const USAGE = 'pincer user password EMAIL (new password on stdin) | disable EMAIL | enable EMAIL';

/**
 * `pincer user password|disable|enable EMAIL`: account care on the machine that runs Pincer,
 * directly in its database (like `pincer token create`), so an owner locked out of the studio, or
 * an initial-admin.txt password to retire, needs nobody signed in. Each ends the user's sessions.
 */
export async function user(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals } = parseCommand(args, {}, USAGE);
  const [action] = positionals;
  if (action !== 'password' && action !== 'disable' && action !== 'enable') {
    throw usageError(`${action ? `unknown action "${action}"` : 'missing action'}. Usage: ${USAGE}`);
  }
  const email = required(positionals, 1, 'the user EMAIL', USAGE).trim().toLowerCase();
  const password =
    action === 'password'
      ? await readValue(
          `No password on stdin: pipe it in, e.g. \`printf %s "$NEW_PASSWORD" | pincer user password ${email}\`.`,
        )
      : undefined;
  const db = createDb(await databaseUrlOf(config));
  try {
    const found = await db.user.findUnique({ where: { email } });
    if (!found) throw new CliError(`No user ${email}: the studio's Users page lists them.`);
    if (password !== undefined) {
      await changePassword(db, { userId: found.id, password, actor: 'cli' });
      say(`Password of ${email} changed; their studio sessions ended.`);
    } else {
      await setUserDisabled(db, { userId: found.id, disabled: action === 'disable', actor: 'cli' });
      say(
        action === 'disable'
          ? `${email} is disabled: signed out everywhere, API tokens refused.`
          : `${email} is enabled again.`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof AccountError) throw new CliError(error.message);
    throw error;
  } finally {
    await db.$disconnect();
  }
}
