import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordPeer } from '../peers/discord.ts';
import { until } from '../peers/http.ts';
import {
  type ChatTest,
  filesIn,
  saveChatWorkflows,
  startChatTest,
  TEST_MAX_ATTACHMENT_BYTES,
} from '../support/chat.ts';

const OWNER = '1200000000000000001';
const ALLOWED = '1200000000000000002';
const STRANGER = '1200000000000000003';

const CHANNELS = {
  echo: '1000000000000000700',
  ship: '1000000000000000701',
  report: '1000000000000000702',
  storm: '1000000000000000703',
  stranger: '1000000000000000704',
  files: '1000000000000000705',
  odd: '1000000000000000706',
  direct: '1000000000000000799',
};

describe('Discord: chat to workflows and back', () => {
  let peer: DiscordPeer;
  let chat: ChatTest;

  beforeAll(async () => {
    peer = await DiscordPeer.start({
      guild: [
        CHANNELS.echo,
        CHANNELS.ship,
        CHANNELS.report,
        CHANNELS.storm,
        CHANNELS.stranger,
        CHANNELS.files,
        CHANNELS.odd,
      ],
      direct: [CHANNELS.direct],
    });
    chat = await startChatTest({
      owners: [`discord:${OWNER}`],
      discord: { token: peer.token, apiUrl: peer.apiUrl, allowUsers: [ALLOWED] },
      maxAttachmentBytes: TEST_MAX_ATTACHMENT_BYTES,
    });
    await saveChatWorkflows(chat);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  const textsIn = (channelId: string) => peer.sentTo(channelId).map((message) => message.content);
  const waitForText = (channelId: string, pattern: RegExp) =>
    until(
      () => peer.sentTo(channelId).find((message) => pattern.test(message.content)),
      120_000,
      `a reply matching ${pattern} in channel ${channelId}`,
    );

  it('runs a workflow from /run and answers in the same channel, as a reply', async () => {
    const asked = peer.userSends({
      channelId: CHANNELS.echo,
      userId: ALLOWED,
      text: '/run echo {"text": "hello"}',
    });
    const answer = await waitForText(CHANNELS.echo, /^echo: echo hello$/);
    expect(answer.replyTo).toBe(asked);
    expect(textsIn(CHANNELS.echo).some((text) => /^Started echo/.test(text))).toBe(true);
    const runs = await chat.engine.db.run.findMany({ where: { triggerKind: 'chat' } });
    expect(runs.map((run) => run.actor)).toContain(`chat:discord:${ALLOWED}`);
    // The gateway asked for message text (a privileged intent) and ignored the bot's own messages,
    // which Discord sends it too: nothing answered them.
    expect(peer.identifies.every((identify) => identify.intents & (1 << 15))).toBe(true);
    expect(textsIn(CHANNELS.echo).some((text) => /pairing code/.test(text))).toBe(false);

    peer.userSends({ channelId: CHANNELS.direct, userId: ALLOWED, text: '/run echo {"text": "in private"}' });
    await waitForText(CHANNELS.direct, /^echo: echo in private$/);
  }, 180_000);

  it('asks for approval with buttons and a button press resumes the run', async () => {
    peer.userSends({ channelId: CHANNELS.ship, userId: ALLOWED, text: '/run ship' });
    const question = await waitForText(CHANNELS.ship, /waits for approval of confirm: Ship it\?/);
    const approve = question.buttons.find((button) => button.label === 'Approve');
    expect(approve).toBeDefined();
    expect(question.buttons.map((button) => button.label)).toContain('Reject');
    const pressed = peer.pressButton({
      channelId: CHANNELS.ship,
      userId: ALLOWED,
      customId: approve?.custom_id ?? '',
      messageId: question.messageId,
    });
    await waitForText(CHANNELS.ship, /^ship: shipped$/);
    // The press was acknowledged (a deferred update: the question stays as it was).
    const callback = await until(
      () => peer.callbacks.find((entry) => entry.interactionId === pressed),
      60_000,
      'the button press acknowledged',
    );
    expect(callback.type).toBe(6);
  }, 180_000);

  it('keeps an attached file in Pincer (from its CDN URL); too big a file is refused', async () => {
    const photo = randomBytes(3000);
    peer.userSends({
      channelId: CHANNELS.files,
      userId: ALLOWED,
      text: '/run files',
      attachment: { name: 'cat.png', contentType: 'image/png', data: photo },
    });
    const [kept] = await filesIn(chat, (await waitForText(CHANNELS.files, /^files: \S/)).content);
    expect(kept).toMatchObject({ name: 'cat.png', mediaType: 'image/png', data: photo });

    peer.userSends({
      channelId: CHANNELS.files,
      userId: ALLOWED,
      text: '/run files',
      attachment: {
        name: 'big.bin',
        contentType: 'application/octet-stream',
        data: randomBytes(TEST_MAX_ATTACHMENT_BYTES + 1),
      },
    });
    await waitForText(
      CHANNELS.files,
      /^Your file was not kept: "big\.bin" is 0\.1 MB; files sent by discord/,
    );
    await waitForText(CHANNELS.files, /^files: $/);
  }, 180_000);

  it('delivers a file as an attachment', async () => {
    peer.userSends({ channelId: CHANNELS.report, userId: OWNER, text: '/run report' });
    const delivered = await until(
      () => peer.sentTo(CHANNELS.report).find((message) => message.files.length > 0),
      120_000,
      'the report file',
    );
    expect(delivered.content).toBe('Here is the report');
    expect(delivered.files.map((file) => file.name)).toEqual(['report.csv']);
    expect(delivered.files[0]?.data.toString()).toBe('day,errors\nmonday,3\n');
  }, 180_000);

  it('rides out a 429 storm: replies are delayed, none lost or doubled', async () => {
    peer.rateLimit(6, 1);
    for (let index = 0; index < 3; index++)
      peer.userSends({
        channelId: CHANNELS.storm,
        userId: ALLOWED,
        text: `/run echo {"text": "storm ${index}"}`,
      });
    for (let index = 0; index < 3; index++)
      await waitForText(CHANNELS.storm, new RegExp(`^echo: echo storm ${index}$`));
    expect(peer.rateLimitHits).toBeGreaterThanOrEqual(6);
    const retried = await chat.engine.db.auditEvent.count({ where: { action: 'chat.delivery_retrying' } });
    expect(retried).toBeGreaterThanOrEqual(6);
    const replies = textsIn(CHANNELS.storm).filter((text) => text.startsWith('echo: '));
    expect(replies.sort()).toEqual(['echo: echo storm 0', 'echo: echo storm 1', 'echo: echo storm 2']);
  }, 180_000);

  it('gives a sender not allowed a pairing code and runs nothing', async () => {
    peer.userSends({
      channelId: CHANNELS.stranger,
      userId: STRANGER,
      text: '/run echo {"text": "let me in"}',
    });
    await waitForText(CHANNELS.stranger, /pairing code ([A-Z0-9]{8})/);
    expect(textsIn(CHANNELS.stranger).some((text) => text.startsWith('echo'))).toBe(false);
    const runs = await chat.engine.db.run.count({ where: { actor: `chat:discord:${STRANGER}` } });
    expect(runs).toBe(0);
  }, 180_000);

  it('answers unknown commands, odd unicode and over-long messages safely', async () => {
    const send = (text: string) => peer.userSends({ channelId: CHANNELS.odd, userId: ALLOWED, text });
    send('/frobnicate now');
    await waitForText(CHANNELS.odd, /^Unknown command \/frobnicate\. Commands:/);
    const odd = 'z\u0000a\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \uD800 \u202Eevil';
    send(`/run echo ${JSON.stringify({ text: odd })}`);
    const echoed = await waitForText(CHANNELS.odd, /^echo: echo z/);
    expect(echoed.content).toBe(
      'echo: echo za\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \uFFFD \u202Eevil',
    );
    // Far beyond Discord's 4,000 characters: Pincer reads the beginning and says so.
    send(`/run echo ${'x'.repeat(10 * 1024 * 1024)}`);
    await waitForText(CHANNELS.odd, /The input after \/run echo is not JSON|read only its beginning/);
    send('/run nosuch');
    await waitForText(CHANNELS.odd, /There is no workflow "nosuch"\. You can run: echo, files, report, ship/);
  }, 180_000);
});
