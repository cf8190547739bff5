import { CHANNEL_SETTINGS, ConfigSchema, channelSummaries, ENV_BINDINGS, PLATFORMS } from '@pincer/config';
import { message } from '@pincer/nodes';
import { DiscordPeer } from '@pincer/testing/peers/discord';
import { SlackPeer } from '@pincer/testing/peers/slack';
import { TelegramPeer } from '@pincer/testing/peers/telegram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelSender,
  OutboundMessageSchema,
  type Platform,
  receiversFromConfig,
  sendersFromConfig,
  splitText,
} from '../src/index.ts';

/** A `channels` section with every platform configured. */
const everyChannel = {
  telegram: { token: '1:x' },
  slack: { botToken: 'xoxb-1', signingSecret: 'secret' },
  discord: { token: 'discord' },
  email: {
    address: 'pincer@example.org',
    imap: { host: 'imap.example.org', port: 993, user: 'pincer', password: 'secret' },
    smtp: { host: 'smtp.example.org', port: 465 },
  },
} satisfies Record<Platform, unknown>;

describe('the channel table', () => {
  const channels = ConfigSchema.parse({ channels: everyChannel }).channels;

  it('is the one list of platforms: config, env, message node, senders, receivers and studio agree', () => {
    expect(PLATFORMS).toEqual(Object.keys(CHANNEL_SETTINGS));
    expect(message.config.shape.platform.options).toEqual(PLATFORMS);
    expect(OutboundMessageSchema.shape.platform.options).toEqual(PLATFORMS);
    const sectionKeys = Object.keys(ConfigSchema.shape.channels.unwrap().shape);
    expect(sectionKeys.filter((key) => key in CHANNEL_SETTINGS)).toEqual(PLATFORMS);
    expect(sendersFromConfig(channels).map((sender) => sender.platform)).toEqual(PLATFORMS);
    const receivers = receiversFromConfig(channels, () => undefined);
    expect(receivers.map((receiver) => receiver.platform)).toEqual(PLATFORMS);
    expect(receivers.map((receiver) => receiver.health().state)).toEqual(PLATFORMS.map(() => 'starting'));
    expect(channelSummaries(channels)).toEqual([
      { platform: 'telegram', summary: 'polling mode' },
      { platform: 'slack', summary: 'Events API' },
      { platform: 'discord', summary: 'gateway connection' },
      { platform: 'email', summary: 'pincer@example.org (IMAP imap.example.org)' },
    ]);
  });

  it('binds every channel variable to a key its section has', () => {
    const channelVariables = Object.entries(ENV_BINDINGS).filter(
      ([, binding]) => binding.path[0] === 'channels' && binding.path.length === 3,
    );
    expect(channelVariables.map(([name]) => name).sort()).toEqual([
      'PINCER_DISCORD_TOKEN',
      'PINCER_SLACK_APP_TOKEN',
      'PINCER_SLACK_BOT_TOKEN',
      'PINCER_SLACK_SIGNING_SECRET',
      'PINCER_TELEGRAM_TOKEN',
    ]);
    for (const [name, binding] of channelVariables) {
      const [, platform, key] = binding.path as [string, Platform, string];
      // The sections are strict: a variable bound to a key they do not have would be refused here.
      const section = { ...everyChannel[platform], [key]: `${name}-value` };
      const parsed = ConfigSchema.parse({ channels: { ...everyChannel, [platform]: section } });
      expect(parsed.channels[platform], name).toMatchObject({ [key]: `${name}-value` });
    }
  });
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text whose emoji (a surrogate pair) straddles the cut at `limit`. */
function emojiAtCut(limit: number): string {
  return `${'x'.repeat(limit - 1)}🦀${'y'.repeat(10)}`;
}

function expectWellFormedParts(parts: string[], text: string, limit: number) {
  expect(parts.join('')).toBe(text);
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(limit);
    expect(part).not.toMatch(LONE_SURROGATE);
  }
}

describe('splitting long text', () => {
  it("never cuts an emoji in half at any platform's limit", () => {
    const channels = ConfigSchema.parse({ channels: everyChannel }).channels;
    const limited = sendersFromConfig(channels).filter(
      (sender): sender is ChannelSender & { textLimit: number } => sender.textLimit !== undefined,
    );
    expect(limited.map((sender) => sender.platform)).toEqual(['telegram', 'slack', 'discord']);
    for (const { textLimit } of limited) {
      const text = emojiAtCut(textLimit);
      const parts = splitText(text, textLimit);
      expect(parts[0]).toBe('x'.repeat(textLimit - 1));
      expectWellFormedParts(parts, text, textLimit);
    }
    expect(splitText('', 4)).toEqual([]);
  });

  describe('as the platforms receive it', () => {
    let telegram: TelegramPeer;
    let slack: SlackPeer;
    let discord: DiscordPeer;
    const DISCORD_CHANNEL = '1000000000000000800';
    beforeAll(async () => {
      [telegram, slack, discord] = await Promise.all([
        TelegramPeer.start(),
        SlackPeer.start(),
        DiscordPeer.start({ guild: [DISCORD_CHANNEL] }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([telegram.close(), slack.close(), discord.close()]);
    });

    it('sends every part well-formed on Telegram, Slack and Discord', async () => {
      const [telegramSender, slackSender, discordSender] = sendersFromConfig(
        ConfigSchema.parse({
          channels: {
            telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
            slack: { botToken: slack.botToken, signingSecret: 'secret', apiUrl: slack.apiUrl },
            discord: { token: discord.token, apiUrl: discord.apiUrl },
          },
        }).channels,
      );
      const send = (sender: ChannelSender | undefined, chat: string, text: string) =>
        sender?.send(OutboundMessageSchema.parse({ platform: sender.platform, chat_id: chat, text }), []);

      const telegramText = emojiAtCut(4096);
      await send(telegramSender, '42', telegramText);
      expectWellFormedParts(
        telegram.sent.map((sent) => sent.text ?? ''),
        telegramText,
        4096,
      );
      const slackText = emojiAtCut(3000);
      await send(slackSender, 'C1', slackText);
      expectWellFormedParts(
        slack.postsIn('C1').map((post) => post.text ?? ''),
        slackText,
        3000,
      );
      const discordText = emojiAtCut(2000);
      await send(discordSender, DISCORD_CHANNEL, discordText);
      expectWellFormedParts(
        discord.sentTo(DISCORD_CHANNEL).map((sent) => sent.content),
        discordText,
        2000,
      );
    });
  });
});
