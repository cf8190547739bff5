import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIInteraction,
  type APIMessage,
  ButtonStyle,
  Client,
  ComponentType,
  DiscordAPIError,
  type GatewayDispatchPayload,
  GatewayIntentBits,
  HTTPError,
  InteractionResponseType,
  InteractionType,
  RateLimitError,
  type RawFile,
  REST,
  Routes,
} from 'discord.js';
import {
  type AdapterHealth,
  type AdapterLog,
  ChannelError,
  type ChannelReceiver,
  type ChannelSender,
  classifyHttpFailure,
  handOver,
  httpFailure,
  type InboundSink,
  Reconnector,
  type ResolvedFile,
  type SendProgress,
  sendParts,
} from './adapter.ts';
import { downloadCapped, type FetchedFile, mediaTypeOf, tooLarge } from './download.ts';
import {
  type Attachment,
  cleanText,
  type InboundEvent,
  type ParsedOutboundMessage,
  sessionIdOf,
} from './message.ts';

export interface DiscordOptions {
  token: string;
  /** The REST root, e.g. http://127.0.0.1:PORT/api (a local stand-in in tests); the gateway URL comes from it. */
  apiUrl?: string;
  log?: AdapterLog;
}

/** Discord's text limit per message; longer answers go out in parts. */
const DISCORD_TEXT_LIMIT = 2000;
/** Attachments per message. */
const DISCORD_FILES_PER_MESSAGE = 10;
/** How long `ready` may take (HELLO, IDENTIFY, READY and a GUILD_CREATE per guild). */
const READY_TIMEOUT_MS = 60_000;
/** Recent inbound ids remembered to drop a dispatch replayed by a resume. */
const SEEN_IDS = 10_000;

/**
 * What the gateway must send: guild and direct messages with their text (MessageContent is a
 * privileged intent: enable it for the bot in the developer portal). Button presses need none.
 */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

function restOf(options: Pick<DiscordOptions, 'token' | 'apiUrl'>): REST {
  // Rate limits reach the outbox as errors with Discord's wait, never as a hidden sleep here:
  // the outbox retries after it, with the attempt recorded.
  return new REST({
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    rejectOnRateLimit: () => true,
    retries: 1,
  }).setToken(options.token);
}

/** A REST failure as a ChannelError: 429 carries the bucket's wait, 401 means the token was refused. */
export function discordError(error: unknown): unknown {
  if (error instanceof RateLimitError) {
    const waitMs = Math.max(error.retryAfter, error.timeToReset, error.sublimitTimeout, 0) || 1000;
    return httpFailure(
      429,
      `Discord rate limit on ${error.route}${error.global ? ' (global)' : ''}: retry after ${waitMs} ms`,
      waitMs,
    );
  }
  if (error instanceof DiscordAPIError || error instanceof HTTPError) {
    const failure = classifyHttpFailure(error.status);
    const where = `Discord ${error.method.toUpperCase()} ${error.url}`;
    const message =
      failure.code === 'refused'
        ? `Discord refused the bot token (401 ${error.message}): check channels.discord.token`
        : error.status === 403
          ? `${where}: ${error.message} (does the bot have access to the channel?)`
          : failure.code === 'rejected'
            ? `${where}: ${error.message}`
            : `Discord ${error.status}: ${error.message}`;
    return new ChannelError(failure.code, message, failure.retryable, failure.retryAfterMs);
  }
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'AbortError'))
    return new ChannelError('unavailable', `Discord unreachable: ${error.message}`, true);
  return error;
}

/** Where a channel sits: a thread's parent, so replies stay in the thread and allow-lists name the channel. */
export type ThreadParentOf = (channelId: string) => string | undefined;

function placeOf(channelId: string, parentOf: ThreadParentOf | undefined) {
  const parent = parentOf?.(channelId);
  return parent ? { chatId: parent, threadId: channelId } : { chatId: channelId, threadId: undefined };
}

function attachmentsOf(message: APIMessage): Attachment[] {
  return message.attachments.map((attachment) => ({
    type: attachment.content_type?.startsWith('image/')
      ? 'image'
      : attachment.content_type?.startsWith('audio/')
        ? 'audio'
        : attachment.content_type?.startsWith('video/')
          ? 'video'
          : 'document',
    url: attachment.url,
    name: attachment.filename,
    ...(attachment.content_type ? { mediaType: attachment.content_type } : {}),
    size: attachment.size,
  }));
}

/**
 * A gateway dispatch as Pincer's inbound event; null for dispatches Pincer does not handle (and
 * for messages of bots, the bot's own answers included: Discord sends those too).
 */
export function normalizeDiscordDispatch(
  packet: GatewayDispatchPayload,
  receivedAt: Date,
  parentOf?: ThreadParentOf,
): InboundEvent | null {
  if (packet.t === 'MESSAGE_CREATE') {
    const message = packet.d;
    if (message.author.bot || message.webhook_id) return null;
    const { chatId, threadId } = placeOf(message.channel_id, parentOf);
    const { text, truncated } = cleanText(message.content);
    const name = message.author.global_name ?? message.author.username;
    return {
      kind: 'message',
      message: {
        session_id: sessionIdOf('discord', chatId, threadId),
        sender: {
          platform: 'discord',
          user_id: message.author.id,
          ...(name ? { name: cleanText(name).text } : {}),
        },
        content: { text, attachments: attachmentsOf(message), ...(truncated ? { truncated } : {}) },
        context: { prev_messages: [] },
        platform_ids: {
          message_id: message.id,
          chat_id: chatId,
          ...(threadId ? { thread_id: threadId } : {}),
          reply_to: message.id,
        },
        received_at: receivedAt.toISOString(),
      },
    };
  }
  if (packet.t === 'INTERACTION_CREATE') {
    const interaction = packet.d;
    if (
      interaction.type !== InteractionType.MessageComponent ||
      interaction.data.component_type !== ComponentType.Button ||
      !(interaction.channel?.id ?? interaction.channel_id)
    )
      return null;
    const user = interaction.member?.user ?? interaction.user;
    if (!user) return null;
    const { chatId, threadId } = placeOf(interaction.channel?.id ?? interaction.channel_id ?? '', parentOf);
    return {
      kind: 'action',
      action: {
        session_id: sessionIdOf('discord', chatId, threadId),
        sender: {
          platform: 'discord',
          user_id: user.id,
          name: cleanText(user.global_name ?? user.username).text,
        },
        data: interaction.data.custom_id.slice(0, 64),
        platform_ids: {
          message_id: `interaction:${interaction.id}`,
          chat_id: chatId,
          ...(threadId ? { thread_id: threadId } : {}),
          reply_to: interaction.message.id,
        },
        received_at: receivedAt.toISOString(),
      },
    };
  }
  return null;
}

/**
 * Receives Discord messages and button presses over the gateway (discord.js resumes a dropped
 * session itself; a session that cannot resume is started again with backoff). Each event is
 * handed over before a button press is acknowledged; ids seen recently are dropped.
 */
export class DiscordReceiver implements ChannelReceiver {
  readonly platform = 'discord' as const;
  private received = 0;
  private sink: InboundSink | undefined;
  private readonly reconnector: Reconnector;
  private readonly seen = new Set<string>();
  /** Hands events over one at a time, in the order the gateway sent them. */
  private queue: Promise<void> = Promise.resolve();
  private resuming = false;

  constructor(private readonly options: DiscordOptions) {
    this.reconnector = new Reconnector({
      connect: (signal, connected) => this.connect(signal, connected),
      platform: 'discord',
      log: options.log,
    });
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    this.reconnector.start();
  }

  private async connect(signal: AbortSignal, connected: () => void): Promise<void> {
    const client = new Client({
      intents: DISCORD_INTENTS,
      rest: { ...(this.options.apiUrl ? { api: this.options.apiUrl } : {}) },
    });
    const parentOf: ThreadParentOf = (channelId) => {
      const channel = client.channels.cache.get(channelId);
      return channel?.isThread() ? (channel.parentId ?? undefined) : undefined;
    };
    client.on('raw', (packet: GatewayDispatchPayload) => {
      if (packet.t !== 'MESSAGE_CREATE' && packet.t !== 'INTERACTION_CREATE') return;
      const event = normalizeDiscordDispatch(packet, new Date(), parentOf);
      if (!event) return;
      const interaction = packet.t === 'INTERACTION_CREATE' ? packet.d : undefined;
      this.queue = this.queue.then(() => this.handle(event, client, interaction, signal));
    });
    client.on('shardReconnecting', () => {
      this.resuming = true;
    });
    client.on('shardResume', () => {
      this.resuming = false;
    });
    client.on('shardReady', () => {
      this.resuming = false;
    });
    try {
      const ended = new Promise<never>((_, reject) => {
        client.on('shardDisconnect', (event) =>
          reject(
            event.code === 4004
              ? new ChannelError(
                  'refused',
                  'Discord closed the gateway: authentication failed (4004): check channels.discord.token',
                  false,
                )
              : event.code === 4014
                ? new ChannelError(
                    'refused',
                    'Discord refused the intents (4014): enable the Message Content intent for the bot in the developer portal',
                    false,
                  )
                : new ChannelError('unavailable', `Discord closed the gateway (${event.code})`, true),
          ),
        );
        client.on('invalidated', () =>
          reject(new ChannelError('unavailable', 'Discord invalidated the session', true)),
        );
      });
      ended.catch(() => undefined);
      const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
      const aborted = new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      await Promise.race([client.login(this.options.token), ended, aborted]);
      await Promise.race([ready, ended, aborted, timeout(READY_TIMEOUT_MS, signal)]);
      if (signal.aborted) return;
      this.resuming = false;
      connected();
      this.options.log?.('info', { platform: 'discord', user: client.user?.tag }, 'discord connected');
      await Promise.race([ended, aborted]);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Error && 'code' in error && error.code === 'TokenInvalid')
        throw new ChannelError(
          'refused',
          'Discord refused the bot token (401): check channels.discord.token',
          false,
        );
      throw discordError(error);
    } finally {
      await client.destroy().catch(() => undefined);
    }
  }

  /** Hands one event over, then acknowledges a button press (an update, so the message stays). */
  private async handle(
    event: InboundEvent,
    client: Client,
    interaction: APIInteraction | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const id =
      event.kind === 'message' ? event.message.platform_ids.message_id : event.action.platform_ids.message_id;
    if (this.seen.has(id) || !this.sink) return;
    const handed = await handOver(this.sink, event, signal, (error) =>
      this.options.log?.(
        'error',
        { platform: 'discord', error: error instanceof Error ? error.message : String(error) },
        'could not hand a message to Temporal; retrying',
      ),
    );
    if (!handed) return;
    this.remember(id);
    this.received += 1;
    if (interaction)
      await client.rest
        .post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: InteractionResponseType.DeferredMessageUpdate },
          auth: false,
        })
        .catch((error: unknown) =>
          this.options.log?.(
            'warn',
            { platform: 'discord', error: error instanceof Error ? error.message : String(error) },
            'could not acknowledge a button press',
          ),
        );
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  health(): AdapterHealth {
    const retryInMs = this.reconnector.retryInMs();
    const state =
      this.reconnector.state === 'connected' && this.resuming ? 'reconnecting' : this.reconnector.state;
    return {
      platform: 'discord',
      state,
      ...(this.reconnector.error ? { error: this.reconnector.error } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
      received: this.received,
    };
  }

  async stop(): Promise<void> {
    await this.reconnector.stop();
    await this.queue;
  }
}

function timeout(ms: number, signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(
      () => reject(new ChannelError('unavailable', `Discord gateway not ready after ${ms} ms`, true)),
      ms,
    );
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
}

/** Splits text into parts of at most `limit` UTF-16 units, never between the halves of a surrogate pair. */
export function splitDiscordText(text: string, limit = DISCORD_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) parts.push(rest);
  return parts;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

interface MessageBody {
  content?: string;
  message_reference?: { message_id: string; fail_if_not_exists: false };
  components?: APIActionRowComponent<APIButtonComponent>[];
  attachments?: { id: number; filename: string }[];
  allowed_mentions: { parse: [] };
}

/** Sends with REST to the channel (or thread) a message came from, as a reply to it. */
export class DiscordSender implements ChannelSender {
  readonly platform = 'discord' as const;
  private readonly rest: REST;

  constructor(private readonly options: Pick<DiscordOptions, 'token' | 'apiUrl'>) {
    this.rest = restOf(options);
  }

  /** The attachment's CDN URL (signed by Discord: no token is sent). */
  async fetchAttachment(attachment: Attachment, maxBytes: number): Promise<FetchedFile> {
    const name = attachment.name ?? 'file';
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw tooLarge('discord', name, attachment.size, maxBytes);
    if (!URL.canParse(attachment.url))
      throw new ChannelError('rejected', `Discord file "${name}" has no URL to fetch`, false);
    const trustedOrigins = ['https://cdn.discordapp.com', 'https://media.discordapp.net'];
    if (this.options.apiUrl) trustedOrigins.push(new URL(this.options.apiUrl).origin);
    const { data, mediaType } = await downloadCapped(new URL(attachment.url), {
      platform: 'discord',
      name,
      maxBytes,
      trustedOrigins,
    });
    return { name, mediaType: mediaTypeOf(name, attachment.mediaType, mediaType), data };
  }

  async send(
    message: ParsedOutboundMessage,
    files: ResolvedFile[],
    progress?: SendProgress,
  ): Promise<{ messageId: string }> {
    const channelId = message.thread_id ?? message.chat_id;
    const links = files.filter((file) => !file.data && file.url).map((file) => `${file.name}: ${file.url}`);
    const text = [message.text, ...links].filter(Boolean).join('\n');
    const attached = files.filter((file) => file.data);
    const textParts = splitDiscordText(text);
    const fileGroups = chunks(attached, DISCORD_FILES_PER_MESSAGE);
    const components =
      message.buttons.length > 0
        ? [
            {
              type: ComponentType.ActionRow as const,
              components: message.buttons.map(
                (button): APIButtonComponent => ({
                  type: ComponentType.Button,
                  style: /^reject/.test(button.data) ? ButtonStyle.Danger : ButtonStyle.Primary,
                  label: button.label,
                  custom_id: button.data,
                }),
              ),
            },
          ]
        : undefined;
    // The last text part carries the buttons and the first files: one message where it fits.
    const messages: { body: MessageBody; files: ResolvedFile[] }[] = textParts.map((content) => ({
      body: { content, allowed_mentions: { parse: [] } },
      files: [],
    }));
    const [firstGroup = [], ...otherGroups] = fileGroups;
    const last = messages.at(-1);
    if (last) last.files = firstGroup;
    else if (firstGroup.length > 0 || components)
      messages.push({ body: { allowed_mentions: { parse: [] } }, files: firstGroup });
    const carrier = messages.at(-1);
    if (carrier && components) carrier.body.components = components;
    for (const group of otherGroups)
      messages.push({ body: { allowed_mentions: { parse: [] } }, files: group });
    const parts = messages.map(({ body, files: group }) => async () => {
      const full: MessageBody = {
        ...body,
        ...(message.reply_to
          ? { message_reference: { message_id: message.reply_to, fail_if_not_exists: false } }
          : {}),
        ...(group.length > 0
          ? { attachments: group.map((file, index) => ({ id: index, filename: file.name })) }
          : {}),
      };
      const raw: RawFile[] = group.map((file) => ({
        name: file.name,
        data: file.data ?? Buffer.alloc(0),
        contentType: file.mediaType,
      }));
      const sent = (await this.rest.post(Routes.channelMessages(channelId), {
        body: full,
        ...(raw.length > 0 ? { files: raw } : {}),
      })) as APIMessage;
      return sent.id;
    });
    try {
      return { messageId: `${channelId}:${await sendParts(parts, progress)}` };
    } catch (error) {
      throw discordError(error);
    }
  }
}
