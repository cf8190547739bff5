import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { PincerApi } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, usageError } from './args.ts';

const USAGE = 'pincer hook rotate ID|URL';

/** The webhook id from its id or its URL (`…/api/v1/hooks/<id>`, as `workflow import` prints it). */
function webhookId(given: string): string {
  const id = given.match(/\/hooks\/([^/?#]+)\/?(?:[?#].*)?$/)?.[1] ?? given;
  if (!/^[0-9a-f-]{36}$/i.test(id))
    throw usageError(
      `"${given}" is neither a webhook id nor its URL: give the id or URL that \`pincer workflow import\` or the studio's Triggers page shows. Usage: ${USAGE}`,
    );
  return id;
}

/** `pincer hook rotate`: give a webhook a new secret; the old one stops working at once. */
export async function hook(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals } = parseCommand(args, {}, USAGE);
  const [action] = positionals;
  if (action !== 'rotate') throw usageError(USAGE);
  const id = webhookId(required(positionals, 1, 'the webhook ID or URL', USAGE));
  const api = new PincerApi(config);
  const rotated = await api.call(endpoints.rotateWebhookSecret, { params: { id } });
  say(`new secret for ${rotated.url} (shown once; the old one no longer works):`);
  say(`  ${rotated.secret}`);
  say('send it as header X-Pincer-Secret');
  return 0;
}
