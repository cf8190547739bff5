import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '@pincer/testing/peers/http';
import { SlackPeer } from '@pincer/testing/peers/slack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InboundEvent,
  normalizeSlackEvent,
  SLACK_EVENTS_PATH,
  SlackReceiver,
  SlackSender,
  startWebhookServer,
} from '../src/index.ts';

async function serveRoutes(receiver: SlackReceiver): Promise<{ server: Server; url: string }> {
  const server = await startWebhookServer(receiver.routes(), '127.0.0.1', 0, () => undefined);
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}` };
}

function textOf(event: InboundEvent | undefined): string | undefined {
  return event?.kind === 'message' ? event.message.content.text : undefined;
}

describe('Slack adapter', () => {
  let peer: SlackPeer;

  beforeAll(async () => {
    peer = await SlackPeer.start();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('reads what people write: mentions dropped, entities unescaped; bots, edits and joins ignored', () => {
    const now = new Date();
    const base = { type: 'message', channel: 'C1', user: 'U1', ts: '1.000001' };
    const mention = normalizeSlackEvent(
      { ...base, text: '<@UPINCER> /run echo {"a": "x &lt; y &amp; z"}' },
      now,
    );
    expect(textOf(mention ?? undefined)).toBe('/run echo {"a": "x < y & z"}');
    expect(mention?.kind === 'message' && mention.message.platform_ids.message_id).toBe('C1:1.000001');
    expect(normalizeSlackEvent({ ...base, bot_id: 'B1', text: 'echo' }, now)).toBeNull();
    expect(normalizeSlackEvent({ ...base, user: 'UPINCER', text: 'mine' }, now, 'UPINCER')).toBeNull();
    expect(normalizeSlackEvent({ ...base, subtype: 'message_changed', text: 'edit' }, now)).toBeNull();
    expect(normalizeSlackEvent({ ...base, subtype: 'channel_join', text: 'joined' }, now)).toBeNull();
    const threaded = normalizeSlackEvent({ ...base, text: 'hi', thread_ts: '0.5' }, now);
    expect(threaded?.kind === 'message' && threaded.message.session_id).toBe('slack:C1:0.5');
  });

  it('reports a refused token in its health without the token, and waits minutes', async () => {
    const receiver = new SlackReceiver({
      botToken: 'xoxb-wrong-token',
      signingSecret: peer.signingSecret,
      apiUrl: peer.apiUrl,
      mode: 'events',
    });
    await receiver.start(async () => undefined);
    const health = await until(() => {
      const current = receiver.health();
      return current.state === 'refused' ? current : undefined;
    });
    expect(health.error).toMatch(/Slack refused the token \(invalid_auth\)/);
    expect(health.error).not.toContain('xoxb-wrong-token');
    expect(health.retryInMs).toBeGreaterThan(60_000);
    await receiver.stop();
  });

  it('answers the Events API 200 only after the hand-over; Slack retries what failed, handled once', async () => {
    const events: InboundEvent[] = [];
    let failures = 1;
    const receiver = new SlackReceiver({
      botToken: peer.botToken,
      signingSecret: peer.signingSecret,
      apiUrl: peer.apiUrl,
      mode: 'events',
    });
    await receiver.start(async (event) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('Temporal is down');
      }
      events.push(event);
    });
    const { server, url } = await serveRoutes(receiver);
    peer.transport = 'events';
    peer.eventsUrl = url;
    const answered = peer.eventAnswers.length;
    peer.userSends({ channel: 'C9', user: 'U1', text: 'hello &amp; <welcome>' });
    await until(() => (peer.undelivered() === 0 ? true : undefined), 60_000, 'the event accepted');
    expect(peer.eventAnswers.slice(answered)).toEqual([503, 200]);
    expect(events.map(textOf)).toEqual(['hello &amp; <welcome>']);
    peer.slashCommand({ channel: 'C9', user: 'U1', command: '/run', text: 'echo {"a": 1}' });
    await until(() => (events.length === 2 ? true : undefined), 60_000, 'the slash command');
    expect(textOf(events[1])).toBe('/run echo {"a": 1}');
    peer.eventsUrl = undefined;
    await receiver.stop();
    server.close();
  });

  it('acknowledges a Socket Mode envelope only after the hand-over, and reconnects when asked', async () => {
    const events: InboundEvent[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    peer.transport = 'socket';
    const receiver = new SlackReceiver({
      botToken: peer.botToken,
      appToken: peer.appToken,
      apiUrl: peer.apiUrl,
      mode: 'socket',
    });
    await receiver.start(async (event) => {
      events.push(event);
      await gate;
    });
    await until(() => (receiver.health().state === 'connected' ? true : undefined), 60_000, 'connected');
    peer.userSends({ channel: 'C8', user: 'U1', text: 'over the socket' });
    await until(() => (events.length === 1 ? true : undefined), 60_000, 'the hand-over begun');
    expect(peer.undelivered()).toBe(1);
    release();
    await until(() => (peer.undelivered() === 0 ? true : undefined), 60_000, 'the envelope acknowledged');

    const opened = peer.calls.filter((call) => call.method === 'apps.connections.open').length;
    peer.requestReconnect();
    await until(
      () =>
        peer.calls.filter((call) => call.method === 'apps.connections.open').length > opened
          ? true
          : undefined,
      60_000,
      'a new connection',
    );
    peer.userSends({ channel: 'C8', user: 'U1', text: 'after reconnecting' });
    await until(() => (events.length === 2 ? true : undefined), 60_000, 'the message after reconnecting');
    expect(textOf(events[1])).toBe('after reconnecting');
    expect(receiver.health().received).toBe(2);
    await receiver.stop();
    expect(receiver.health().state).toBe('stopped');
  });

  it('sends into the thread, splits long text, and turns a 429 into a rate_limited error with Retry-After', async () => {
    const sender = new SlackSender({ botToken: peer.botToken, apiUrl: peer.apiUrl });
    const message = {
      platform: 'slack' as const,
      chat_id: 'C7',
      thread_id: '1.5',
      text: 'x'.repeat(4000),
      files: [],
      buttons: [],
    };
    const delivered: number[] = [];
    await sender.send(message, [], { done: 0, onPart: (done) => delivered.push(done) });
    const posts = peer.postsIn('C7');
    expect(posts.map((post) => post.text?.length)).toEqual([3000, 1000]);
    expect(posts.every((post) => post.threadTs === '1.5')).toBe(true);
    expect(delivered).toEqual([1, 2]);

    peer.rateLimit(1, 7);
    await expect(sender.send({ ...message, text: 'later' }, [])).rejects.toMatchObject({
      name: 'ChannelError',
      code: 'rate_limited',
      retryAfterMs: 7000,
    });
    await expect(sender.send({ ...message, chat_id: '' }, [])).rejects.toMatchObject({ code: 'rejected' });
  });
});
