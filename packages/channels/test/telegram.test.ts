import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '@pincer/testing/peers/http';
import { TelegramPeer } from '@pincer/testing/peers/telegram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../src/index.ts';
import { startWebhookServer, TelegramReceiver } from '../src/index.ts';

/** Serves a receiver's webhook routes as the gateway does. */
async function serveRoutes(receiver: TelegramReceiver): Promise<{ server: Server; url: string }> {
  const server = await startWebhookServer(receiver.routes(), '127.0.0.1', 0, () => undefined);
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/telegram/webhook` };
}

describe('Telegram adapter', () => {
  let peer: TelegramPeer;

  beforeAll(async () => {
    peer = await TelegramPeer.start();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('reports a refused token in its health and waits minutes, not a tight loop', async () => {
    const receiver = new TelegramReceiver({ token: '999:wrong', apiRoot: peer.apiRoot, mode: 'polling' });
    await receiver.start(async () => undefined);
    const health = await until(() => {
      const current = receiver.health();
      return current.state === 'refused' ? current : undefined;
    });
    expect(health.error).toMatch(/Telegram refused the bot token \(401/);
    expect(health.error).not.toContain('999:wrong');
    expect(health.retryInMs).toBeGreaterThan(60_000);
    await receiver.stop();
  });

  it('takes webhook updates only with the secret token, and answers 200 only after the hand-over', async () => {
    const events: InboundEvent[] = [];
    const secret = 's3cret-s3cret-s3cret';
    const receiver = new TelegramReceiver({
      token: peer.token,
      apiRoot: peer.apiRoot,
      mode: 'webhook',
      webhookSecret: secret,
    });
    const { server, url } = await serveRoutes(receiver);
    const withUrl = new TelegramReceiver({
      token: peer.token,
      apiRoot: peer.apiRoot,
      mode: 'webhook',
      webhookSecret: secret,
      webhookUrl: url,
    });
    // The served receiver and the one registering the webhook share the sink.
    let failFirst = true;
    const sink = async (event: InboundEvent) => {
      if (failFirst) {
        failFirst = false;
        throw new Error('Temporal is down');
      }
      events.push(event);
    };
    await receiver.start(sink);
    await withUrl.start(sink);
    try {
      const forged = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': 'wrong-wrong-wrong-wrong',
        },
        body: JSON.stringify({
          update_id: 1,
          message: {
            message_id: 1,
            date: 0,
            chat: { id: 5, type: 'private' },
            from: { id: 5, is_bot: false, first_name: 'x' },
            text: '/run evil',
          },
        }),
      });
      expect(forged.status).toBe(401);
      const missing = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(missing.status).toBe(401);

      await until(() => (withUrl.health().state === 'connected' ? true : undefined));
      peer.userSends({ chatId: 7, userId: 8, text: 'hello over the webhook' });
      const event = await until(() => events[0]);
      expect(event.kind === 'message' && event.message.content.text).toBe('hello over the webhook');
      // The first hand-over failed: Telegram got no 200 and sent the update again.
      await until(() => (peer.pendingUpdates() === 0 ? true : undefined));
      expect(
        events.filter(
          (entry) => entry.kind === 'message' && entry.message.content.text === 'hello over the webhook',
        ),
      ).toHaveLength(1);
    } finally {
      await withUrl.stop();
      await receiver.stop();
      server.close();
    }
  });
});
