import { loadConfig } from '@pincer/config';
import { closeServer, createLogger, onShutdown, startHealthServer } from '@pincer/runtime';

/**
 * The chat gateway: long-lived connections to Telegram, Slack, Discord and IMAP that hand every
 * inbound message to Temporal durably. Channel adapters arrive with packages/channels; until then
 * the process runs, reports its health and holds no connections.
 */
const log = createLogger('gateway');
const config = loadConfig();

const channels: string[] = [];
const health = await startHealthServer(config.gateway.healthPort, config.gateway.healthHost, () => ({
  status: 'ok',
  channels,
}));
log.info({ healthPort: config.gateway.healthPort, channels }, 'gateway ready (no channels configured)');

onShutdown(log, async () => {
  await closeServer(health);
});
