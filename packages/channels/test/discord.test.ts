import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DiscordPeer } from '@pincer/testing/peers/discord';
import { until } from '@pincer/testing/peers/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelError,
  DiscordReceiver,
  DiscordSender,
  type InboundEvent,
  OutboundMessageSchema,
  replyTarget,
} from '../src/index.ts';

const CHANNEL = '1000000000000000800';
const THREAD = '1000000000000000801';
const USER = '1200000000000000002';

/** Calls `send` again after each rate limit's wait, as the outbox's retries do. */
async function retryAfterWait<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ChannelError) || error.code !== 'rate_limited' || attempt > 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
    }
  }
}

describe('Discord adapter', () => {
  let peer: DiscordPeer;

  beforeAll(async () => {
    peer = await DiscordPeer.start({ guild: [CHANNEL], threads: { [THREAD]: CHANNEL } });
  });
  afterAll(async () => {
    await peer.close();
  });

  it('reports a refused token in its health and waits minutes, not a tight loop', async () => {
    const receiver = new DiscordReceiver({ token: 'wrong.token.value', apiUrl: peer.apiUrl });
    await receiver.start(async () => undefined);
    const health = await until(() => {
      const current = receiver.health();
      return current.state === 'refused' ? current : undefined;
    });
    expect(health.error).toMatch(/Discord refused the bot token \(401\)/);
    expect(health.error).not.toContain('wrong.token.value');
    expect(health.retryInMs).toBeGreaterThan(60_000);
    await receiver.stop();
  });

  it('hands messages over in order, acknowledges a button press only after, and resumes a dropped connection without loss', async () => {
    const events: InboundEvent[] = [];
    let release: () => void = () => undefined;
    let gate: Promise<void> | undefined;
    let waiting = false;
    const receiver = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl });
    await receiver.start(async (event) => {
      if (gate) {
        waiting = true;
        await gate;
      }
      events.push(event);
    });
    await until(() => (receiver.health().state === 'connected' ? true : undefined), 60_000, 'connected');

    const first = peer.userSends({ channelId: CHANNEL, userId: USER, text: 'hello 🦀' });
    await until(() => (events.length === 1 ? true : undefined), 60_000, 'the first message');
    const message = events[0];
    expect(message?.kind).toBe('message');
    if (message?.kind !== 'message') return;
    expect(message.message.content.text).toBe('hello 🦀');
    expect(message.message.sender).toMatchObject({ platform: 'discord', user_id: USER });
    expect(message.message.platform_ids).toMatchObject({
      message_id: first,
      chat_id: CHANNEL,
      reply_to: first,
    });
    expect(message.message.session_id).toBe(`discord:${CHANNEL}`);

    // A button press: Temporal is slow; Discord hears nothing until the hand-over is done.
    const sender = new DiscordSender({ token: peer.token, apiUrl: peer.apiUrl });
    const { messageId } = await sender.send(
      OutboundMessageSchema.parse({
        platform: 'discord',
        chat_id: CHANNEL,
        text: 'Approve?',
        buttons: [{ label: 'Approve', data: 'approve:1' }],
      }),
      [],
    );
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const pressed = peer.pressButton({
      channelId: CHANNEL,
      userId: USER,
      customId: 'approve:1',
      messageId: messageId.split(':')[1] ?? '',
    });
    await until(() => (waiting ? true : undefined), 60_000, 'the press reaching the sink');
    expect(peer.callbacks.some((callback) => callback.interactionId === pressed)).toBe(false);
    release();
    gate = undefined;
    await until(
      () => peer.callbacks.find((callback) => callback.interactionId === pressed),
      60_000,
      'the ack',
    );
    const action = events[1];
    expect(action?.kind === 'action' ? action.action.data : undefined).toBe('approve:1');

    // The connection drops; what was sent meanwhile is replayed on resume, once.
    peer.dropConnections();
    const during = peer.userSends({ channelId: CHANNEL, userId: USER, text: 'while away' });
    await until(() => (events.length === 3 ? true : undefined), 90_000, 'the message sent while away');
    const replayed = events[2];
    expect(replayed?.kind === 'message' ? replayed.message.platform_ids.message_id : undefined).toBe(during);
    await until(
      () => (receiver.health().state === 'connected' ? true : undefined),
      60_000,
      'connected again',
    );
    peer.userSends({ channelId: CHANNEL, userId: USER, text: 'after' });
    await until(() => (events.length === 4 ? true : undefined), 60_000, 'the message after');
    // The bot's own message (the question) came over the gateway too, and was not handed over.
    expect(
      events
        .filter((event) => event.kind === 'message')
        .map((event) => event.kind === 'message' && event.message.content.text),
    ).toEqual(['hello 🦀', 'while away', 'after']);
    await receiver.stop();
    expect(receiver.health().state).toBe('stopped');
  }, 180_000);

  it('says in its health when Discord refuses the Message Content intent', async () => {
    peer.messageContentAllowed = false;
    const receiver = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl });
    try {
      await receiver.start(async () => undefined);
      const health = await until(
        () => {
          const current = receiver.health();
          return current.state === 'refused' ? current : undefined;
        },
        60_000,
        'refused',
      );
      expect(health.error).toMatch(/Message Content intent/);
    } finally {
      peer.messageContentAllowed = true;
      await receiver.stop();
    }
  });

  it('keeps a thread its own conversation and answers in the thread', async () => {
    const events: InboundEvent[] = [];
    const receiver = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl });
    await receiver.start(async (event) => {
      events.push(event);
    });
    try {
      await until(() => (receiver.health().state === 'connected' ? true : undefined), 60_000, 'connected');
      const asked = peer.userSends({ channelId: THREAD, userId: USER, text: 'in a thread' });
      const event = await until(() => events[0], 60_000, 'the thread message');
      if (event.kind !== 'message') throw new Error('expected a message');
      expect(event.message.session_id).toBe(`discord:${CHANNEL}:${THREAD}`);
      expect(event.message.platform_ids).toMatchObject({
        chat_id: CHANNEL,
        thread_id: THREAD,
        reply_to: asked,
      });
      const sender = new DiscordSender({ token: peer.token, apiUrl: peer.apiUrl });
      await sender.send(OutboundMessageSchema.parse({ ...replyTarget(event.message), text: 'answer' }), []);
      expect(peer.sentTo(THREAD).map((sent) => [sent.content, sent.replyTo])).toEqual([['answer', asked]]);
      expect(peer.sentTo(CHANNEL).some((sent) => sent.content === 'answer')).toBe(false);
    } finally {
      await receiver.stop();
    }
  });

  it('resumes the session an earlier receiver saved: what arrived meanwhile comes, in its thread', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pincer-discord-'));
    const sessionFile = path.join(dir, 'gateway', 'discord-session.json');
    const events: InboundEvent[] = [];
    const sink = async (event: InboundEvent) => {
      events.push(event);
    };
    try {
      const first = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl, sessionFile });
      await first.start(sink);
      await until(() => (first.health().state === 'connected' ? true : undefined), 60_000, 'connected');
      peer.userSends({ channelId: CHANNEL, userId: USER, text: 'before' });
      await until(() => (events.length === 1 ? true : undefined), 60_000, 'the first message');
      await first.stop();
      expect(JSON.parse(await readFile(sessionFile, 'utf8'))).toMatchObject({
        sessionId: expect.any(String),
        threads: { [THREAD]: CHANNEL },
      });

      const identified = peer.identifies.length;
      const away = peer.userSends({ channelId: THREAD, userId: USER, text: 'while stopped' });
      const second = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl, sessionFile });
      await second.start(sink);
      try {
        const replayed = await until(() => events[1], 60_000, 'the message sent while stopped');
        if (replayed.kind !== 'message') throw new Error('expected a message');
        expect(replayed.message.platform_ids).toMatchObject({
          message_id: away,
          chat_id: CHANNEL,
          thread_id: THREAD,
        });
        await until(() => (second.health().state === 'connected' ? true : undefined), 60_000, 'resumed');
        // Resumed, not a new session; what the first receiver handed over did not come again.
        expect(peer.identifies.length).toBe(identified);
        expect(peer.resumes.at(-1)?.resumed).toBe(true);
        expect(events).toHaveLength(2);
      } finally {
        await second.stop();
      }

      // A file that cannot be read: a new session, said in the log rather than failing.
      await writeFile(sessionFile, 'not json');
      const third = new DiscordReceiver({ token: peer.token, apiUrl: peer.apiUrl, sessionFile });
      await third.start(sink);
      try {
        await until(() => (third.health().state === 'connected' ? true : undefined), 60_000, 'connected');
        expect(peer.identifies.length).toBe(identified + 1);
      } finally {
        await third.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('sends long text in parts of 2000, as replies, and a retry skips the parts delivered', async () => {
    const sender = new DiscordSender({ token: peer.token, apiUrl: peer.apiUrl });
    const text = `${'a'.repeat(1999)}🦀${'b'.repeat(2500)}`;
    const before = peer.sentTo(CHANNEL).length;
    const asked = peer.userSends({ channelId: CHANNEL, userId: USER, text: 'long please' });
    const message = OutboundMessageSchema.parse({
      platform: 'discord',
      chat_id: CHANNEL,
      reply_to: asked,
      text,
    });
    let progress = { done: 0, lastId: '' };
    const tracker = {
      get done() {
        return progress.done;
      },
      get lastId() {
        return progress.lastId;
      },
      onPart(done: number, lastId: string) {
        progress = { done, lastId };
      },
    };
    // The first attempt delivers one part, then Discord says 429.
    peer.rateLimit(1, 1, 1);
    const failed = await sender.send(message, [], tracker).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'rate_limited' });
    expect(progress.done).toBe(1);
    // Tried again after Discord's wait, as the outbox does.
    const sentParts = await retryAfterWait(() => sender.send(message, [], tracker));
    expect(sentParts.messageId).toMatch(new RegExp(`^${CHANNEL}:\\d+$`));
    const parts = peer.sentTo(CHANNEL).slice(before);
    expect(parts.map((part) => part.content.length)).toEqual([1999, 2000, 502]);
    expect(parts.map((part) => part.content).join('')).toBe(text);
    expect(parts.every((part) => part.replyTo === asked)).toBe(true);
    // The same send again with its progress: nothing goes twice.
    await sender.send(message, [], tracker);
    expect(peer.sentTo(CHANNEL).slice(before)).toHaveLength(3);
  });

  it('turns a 429 into a rate_limited error with Discord’s wait, and an unknown channel into rejected', async () => {
    const sender = new DiscordSender({ token: peer.token, apiUrl: peer.apiUrl });
    peer.rateLimit(1, 2);
    const limited = await sender
      .send(OutboundMessageSchema.parse({ platform: 'discord', chat_id: CHANNEL, text: 'hi' }), [])
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(ChannelError);
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true });
    expect((limited as ChannelError).retryAfterMs).toBeGreaterThanOrEqual(2000);
    const unknown = await sender
      .send(OutboundMessageSchema.parse({ platform: 'discord', chat_id: '42', text: 'hi' }), [])
      .catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: 'rejected', retryable: false });
    expect(String((unknown as Error).message)).toMatch(/Unknown Channel/);
  });
});
