import { freePort } from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordPeer } from '../peers/discord.ts';
import { until } from '../peers/http.ts';
import { SlackPeer } from '../peers/slack.ts';
import { type ChatTest, ECHO_WORKFLOW, startChatTest } from '../support/chat.ts';

const ALLOWED_SLACK = 'UALLOWED';
const ALLOWED_DISCORD = '1200000000000000002';

/**
 * Nothing lost, nothing doubled across a gateway crash (Slack's Events API retries; Discord's
 * RESUME of the session the gateway saved, which replays what was missed) and a dropped Discord
 * gateway connection. Telegram's and e-mail's crash tests live in their own suites.
 */
describe('Slack Events API: the gateway is killed while 100 events arrive', () => {
  let peer: SlackPeer;
  let chat: ChatTest;

  beforeAll(async () => {
    peer = await SlackPeer.start();
    // Slack's schedule (at once, 1 min, 5 min) shortened so the test takes a minute, not six.
    peer.eventDelivery = { timeoutMs: 3_000, retryDelaysMs: [0, 15_000, 60_000] };
    const webhookPort = await freePort();
    peer.eventsUrl = `http://127.0.0.1:${webhookPort}/slack/events`;
    chat = await startChatTest({
      webhookPort,
      slack: {
        botToken: peer.botToken,
        signingSecret: peer.signingSecret,
        apiUrl: peer.apiUrl,
        allowUsers: [ALLOWED_SLACK],
      },
    });
    await chat.engine.save(ECHO_WORKFLOW);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  const echoes = (channels: string[]) =>
    channels.flatMap((channel) =>
      peer
        .postsIn(channel)
        .flatMap((post) => (post.kind === 'message' && post.text?.startsWith('echo: ') ? [post.text] : [])),
    );

  it('answers every event exactly once after the restart, from Slack retries', async () => {
    const channels = Array.from({ length: 10 }, (_, index) => `C7${String(index).padStart(2, '0')}`);
    for (let round = 0; round < 10; round++) {
      for (const channel of channels)
        peer.userSends({ channel, user: ALLOWED_SLACK, text: `/run echo {"text": "s${channel}-${round}"}` });
      if (round === 4) {
        await until(() => (echoes(channels).length >= 5 ? true : undefined), 120_000, 'a few replies');
        await chat.killGateway();
      }
    }
    await chat.startGateway();
    await until(() => (echoes(channels).length >= 100 ? true : undefined), 180_000, '100 replies');
    // Every event answered 200 at last: nothing left to come again as a double.
    await until(() => (peer.undelivered() === 0 ? true : undefined), 120_000, 'every event delivered');
    const replies = echoes(channels);
    expect(replies).toHaveLength(100);
    expect(new Set(replies).size).toBe(100);
    expect(peer.givenUp).toEqual([]);
    // The crash was real: Slack had to retry events the dead gateway never answered.
    expect(peer.retries.some((retry) => retry.reason === 'connection_failed')).toBe(true);
    const runs = await chat.engine.db.run.count({
      where: { triggerKind: 'chat', input: { path: ['text'], string_starts_with: 'sC7' } },
    });
    expect(runs).toBe(100);
  }, 420_000);
});

describe('Discord: a dropped connection or a killed gateway loses nothing (RESUME)', () => {
  let peer: DiscordPeer;
  let chat: ChatTest;
  const CHANNEL = '1000000000000000710';
  /** The kill test's conversations, one per channel, so they run side by side. */
  const KILL_CHANNELS = Array.from(
    { length: 10 },
    (_, index) => `10000000000000008${String(index).padStart(2, '0')}`,
  );

  beforeAll(async () => {
    peer = await DiscordPeer.start({ guild: [CHANNEL, ...KILL_CHANNELS], direct: [] });
    chat = await startChatTest({
      discord: { token: peer.token, apiUrl: peer.apiUrl, allowUsers: [ALLOWED_DISCORD] },
    });
    await chat.engine.save(ECHO_WORKFLOW);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  it('answers messages sent while the connection was down, once each, without a new session', async () => {
    const echoes = () =>
      peer
        .sentTo(CHANNEL)
        .map((message) => message.content)
        .filter((text) => text.startsWith('echo: '));
    const send = (index: number) =>
      peer.userSends({
        channelId: CHANNEL,
        userId: ALLOWED_DISCORD,
        text: `/run echo {"text": "d${index}"}`,
      });
    for (let index = 0; index < 5; index++) send(index);
    await until(() => (echoes().length >= 1 ? true : undefined), 120_000, 'a first reply');
    const identified = peer.identifies.length;
    peer.dropConnections();
    for (let index = 5; index < 20; index++) send(index);
    await until(() => (echoes().length >= 20 ? true : undefined), 180_000, '20 replies');
    await until(() => (peer.connectedSessions() === 1 ? true : undefined), 60_000, 'the session back');
    const replies = echoes();
    expect(replies).toHaveLength(20);
    expect(new Set(replies).size).toBe(20);
    // The gateway resumed its session rather than starting a new one (which would miss events).
    expect(peer.identifies.length).toBe(identified);
  }, 300_000);

  it('answers every message exactly once after a kill -9, by resuming the session it saved', async () => {
    const echoes = () =>
      KILL_CHANNELS.flatMap((channel) =>
        peer
          .sentTo(channel)
          .map((message) => message.content)
          .filter((text) => text.startsWith('echo: ')),
      );
    const identified = peer.identifies.length;
    for (let round = 0; round < 10; round++) {
      for (const [index, channel] of KILL_CHANNELS.entries())
        peer.userSends({
          channelId: channel,
          userId: ALLOWED_DISCORD,
          text: `/run echo {"text": "k${index}-${round}"}`,
        });
      if (round === 4) {
        await until(() => (echoes().length >= 5 ? true : undefined), 120_000, 'a few replies');
        await chat.killGateway();
      }
    }
    await chat.startGateway();
    await until(() => (echoes().length >= 100 ? true : undefined), 180_000, '100 replies');
    const replies = echoes();
    expect(replies).toHaveLength(100);
    expect(new Set(replies).size).toBe(100);
    // The restarted gateway resumed the saved session: a new one (IDENTIFY) would not get the
    // messages sent while the gateway was down.
    expect(peer.identifies.length).toBe(identified);
    expect(peer.resumes.at(-1)?.resumed).toBe(true);
    const runs = await chat.engine.db.run.count({
      where: { triggerKind: 'chat', input: { path: ['text'], string_starts_with: 'k' } },
    });
    expect(runs).toBe(100);
  }, 420_000);

  it('starts a new session when Discord no longer keeps the saved one, and answers from then on', async () => {
    await chat.killGateway();
    peer.expireSessions();
    const identified = peer.identifies.length;
    await chat.startGateway();
    expect(peer.resumes.at(-1)?.resumed).toBe(false);
    expect(peer.identifies.length).toBe(identified + 1);
    peer.userSends({
      channelId: CHANNEL,
      userId: ALLOWED_DISCORD,
      text: '/run echo {"text": "after expiry"}',
    });
    await until(
      () =>
        peer.sentTo(CHANNEL).some((message) => message.content.includes('after expiry')) ? true : undefined,
      120_000,
      'the answer in the new session',
    );
  }, 300_000);
});
