// The ceiling of the webhook benchmark: the order's transform and condition inline in a plain
// node:http server, nothing durable. Started by run.ts as `node --import tsx bench/engine/bare-server.ts`.
import { createServer } from 'node:http';
import { portArgument, readJson, sendError, sendJson, serve } from './http-server.ts';
import { approve, parseOrder, price, reply } from './order.ts';

const server = createServer((request, response) => {
  readJson(request)
    .then((body) => {
      const priced = price(parseOrder(body));
      sendJson(response, 200, reply(priced, approve(priced)));
    })
    .catch((error: unknown) => sendError(response, error));
});

serve(server, portArgument(), 'bare server', async () => {});
