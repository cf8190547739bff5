import type { Server } from 'node:http';
import { receiversFromConfig, startWebhookServer } from '@pincer/channels';
import { loadConfig } from '@pincer/config';
import { closeServer, createLogger, onShutdown, startHealthServer } from '@pincer/runtime';
import { Client, Connection } from '@temporalio/client';
import { temporalSink } from './handoff.ts';

/**
 * The chat gateway: long-lived connections to the chat platforms. Every inbound message is handed
 * to its conversation workflow on Temporal before the platform is acknowledged.
 */
const log = createLogger('gateway');
const config = loadConfig();
const address = config.temporal.address;
if (!address) {
  log.fatal('TEMPORAL_ADDRESS must be set: start the gateway through `npm start`, or set it');
  process.exit(1);
}

const receivers = receiversFromConfig(
  config.channels,
  (level, fields, message) => log[level](fields, message),
  { dataDir: config.dataDir },
);
// Lazy: the gateway comes up while Temporal is down; hand-overs retry until it is back.
const connection = Connection.lazy({ address });
const client = new Client({ connection, namespace: config.temporal.namespace });
const sink = temporalSink(client);

const routes = receivers.flatMap((receiver) => receiver.routes?.() ?? []);
let webhooks: Server | undefined;
if (routes.length > 0)
  webhooks = await startWebhookServer(
    routes,
    config.channels.webhookHost,
    config.channels.webhookPort,
    (path, error) =>
      log.error({ path, err: error }, 'platform callback not accepted; the platform will send it again'),
  );
for (const receiver of receivers) await receiver.start(sink);

const health = await startHealthServer(config.gateway.healthPort, config.gateway.healthHost, () => {
  const channels = receivers.map((receiver) => receiver.health());
  return {
    status: channels.every((channel) => channel.state === 'connected') ? 'ok' : 'failing',
    channels,
  };
});
log.info(
  {
    healthPort: config.gateway.healthPort,
    channels: receivers.map((receiver) => receiver.platform),
    ...(webhooks ? { webhookPort: config.channels.webhookPort } : {}),
  },
  receivers.length > 0 ? 'gateway ready' : 'gateway ready (no channels configured)',
);

onShutdown(log, async () => {
  for (const receiver of receivers) await receiver.stop();
  if (webhooks) await closeServer(webhooks);
  await closeServer(health);
  await connection.close();
});
