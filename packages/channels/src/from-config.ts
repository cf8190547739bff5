import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import type { AdapterLog, ChannelReceiver, ChannelSender } from './adapter.ts';

export type { AdapterLog } from './adapter.ts';

import { DiscordReceiver, DiscordSender } from './discord.ts';
import { EmailReceiver, EmailSender } from './email.ts';
import { SlackReceiver, SlackSender } from './slack.ts';
import { TelegramReceiver, TelegramSender } from './telegram.ts';

export type ChannelsConfig = PincerConfig['channels'];

/** The sending side of every configured platform (the worker's outbox and `message` steps). */
export function sendersFromConfig(channels: ChannelsConfig): ChannelSender[] {
  const senders: ChannelSender[] = [];
  if (channels.telegram)
    senders.push(
      new TelegramSender({
        token: channels.telegram.token,
        ...(channels.telegram.apiRoot ? { apiRoot: channels.telegram.apiRoot } : {}),
      }),
    );
  if (channels.slack)
    senders.push(
      new SlackSender({
        botToken: channels.slack.botToken,
        ...(channels.slack.apiUrl ? { apiUrl: channels.slack.apiUrl } : {}),
      }),
    );
  if (channels.email)
    senders.push(
      new EmailSender({
        address: channels.email.address,
        smtp: channels.email.smtp,
        imap: channels.email.imap,
      }),
    );
  if (channels.discord)
    senders.push(
      new DiscordSender({
        token: channels.discord.token,
        ...(channels.discord.apiUrl ? { apiUrl: channels.discord.apiUrl } : {}),
      }),
    );
  return senders;
}

/**
 * The receiving side of every configured platform (the gateway). With `dataDir`, state a restart
 * needs (Discord's gateway session) is kept under dataDir/gateway.
 */
export function receiversFromConfig(
  channels: ChannelsConfig,
  log: AdapterLog,
  options: { dataDir?: string } = {},
): ChannelReceiver[] {
  const receivers: ChannelReceiver[] = [];
  const telegram = channels.telegram;
  if (telegram)
    receivers.push(
      new TelegramReceiver({
        token: telegram.token,
        mode: telegram.mode,
        ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}),
        ...(telegram.webhookSecret ? { webhookSecret: telegram.webhookSecret } : {}),
        ...(telegram.webhookUrl ? { webhookUrl: telegram.webhookUrl } : {}),
        log,
      }),
    );
  const slack = channels.slack;
  if (slack)
    receivers.push(
      new SlackReceiver({
        botToken: slack.botToken,
        mode: slack.mode,
        ...(slack.signingSecret ? { signingSecret: slack.signingSecret } : {}),
        ...(slack.appToken ? { appToken: slack.appToken } : {}),
        ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
        log,
      }),
    );
  const email = channels.email;
  if (email)
    receivers.push(
      new EmailReceiver({
        address: email.address,
        imap: email.imap,
        smtp: email.smtp,
        log,
      }),
    );
  const discord = channels.discord;
  if (discord)
    receivers.push(
      new DiscordReceiver({
        token: discord.token,
        ...(discord.apiUrl ? { apiUrl: discord.apiUrl } : {}),
        ...(options.dataDir
          ? { sessionFile: path.join(options.dataDir, 'gateway', 'discord-session.json') }
          : {}),
        log,
      }),
    );
  return receivers;
}

/** Who may talk to the assistant, from the `channels` section. */
export function accessSettingsOf(channels: ChannelsConfig) {
  const allow: Record<string, { allowUsers: string[]; allowChats: string[] }> = {};
  for (const platform of ['telegram', 'slack', 'discord', 'email'] as const) {
    const section = channels[platform];
    if (section) allow[platform] = { allowUsers: section.allowUsers, allowChats: section.allowChats };
  }
  return { owners: channels.owners, workflows: channels.workflows, allow };
}
