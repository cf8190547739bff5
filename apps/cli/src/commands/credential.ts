import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { CliError, PincerApi } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, table, usageError } from './args.ts';

const USAGE = 'pincer credential set NAME [--type T] (value on stdin) | list | delete NAME';

/** A secret from stdin: never from an argument, which would land in the shell history. */
export async function readValue(
  missing = 'No value on stdin: pipe it in, e.g. `printf %s "$TOKEN" | pincer credential set api_token`.',
): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('value (end with Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!value) throw new CliError(missing);
  return value;
}

/** `pincer credential set|list|delete`: secrets steps read as {{ secrets.NAME }}; write-only. */
export async function credential(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(args, { type: { type: 'string' } }, USAGE);
  const [action] = positionals;
  const api = new PincerApi(config);
  switch (action) {
    case 'set': {
      const name = required(positionals, 1, 'the credential NAME', USAGE);
      const value = await readValue();
      const saved = await api.call(endpoints.setCredential, {
        params: { name },
        body: { value, ...(values.type ? { type: values.type } : {}) },
      });
      say(
        `${saved.created ? 'stored' : 'replaced'} credential ${saved.name}: use it as {{ secrets.${saved.name} }}`,
      );
      return 0;
    }
    case 'list': {
      const { credentials } = await api.call(endpoints.listCredentials);
      say(
        credentials.length === 0
          ? 'no credentials (add one with `pincer credential set NAME`)'
          : table(
              ['NAME', 'TYPE', 'UPDATED'],
              credentials.map((entry) => [entry.name, entry.type, entry.updatedAt]),
            ),
      );
      return 0;
    }
    case 'delete': {
      const name = required(positionals, 1, 'the credential NAME', USAGE);
      await api.call(endpoints.deleteCredential, { params: { name } });
      say(`deleted credential ${name}`);
      return 0;
    }
    default:
      throw usageError(`${action ? `unknown action "${action}"` : 'missing action'}. Usage: ${USAGE}`);
  }
}
