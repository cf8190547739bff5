/**
 * The chat channels: one entry per platform carries its pincer.yaml section, its environment
 * variables and what the studio may show of it. The platform list, the `channels` config section,
 * the env bindings, the `message` node's platform enum and the studio's channel list derive from
 * this table; `@pincer/channels` adds each platform's receiver and sender, keyed by the same names.
 * Light on purpose (zod only): the studio, the CLI and the node catalog import it.
 */
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

/** Who may talk to the assistant on a channel; others get a pairing code an owner approves. */
const allowLists = {
  /** Platform user ids allowed to talk to the assistant. */
  allowUsers: z.array(z.string().min(1)).default([]),
  /** Chats (channels, groups, mailboxes' senders) whose every member is allowed. */
  allowChats: z.array(z.string().min(1)).default([]),
};

/** An environment variable that sets a string key of a channel's section. */
export interface ChannelEnv {
  key: string;
  description: string;
}

export interface ChannelSettings<
  Schema extends z.ZodType = z.ZodType,
  Env extends Record<string, ChannelEnv> = Record<string, ChannelEnv>,
> {
  /** The platform's section of `channels` in pincer.yaml. */
  config: Schema;
  /** PINCER_* variables that set keys of the section. */
  env: Env;
  /** What the studio may show of the section: never a token, password or secret. */
  summary(section: z.output<Schema>): string;
}

/** One platform's entry; `summary` sees the section's own fields. */
function defineChannel<Schema extends z.ZodType, const Env extends Record<string, ChannelEnv>>(
  settings: ChannelSettings<Schema, Env>,
): ChannelSettings<Schema, Env> {
  return settings;
}

export const CHANNEL_SETTINGS = {
  telegram: defineChannel({
    config: z
      .strictObject({
        token: z.string().min(1),
        mode: z.enum(['polling', 'webhook']).default('polling'),
        /** Webhook mode: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
        webhookSecret: z.string().min(16, 'use at least 16 characters').optional(),
        /** Webhook mode: the public URL of <webhookHost:webhookPort>/telegram/webhook. */
        webhookUrl: z.url().optional(),
        /** The Bot API root (a local Bot API server). */
        apiRoot: z.url().optional(),
        ...allowLists,
      })
      .refine((value) => value.mode !== 'webhook' || value.webhookSecret, {
        message: 'webhook mode needs webhookSecret: Telegram must prove each request comes from it',
      }),
    env: { PINCER_TELEGRAM_TOKEN: { key: 'token', description: 'Telegram bot token' } },
    summary: (section) => `${section.mode} mode`,
  }),
  slack: defineChannel({
    config: z
      .strictObject({
        botToken: z.string().min(1),
        /** Events API: requests are checked against it (v0 HMAC signature). */
        signingSecret: z.string().min(1).optional(),
        /** Socket Mode: the app-level token (xapp-...). */
        appToken: z.string().min(1).optional(),
        mode: z.enum(['events', 'socket']).default('events'),
        /** The Web API root, ending in "/" (a local stand-in in tests). */
        apiUrl: z.url().optional(),
        ...allowLists,
      })
      .refine((value) => (value.mode === 'socket' ? value.appToken : value.signingSecret), {
        message: 'events mode needs signingSecret; socket mode needs appToken',
      }),
    env: {
      PINCER_SLACK_BOT_TOKEN: { key: 'botToken', description: 'Slack bot token' },
      PINCER_SLACK_SIGNING_SECRET: { key: 'signingSecret', description: 'Slack signing secret' },
      PINCER_SLACK_APP_TOKEN: { key: 'appToken', description: 'Slack app-level token (Socket Mode)' },
    },
    summary: (section) => (section.mode === 'socket' ? 'Socket Mode' : 'Events API'),
  }),
  discord: defineChannel({
    config: z.strictObject({
      token: z.string().min(1),
      /** The REST root, e.g. http://127.0.0.1:PORT/api (a local stand-in in tests). */
      apiUrl: z.url().optional(),
      ...allowLists,
    }),
    env: { PINCER_DISCORD_TOKEN: { key: 'token', description: 'Discord bot token' } },
    summary: () => 'gateway connection',
  }),
  email: defineChannel({
    config: z.strictObject({
      /** The mailbox's address; answers come from it. */
      address: z.email(),
      imap: z.strictObject({
        host: z.string().min(1),
        port,
        secure: z.boolean().default(true),
        user: z.string().min(1),
        password: z.string().min(1),
        mailbox: z.string().default('INBOX'),
      }),
      smtp: z.strictObject({
        host: z.string().min(1),
        port,
        secure: z.boolean().default(true),
        user: z.string().optional(),
        password: z.string().optional(),
      }),
      ...allowLists,
    }),
    env: {},
    summary: (section) => `${section.address} (IMAP ${section.imap.host})`,
  }),
};

export type Platform = keyof typeof CHANNEL_SETTINGS;

/** Every chat platform Pincer has a channel for, in the table's order. */
export const PLATFORMS = Object.keys(CHANNEL_SETTINGS) as [Platform, ...Platform[]];

/** The settings of one platform's section, as loaded. */
export type ChannelSection<P extends Platform> = z.output<(typeof CHANNEL_SETTINGS)[P]['config']>;

/** The platform sections of `channels`, each optional (a channel is on when its section is there). */
export const platformSections = Object.fromEntries(
  PLATFORMS.map((platform) => [platform, CHANNEL_SETTINGS[platform].config.optional()]),
) as { [P in Platform]: z.ZodOptional<(typeof CHANNEL_SETTINGS)[P]['config']> };

/** What the studio shows of each configured channel (never a secret), in the table's order. */
export function channelSummaries(
  channels: {
    [P in Platform]?: ChannelSection<P> | undefined;
  },
): { platform: Platform; summary: string }[] {
  return PLATFORMS.flatMap((platform) => {
    const section = channels[platform];
    if (!section) return [];
    const settings = CHANNEL_SETTINGS[platform] as ChannelSettings<z.ZodType<typeof section>>;
    return [{ platform, summary: settings.summary(section) }];
  });
}

/** A PINCER_* variable of a channel. */
export type ChannelEnvName = {
  [P in Platform]: keyof (typeof CHANNEL_SETTINGS)[P]['env'] & string;
}[Platform];

interface ChannelEnvBinding {
  path: readonly string[];
  kind: 'string';
  description: string;
}

/** The PINCER_* variables of every channel, with the config path each sets. */
export const CHANNEL_ENV_BINDINGS = channelEnvBindings();

function channelEnvBindings(): Record<ChannelEnvName, ChannelEnvBinding> {
  const bindings: Partial<Record<ChannelEnvName, ChannelEnvBinding>> = {};
  for (const platform of PLATFORMS)
    for (const [name, env] of Object.entries<ChannelEnv>(CHANNEL_SETTINGS[platform].env))
      bindings[name as ChannelEnvName] = {
        path: ['channels', platform, env.key],
        kind: 'string',
        description: env.description,
      };
  return bindings as Record<ChannelEnvName, ChannelEnvBinding>;
}
