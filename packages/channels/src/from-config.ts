import path from 'node:path';
import type { ChannelSection, PincerConfig, Platform } from '@pincer/config';
import type {
  AdapterLog,
  ChannelAdapters,
  ChannelReceiver,
  ChannelSender,
  ReceiverContext,
} from './adapter.ts';
import { discordChannel } from './discord.ts';
import { emailChannel } from './email.ts';
import { PLATFORMS } from './message.ts';
import { slackChannel } from './slack.ts';
import { telegramChannel } from './telegram.ts';

export type { AdapterLog } from './adapter.ts';

export type ChannelsConfig = PincerConfig['channels'];

/** Every platform's adapters: one line per platform, checked against the config's platform list. */
const CHANNELS: { [P in Platform]: ChannelAdapters<P> } = {
  telegram: telegramChannel,
  slack: slackChannel,
  discord: discordChannel,
  email: emailChannel,
};

type Sections = { [P in Platform]?: ChannelSection<P> | undefined };

/** `make` for each configured platform, in the table's order. */
function eachConfigured<T>(
  channels: Sections,
  make: <P extends Platform>(platform: P, section: ChannelSection<P>, adapters: ChannelAdapters<P>) => T,
): T[] {
  const one = <P extends Platform>(platform: P): T[] => {
    const section = channels[platform];
    return section ? [make(platform, section, CHANNELS[platform])] : [];
  };
  return PLATFORMS.flatMap(one);
}

/** The sending side of every configured platform (the worker's outbox and `message` steps). */
export function sendersFromConfig(channels: ChannelsConfig): ChannelSender[] {
  return eachConfigured(channels, (_platform, section, adapters) => adapters.sender(section));
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
  const context: ReceiverContext = {
    log,
    ...(options.dataDir ? { stateDir: path.join(options.dataDir, 'gateway') } : {}),
  };
  return eachConfigured(channels, (_platform, section, adapters) => adapters.receiver(section, context));
}

/** Who may talk to the assistant, from the `channels` section. */
export function accessSettingsOf(channels: ChannelsConfig) {
  const allow: Record<string, { allowUsers: string[]; allowChats: string[] }> = {};
  eachConfigured(channels, (platform, section) => {
    allow[platform] = { allowUsers: section.allowUsers, allowChats: section.allowChats };
  });
  return { owners: channels.owners, workflows: channels.workflows, allow };
}
