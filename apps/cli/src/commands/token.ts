import type { PincerConfig } from '@pincer/config';
import { Role } from '@pincer/db';
import { createOwnerToken } from '../api-client.ts';
import { parseCommand, usageError } from './args.ts';

const USAGE = 'pincer token create [--name N] [--role owner|editor|viewer]';

function isRole(value: string): value is Role {
  return Object.hasOwn(Role, value);
}

/**
 * `pincer token create`: a new API token of the owner account, made directly in the database
 * (this machine's installation), printed once on stdout so scripts can capture it.
 */
export async function token(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    { name: { type: 'string' }, role: { type: 'string' } },
    USAGE,
  );
  if (positionals[0] !== 'create') {
    throw usageError(
      `${positionals[0] ? `unknown action "${positionals[0]}"` : 'missing action'}. Usage: ${USAGE}`,
    );
  }
  const role = values.role ?? 'owner';
  if (!isRole(role)) throw usageError(`--role must be owner, editor or viewer, not "${role}".`);
  const created = await createOwnerToken(config, { name: values.name ?? 'cli', role });
  process.stderr.write(`API token ${created.prefix} (${role}, for ${created.user}); it is shown only now:\n`);
  process.stdout.write(`${created.token}\n`);
  return 0;
}
