import path from 'node:path';
import { type SessionInfo, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIInteraction,
  type APIMessage,
  ButtonStyle,
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
  type AdapterLog,
  type AdapterState,
  ChannelError,
  type ChannelSender,
  ConnectedReceiver,
  classifyHttpFailure,
  defineChannel,
  httpFailure,
  type ResolvedFile,
  type SendProgress,
  sendParts,
} from './adapter.ts';
import { DiscordSessionFile } from './discord-session.ts';
import { downloadCapped, type FetchedFile, mediaTypeOf, tooLarge } from './download.ts';
import {
  type Attachment,
  cleanText,
  type InboundEvent,
  type ParsedOutboundMessage,
  sessionIdOf,
} from './message.ts';
import { splitText } from './text.ts';

export interface DiscordOptions {
  token: string;
  /** The REST root, e.g. http://127.0.0.1:PORT/api (a local stand-in in tests); the gateway URL comes from it. */
  apiUrl?: string;
  /**
   * Where the gateway session is kept between runs (the receiver's), so a restart resumes it and
   * Discord replays what arrived meanwhile; without it a restart starts a new session.
   */
  sessionFile?: string;
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

/** Close codes after which the connection is not tried again as it is (a new one is, with backoff). */
const FATAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);
/** Closing with a code other than 1000/1001 keeps the session resumable (Discord ends it on those). */
const CLOSE_KEEPING_SESSION = 4200;

function fatalClose(code: number): ChannelError {
  if (code === 4004)
    return new ChannelError(
      'refused',
      'Discord closed the gateway: authentication failed (4004): check channels.discord.token',
      false,
    );
  if (code === 4014)
    return new ChannelError(
      'refused',
      'Discord refused the intents (4014): enable the Message Content intent for the bot in the developer portal',
      false,
    );
  return new ChannelError('unavailable', `Discord closed the gateway (${code})`, true);
}

/**
 * Receives Discord messages and button presses over the gateway (@discordjs/ws resumes a dropped
 * session itself; a session that cannot resume is started again with backoff). Each event is
 * handed over before a button press is acknowledged; ids seen recently are dropped. With a
 * `sessionFile`, the session and the last sequence number handed over are kept on disk, so a
 * restarted gateway resumes the session and Discord replays what arrived while it was down.
 */
export class DiscordReceiver extends ConnectedReceiver<'discord'> {
  private readonly rest: REST;
  private readonly seen = new Set<string>();
  /** Thread id → parent channel id, from GUILD_CREATE and thread dispatches. */
  private readonly threads = new Map<string, string>();
  private readonly sessionFile: DiscordSessionFile | undefined;
  /** The gateway session as @discordjs/ws tracks it (sequence = received); undefined until loaded. */
  private session: SessionInfo | null | undefined;
  /** Set while this receiver closes the connection itself: the session stays resumable. */
  private closing = false;
  /** Hands events over one at a time, in the order the gateway sent them. */
  private queue: Promise<void> = Promise.resolve();
  private resuming = false;

  constructor(private readonly options: DiscordOptions) {
    super('discord', options.log);
    this.rest = new REST({ ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
    this.sessionFile = options.sessionFile
      ? new DiscordSessionFile(options.sessionFile, options.log)
      : undefined;
  }

  /** The session to resume: the one in memory, else the one saved by the previous process. */
  private async retrieveSession(): Promise<SessionInfo | null> {
    if (this.session === undefined) {
      const saved = await this.sessionFile?.load();
      for (const [thread, parent] of Object.entries(saved?.threads ?? {})) this.threads.set(thread, parent);
      this.session = saved
        ? {
            sessionId: saved.sessionId,
            resumeURL: saved.resumeURL,
            sequence: saved.sequence,
            shardId: saved.shardId,
            shardCount: saved.shardCount,
          }
        : null;
      if (saved)
        this.options.log?.(
          'info',
          { platform: 'discord', sequence: saved.sequence },
          'resuming the saved Discord session',
        );
    }
    return this.session;
  }

  private async updateSession(session: SessionInfo | null): Promise<void> {
    if (session) {
      const fresh = session.sessionId !== this.session?.sessionId;
      this.session = session;
      // A new session (READY): saved at once, so a crash before the first message resumes it.
      if (fresh) await this.saveSession(session.sessionId, session.sequence);
      return;
    }
    if (this.closing) return;
    // Discord would not resume it (INVALID_SESSION): the next connection identifies anew.
    this.session = null;
    await this.sessionFile?.save(null);
  }

  /** Records that every dispatch of `sessionId` up to `sequence` is handed over. */
  private async saveSession(sessionId: string, sequence: number): Promise<void> {
    const session = this.session;
    if (!this.sessionFile || !session || session.sessionId !== sessionId) return;
    await this.sessionFile.save({
      sessionId,
      resumeURL: session.resumeURL,
      sequence,
      shardId: session.shardId,
      shardCount: session.shardCount,
      threads: Object.fromEntries(this.threads),
    });
  }

  protected async connect(signal: AbortSignal, connected: () => void): Promise<void> {
    const manager = new WebSocketManager({
      token: this.options.token,
      intents: DISCORD_INTENTS.reduce<number>((all, intent) => all | intent, 0),
      rest: this.rest,
      retrieveSessionInfo: () => this.retrieveSession(),
      updateSessionInfo: (_shardId, session) => this.updateSession(session),
    });
    const parentOf: ThreadParentOf = (channelId) => this.threads.get(channelId);
    let user: string | undefined;
    manager.on(WebSocketShardEvents.Dispatch, ({ data: packet }) => {
      const sessionId = this.session?.sessionId;
      this.queue = this.queue.then(async () => {
        const handed = await this.dispatched(packet, parentOf, signal);
        // Only what Temporal has is counted done: a restart resumes after it. Not awaited: saves
        // made meanwhile collapse into the newest, and the file never runs ahead of the hand-overs.
        if (handed && sessionId && !signal.aborted) void this.saveSession(sessionId, packet.s);
      });
    });
    manager.on(WebSocketShardEvents.Ready, ({ data }) => {
      user = data.user.username;
    });
    manager.on(WebSocketShardEvents.Error, ({ error }) =>
      this.options.log?.('warn', { platform: 'discord', error: error.message }, 'discord gateway error'),
    );
    try {
      const ended = new Promise<never>((_, reject) => {
        manager.on(WebSocketShardEvents.Closed, ({ code }) => {
          if (this.closing) return;
          if (FATAL_CLOSE_CODES.has(code)) reject(fatalClose(code));
          else this.resuming = true;
        });
      });
      ended.catch(() => undefined);
      const ready = new Promise<void>((resolve) => {
        manager.on(WebSocketShardEvents.Ready, () => resolve());
        manager.on(WebSocketShardEvents.Resumed, () => resolve());
      });
      manager.on(WebSocketShardEvents.Ready, () => {
        this.resuming = false;
      });
      manager.on(WebSocketShardEvents.Resumed, () => {
        this.resuming = false;
      });
      const aborted = new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      await Promise.race([manager.connect(), ended, aborted]);
      await Promise.race([ready, ended, aborted, timeout(READY_TIMEOUT_MS, signal)]);
      if (signal.aborted) return;
      this.resuming = false;
      connected();
      this.options.log?.('info', { platform: 'discord', user }, 'discord connected');
      await Promise.race([ended, aborted]);
    } catch (error) {
      if (signal.aborted) return;
      if ((error instanceof DiscordAPIError || error instanceof HTTPError) && error.status === 401)
        throw new ChannelError(
          'refused',
          'Discord refused the bot token (401): check channels.discord.token',
          false,
        );
      throw discordError(error);
    } finally {
      this.closing = true;
      try {
        await manager.destroy({ code: CLOSE_KEEPING_SESSION, reason: 'Pincer gateway stopping' });
      } catch {
        // Already closed: nothing to let go of.
      } finally {
        this.closing = false;
      }
    }
  }

  /** Handles one dispatch in order; false when an event could not be handed over (stopping). */
  private async dispatched(
    packet: GatewayDispatchPayload,
    parentOf: ThreadParentOf,
    signal: AbortSignal,
  ): Promise<boolean> {
    this.learnThreads(packet);
    if (packet.t !== 'MESSAGE_CREATE' && packet.t !== 'INTERACTION_CREATE') return true;
    const event = normalizeDiscordDispatch(packet, new Date(), parentOf);
    if (!event) return true;
    const interaction = packet.t === 'INTERACTION_CREATE' ? packet.d : undefined;
    return this.handle(event, interaction, signal);
  }

  private learnThreads(packet: GatewayDispatchPayload): void {
    const learn = (threads: { id: string; parent_id?: string | null }[]) => {
      for (const thread of threads) if (thread.parent_id) this.threads.set(thread.id, thread.parent_id);
      while (this.threads.size > SEEN_IDS) {
        const oldest = this.threads.keys().next().value;
        if (oldest === undefined) break;
        this.threads.delete(oldest);
      }
    };
    if (packet.t === 'GUILD_CREATE' && 'threads' in packet.d) learn(packet.d.threads);
    else if (packet.t === 'THREAD_LIST_SYNC') learn(packet.d.threads);
    else if (packet.t === 'THREAD_CREATE' || packet.t === 'THREAD_UPDATE') learn([packet.d]);
    else if (packet.t === 'THREAD_DELETE') this.threads.delete(packet.d.id);
  }

  /** Hands one event over, then acknowledges a button press (an update, so the message stays). */
  private async handle(
    event: InboundEvent,
    interaction: APIInteraction | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const id =
      event.kind === 'message' ? event.message.platform_ids.message_id : event.action.platform_ids.message_id;
    if (this.seen.has(id) || !this.sink) return true;
    if (!(await this.handOver(event, signal))) return false;
    this.remember(id);
    if (interaction)
      await this.rest
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
    return true;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  /** Connected but resuming a dropped session reads as reconnecting. */
  protected override state(): AdapterState {
    return this.reconnector.state === 'connected' && this.resuming ? 'reconnecting' : this.reconnector.state;
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.queue;
    await this.sessionFile?.saved();
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
  readonly textLimit = DISCORD_TEXT_LIMIT;
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
    const textParts = splitText(text, this.textLimit);
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

export const discordChannel = defineChannel<'discord'>({
  receiver: (section, { log, stateDir }) =>
    new DiscordReceiver({
      token: section.token,
      ...(section.apiUrl ? { apiUrl: section.apiUrl } : {}),
      ...(stateDir ? { sessionFile: path.join(stateDir, 'discord-session.json') } : {}),
      log,
    }),
  sender: (section) =>
    new DiscordSender({ token: section.token, ...(section.apiUrl ? { apiUrl: section.apiUrl } : {}) }),
});
