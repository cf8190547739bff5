import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { PincerApi } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, table, usageError } from './args.ts';

const USAGE = 'pincer chat pairings [--status pending|approved|rejected] | approve CODE | reject CODE';

/** `pincer chat`: owners approve the pairing codes unknown chat senders get. */
export async function chat(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(args, { status: { type: 'string' } }, USAGE);
  const [action] = positionals;
  const api = new PincerApi(config);
  switch (action) {
    case 'pairings': {
      const { pairings } = await api.call(endpoints.listPairings, { query: { status: values.status } });
      say(
        pairings.length === 0
          ? 'no pairings: unknown chat senders get a code to show here'
          : table(
              ['CODE', 'PLATFORM', 'USER', 'NAME', 'STATUS', 'ASKED'],
              pairings.map((entry) => [
                entry.code,
                entry.platform,
                entry.userId,
                entry.name ?? '',
                entry.status,
                entry.createdAt,
              ]),
            ),
      );
      return 0;
    }
    case 'approve':
    case 'reject': {
      const code = required(positionals, 1, 'the pairing CODE', USAGE);
      const decided = await api.call(endpoints.decidePairing, {
        params: { code },
        body: { approved: action === 'approve' },
      });
      say(
        `${decided.status} ${decided.platform} user ${decided.userId}${decided.name ? ` (${decided.name})` : ''}`,
      );
      return 0;
    }
    default:
      throw usageError(USAGE);
  }
}
