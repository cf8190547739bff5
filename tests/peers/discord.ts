import type { IncomingMessage, ServerResponse } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { listen, readParams, sendJson } from './http.ts';

/**
 * A local stand-in for Discord (https://discord.com/developers/docs), faithful in what Pincer
 * relies on. REST under /api/v10 with "Authorization: Bot <token>": GET gateway/bot and
 * users/@me, POST channels/{id}/messages (JSON, or multipart with payload_json and files[n];
 * message_reference, components, the 2000-character limit), POST interactions/{id}/{token}/callback,
 * 401 for a wrong token, 404 for an unknown channel, and 429 on demand with Retry-After and the
 * X-RateLimit-* bucket headers. The gateway WebSocket (v10, JSON, no compression): HELLO, heartbeat
 * ACK, IDENTIFY → READY then GUILD_CREATE, RESUME on any connection (replays the session's
 * dispatches after the given seq, then RESUMED; an unknown or expired session gets INVALID_SESSION
 * with d: false, so the client identifies anew), close 4004 for a wrong token; MESSAGE_CREATE for people's messages and the bot's own, INTERACTION_CREATE for
 * button presses. Message text is empty in guild channels unless the Message Content intent is set.
 * Files people attach are served at their CDN URL (/attachments/{channel}/{id}/{name}, signed with
 * ex/is/hm query parameters as Discord does; no token needed).
 */
export interface SentMessage {
  channelId: string;
  messageId: string;
  content: string;
  replyTo?: string;
  buttons: { label: string; custom_id: string; style: number }[];
  files: { name: string; data: Buffer; contentType: string }[];
}

interface DiscordUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

interface Session {
  id: string;
  socket: WebSocket | undefined;
  seq: number;
  intents: number;
  /** Dispatches sent in this session, for RESUME. */
  sent: { s: number; t: string; d: unknown }[];
}

const GUILD_ID = '1100000000000000001';
const BOT_ID = '1100000000000000002';
const APPLICATION_ID = BOT_ID;
const MESSAGE_CONTENT_INTENT = 1 << 15;
const HEARTBEAT_INTERVAL_MS = 41_250;

const OPCODE = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, invalidSession: 9, hello: 10, ack: 11 };

export class DiscordPeer {
  readonly token = `MTEwMDAwMDAwMDAwMDAwMDAwMg.Gx1234.${'a'.repeat(38)}`;
  readonly botId = BOT_ID;
  readonly sent: SentMessage[] = [];
  /** Interaction callbacks received, in order. */
  readonly callbacks: { interactionId: string; type: number }[] = [];
  /** IDENTIFY payloads received (token left out). */
  readonly identifies: { intents: number }[] = [];
  /** RESUME payloads received (token left out), and whether the session was still known. */
  readonly resumes: { sessionId: string; seq: number; resumed: boolean }[] = [];
  /** 429 answers given so far. */
  rateLimitHits = 0;
  port = 0;
  private readonly channels: Map<string, { type: number; name: string; parentId?: string }>;
  /** When false, an IDENTIFY asking for the Message Content intent is closed with 4014. */
  messageContentAllowed = true;
  private readonly sessions = new Map<string, Session>();
  private readonly interactions = new Map<string, string>();
  /** Bytes of files people attached, by CDN path. */
  private readonly cdnFiles = new Map<string, Buffer>();
  private nextId = 1_300_000_000_000_000_000n;
  private rateLimited = 0;
  private retryAfter = 1;
  private rateLimitAfter = 0;
  private closeServer: (() => Promise<void>) | undefined;
  private gateway: WebSocketServer | undefined;

  private constructor(channels: { guild: string[]; direct: string[]; threads: Record<string, string> }) {
    this.channels = new Map<string, { type: number; name: string; parentId?: string }>([
      ...Object.entries(channels.threads).map(
        ([id, parentId]): [string, { type: number; name: string; parentId: string }] => [
          id,
          { type: 11, name: `thread-${id}`, parentId },
        ],
      ),
      ...channels.guild.map((id): [string, { type: number; name: string }] => [
        id,
        { type: 0, name: `channel-${id}` },
      ]),
      ...channels.direct.map((id): [string, { type: number; name: string }] => [id, { type: 1, name: '' }]),
    ]);
  }

  /**
   * A bot in one guild with text channels `guild`, public threads `threads` (thread id → parent
   * channel id), and direct-message channels `direct`.
   */
  static async start(channels: {
    guild: string[];
    direct?: string[];
    threads?: Record<string, string>;
  }): Promise<DiscordPeer> {
    const peer = new DiscordPeer({
      guild: channels.guild,
      direct: channels.direct ?? [],
      threads: channels.threads ?? {},
    });
    const { server, port, close } = await listen((request, response) => {
      peer
        .handle(request, response)
        .catch((error: unknown) => sendJson(response, 500, { message: String(error), code: 0 }));
    });
    const gateway = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (!(request.url ?? '').startsWith('/gateway')) return socket.destroy();
      gateway.handleUpgrade(request, socket, head, (ws) => peer.accept(ws, request));
    });
    peer.gateway = gateway;
    peer.port = port;
    peer.closeServer = close;
    return peer;
  }

  /** The REST root for `channels.discord.apiUrl`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async close(): Promise<void> {
    for (const client of this.gateway?.clients ?? []) client.terminate();
    this.gateway?.close();
    await this.closeServer?.();
  }

  /** Gateway sessions that have identified and are connected now. */
  connectedSessions(): number {
    return [...this.sessions.values()].filter((session) => session.socket?.readyState === 1).length;
  }

  /**
   * Forgets every session, as Discord does some time after a bot went away: a later RESUME gets
   * INVALID_SESSION and what was sent to the session meanwhile is gone.
   */
  expireSessions(): void {
    for (const session of this.sessions.values()) session.socket?.terminate();
    this.sessions.clear();
  }

  /** Drops every gateway connection without a close frame (a network failure); clients resume. */
  dropConnections(): void {
    for (const client of this.gateway?.clients ?? []) client.terminate();
  }

  /** After `afterSends` more message sends, the next `count` are answered 429 with Retry-After. */
  rateLimit(count: number, retryAfterSeconds = 1, afterSends = 0): void {
    this.rateLimited = count;
    this.retryAfter = retryAfterSeconds;
    this.rateLimitAfter = afterSends;
  }

  /** A person writes in a channel; returns the message's id. */
  userSends(options: {
    channelId: string;
    userId: string;
    text: string;
    /** With `data`, the bytes are served at the attachment's URL on this stand-in's CDN. */
    attachment?: { name: string; contentType: string; size?: number; data?: Buffer };
  }): string {
    const id = this.snowflake();
    const attachment = options.attachment;
    const cdnPath = attachment ? `/attachments/${options.channelId}/${id}/${attachment.name}` : '';
    if (attachment?.data) this.cdnFiles.set(cdnPath, attachment.data);
    const signed = `?ex=${(Date.now() / 1000 + 86_400).toString(16).split('.')[0]}&is=0&hm=${id}`;
    this.dispatch('MESSAGE_CREATE', {
      ...this.messageOf({
        id,
        channelId: options.channelId,
        author: this.userOf(options.userId),
        content: options.text,
      }),
      attachments: attachment
        ? [
            {
              id: this.snowflake(),
              filename: attachment.name,
              size: attachment.data?.length ?? attachment.size ?? 0,
              content_type: attachment.contentType,
              url: attachment.data
                ? `http://127.0.0.1:${this.port}${cdnPath}${signed}`
                : `https://cdn.discordapp.com${cdnPath}`,
              proxy_url: attachment.data
                ? `http://127.0.0.1:${this.port}${cdnPath}${signed}`
                : `https://media.discordapp.net${cdnPath}`,
            },
          ]
        : [],
    });
    return id;
  }

  /** A person presses a button under one of the bot's messages; returns the interaction's id. */
  pressButton(options: { channelId: string; userId: string; customId: string; messageId: string }): string {
    const message = this.sent.find((sent) => sent.messageId === options.messageId);
    if (!message) throw new Error(`no bot message ${options.messageId}`);
    const id = this.snowflake();
    const token = `aW50ZXJhY3Rpb246${id}`;
    this.interactions.set(id, token);
    const channel = this.channels.get(options.channelId);
    const guild = channel?.type === 0 || channel?.type === 11;
    const user = this.userOf(options.userId);
    this.dispatch('INTERACTION_CREATE', {
      id,
      application_id: APPLICATION_ID,
      type: 3,
      token,
      version: 1,
      data: { custom_id: options.customId, component_type: 2 },
      channel_id: options.channelId,
      channel: { id: options.channelId, type: channel?.type ?? 0 },
      ...(guild
        ? { guild_id: GUILD_ID, guild_locale: 'en-US', member: this.memberOf(user) }
        : { user, context: 1 }),
      message: this.messageOf({
        id: message.messageId,
        channelId: message.channelId,
        author: this.botUser(),
        content: message.content,
        components:
          message.buttons.length > 0
            ? [{ type: 1, components: message.buttons.map((button) => ({ type: 2, ...button })) }]
            : [],
      }),
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': GUILD_ID },
      attachment_size_limit: 10_485_760,
    });
    return id;
  }

  sentTo(channelId: string): SentMessage[] {
    return this.sent.filter((message) => message.channelId === channelId);
  }

  private snowflake(): string {
    this.nextId += 1n;
    return String(this.nextId);
  }

  private userOf(id: string): DiscordUser {
    return { id, username: `user${id}`, global_name: `User ${id}`, discriminator: '0', avatar: null };
  }

  private botUser(): DiscordUser {
    return { id: BOT_ID, username: 'pincer', global_name: null, discriminator: '0', avatar: null, bot: true };
  }

  private memberOf(user: DiscordUser) {
    return {
      user,
      roles: [],
      joined_at: '2026-01-01T00:00:00.000000+00:00',
      deaf: false,
      mute: false,
      flags: 0,
      permissions: '2248473465835073',
    };
  }

  private messageOf(options: {
    id: string;
    channelId: string;
    author: DiscordUser;
    content: string;
    replyTo?: string;
    components?: unknown[];
  }) {
    const type = this.channels.get(options.channelId)?.type;
    const guild = type === 0 || type === 11;
    return {
      id: options.id,
      type: options.replyTo ? 19 : 0,
      channel_id: options.channelId,
      ...(guild
        ? {
            guild_id: GUILD_ID,
            member: {
              roles: [],
              joined_at: '2026-01-01T00:00:00.000000+00:00',
              deaf: false,
              mute: false,
              flags: 0,
            },
          }
        : {}),
      author: options.author,
      content: options.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      flags: 0,
      components: options.components ?? [],
      ...(options.replyTo
        ? { message_reference: { type: 0, message_id: options.replyTo, channel_id: options.channelId } }
        : {}),
    };
  }

  private guildCreate() {
    return {
      id: GUILD_ID,
      name: 'Pincer test guild',
      icon: null,
      owner_id: '1100000000000000009',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: GUILD_ID,
          name: '@everyone',
          color: 0,
          hoist: false,
          position: 0,
          permissions: '2248473465835073',
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      preferred_locale: 'en-US',
      premium_tier: 0,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: '2026-01-01T00:00:00.000000+00:00',
      large: false,
      unavailable: false,
      member_count: 3,
      voice_states: [],
      members: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      threads: [...this.channels.entries()]
        .filter(([, channel]) => channel.type === 11)
        .map(([id, channel]) => ({
          id,
          type: 11,
          guild_id: GUILD_ID,
          name: channel.name,
          parent_id: channel.parentId,
          owner_id: '1100000000000000009',
          last_message_id: null,
          rate_limit_per_user: 0,
          message_count: 0,
          member_count: 1,
          thread_metadata: {
            archived: false,
            auto_archive_duration: 1440,
            archive_timestamp: '2026-01-01T00:00:00.000000+00:00',
            locked: false,
          },
          flags: 0,
          total_message_sent: 0,
        })),
      channels: [...this.channels.entries()]
        .filter(([, channel]) => channel.type === 0)
        .map(([id, channel], position) => ({
          id,
          type: 0,
          guild_id: GUILD_ID,
          name: channel.name,
          position,
          permission_overwrites: [],
          nsfw: false,
          parent_id: null,
          topic: null,
          last_message_id: null,
          rate_limit_per_user: 0,
        })),
    };
  }

  /** Sends a dispatch to every identified session (Discord fans events out to each shard session). */
  private dispatch(t: string, d: Record<string, unknown>): void {
    for (const session of this.sessions.values()) {
      session.seq += 1;
      const visible =
        t === 'MESSAGE_CREATE' && !(session.intents & MESSAGE_CONTENT_INTENT) && d.guild_id
          ? { ...d, content: '', attachments: [], embeds: [], components: [] }
          : d;
      const payload = { op: OPCODE.dispatch, t, s: session.seq, d: visible };
      session.sent.push(payload);
      if (session.socket?.readyState === 1) session.socket.send(JSON.stringify(payload));
    }
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'ws://127.0.0.1');
    if (url.searchParams.get('v') !== '10' || url.searchParams.get('encoding') !== 'json') {
      socket.close(4012, 'Invalid API version');
      return;
    }
    let session: Session | undefined;
    socket.send(
      JSON.stringify({
        op: OPCODE.hello,
        d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS },
        s: null,
        t: null,
      }),
    );
    socket.on('message', (raw) => {
      let payload: { op: number; d: Record<string, unknown> | number | null };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      const d = typeof payload.d === 'object' && payload.d !== null ? payload.d : {};
      switch (payload.op) {
        case OPCODE.heartbeat:
          socket.send(JSON.stringify({ op: OPCODE.ack, d: null, s: null, t: null }));
          return;
        case OPCODE.identify: {
          if (session) return socket.close(4005, 'Already authenticated');
          if (d.token !== this.token) return socket.close(4004, 'Authentication failed');
          const intents = Number(d.intents ?? 0);
          if (intents & MESSAGE_CONTENT_INTENT && !this.messageContentAllowed)
            return socket.close(4014, 'Disallowed intent(s).');
          this.identifies.push({ intents });
          session = { id: this.snowflake(), socket, seq: 0, intents, sent: [] };
          this.sessions.set(session.id, session);
          session.seq += 1;
          socket.send(
            JSON.stringify({
              op: OPCODE.dispatch,
              t: 'READY',
              s: session.seq,
              d: {
                v: 10,
                user: { ...this.botUser(), verified: true, mfa_enabled: false, flags: 0 },
                guilds: [{ id: GUILD_ID, unavailable: true }],
                session_id: session.id,
                resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
                session_type: 'normal',
                application: { id: APPLICATION_ID, flags: 0 },
                private_channels: [],
                presences: [],
                relationships: [],
                guild_join_requests: [],
                user_settings: {},
                geo_ordered_rtc_regions: [],
                shard: [0, 1],
              },
            }),
          );
          session.seq += 1;
          socket.send(
            JSON.stringify({ op: OPCODE.dispatch, t: 'GUILD_CREATE', s: session.seq, d: this.guildCreate() }),
          );
          return;
        }
        case OPCODE.resume: {
          const known = this.sessions.get(String(d.session_id));
          this.resumes.push({
            sessionId: String(d.session_id),
            seq: Number(d.seq ?? 0),
            resumed: Boolean(known) && d.token === this.token,
          });
          if (!known || d.token !== this.token) {
            socket.send(JSON.stringify({ op: OPCODE.invalidSession, d: false, s: null, t: null }));
            return;
          }
          session = known;
          known.socket = socket;
          const after = Number(d.seq ?? 0);
          for (const missed of known.sent.filter((entry) => entry.s > after))
            socket.send(JSON.stringify(missed));
          known.seq += 1;
          socket.send(JSON.stringify({ op: OPCODE.dispatch, t: 'RESUMED', s: known.seq, d: {} }));
          return;
        }
        default:
          return;
      }
    });
    socket.on('close', () => {
      if (session?.socket === socket) session.socket = undefined;
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.apiUrl);
    const cdnFile = this.cdnFiles.get(decodeURIComponent(url.pathname));
    if (cdnFile && url.searchParams.has('hm')) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': cdnFile.length,
      });
      response.end(cdnFile);
      return;
    }
    const route = url.pathname.match(/^\/api\/v10(\/.*)$/)?.[1];
    if (!route) return sendJson(response, 404, { message: '404: Not Found', code: 0 });
    const { params, files } = await readParams(request, url);
    const callback = route.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/);
    if (callback) {
      // Interaction callbacks authenticate by the interaction token, not the bot token.
      const [, interactionId = '', token] = callback;
      if (this.interactions.get(interactionId) !== token)
        return sendJson(response, 404, { message: 'Unknown interaction', code: 10062 });
      this.interactions.delete(interactionId);
      this.callbacks.push({ interactionId, type: Number(params.type) });
      response.writeHead(204);
      response.end();
      return;
    }
    if (request.headers.authorization !== `Bot ${this.token}`)
      return sendJson(response, 401, { message: '401: Unauthorized', code: 0 });
    if (request.method === 'GET' && route === '/gateway/bot')
      return sendJson(response, 200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      });
    if (request.method === 'GET' && route === '/users/@me')
      return sendJson(response, 200, { ...this.botUser(), verified: true, flags: 0 });
    const channelMessages = route.match(/^\/channels\/(\d+)\/messages$/);
    if (request.method === 'POST' && channelMessages)
      return this.createMessage(channelMessages[1] ?? '', params, files, response);
    return sendJson(response, 404, { message: '404: Not Found', code: 0 });
  }

  private createMessage(
    channelId: string,
    params: Record<string, unknown>,
    files: Record<string, { name: string; data: Buffer; type: string }>,
    response: ServerResponse,
  ): void {
    const bucket = { 'x-ratelimit-bucket': 'a06de2a7f4b2b0c1e8a9e3f1b6d2c4f0', 'x-ratelimit-scope': 'user' };
    if (this.rateLimited > 0 && this.rateLimitAfter > 0) this.rateLimitAfter -= 1;
    else if (this.rateLimited > 0) {
      this.rateLimited -= 1;
      this.rateLimitHits += 1;
      sendJson(
        response,
        429,
        { message: 'You are being rate limited.', retry_after: this.retryAfter, global: false },
        {
          ...bucket,
          'retry-after': String(this.retryAfter),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Date.now() / 1000 + this.retryAfter),
          'x-ratelimit-reset-after': String(this.retryAfter),
        },
      );
      return;
    }
    const limits = {
      ...bucket,
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset': String(Date.now() / 1000 + 1),
      'x-ratelimit-reset-after': '1',
    };
    if (!this.channels.has(channelId)) {
      sendJson(response, 404, { message: 'Unknown Channel', code: 10003 }, limits);
      return;
    }
    const body = (
      typeof params.payload_json === 'object' && params.payload_json !== null ? params.payload_json : params
    ) as {
      content?: unknown;
      message_reference?: { message_id?: string };
      components?: {
        type: number;
        components: { type: number; label: string; custom_id: string; style: number }[];
      }[];
      attachments?: { id: number | string; filename: string }[];
    };
    const content = typeof body.content === 'string' ? body.content : '';
    if (content.length > 2000) {
      sendJson(
        response,
        400,
        {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: {
              _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
            },
          },
        },
        limits,
      );
      return;
    }
    const attached = Object.entries(files)
      .filter(([key]) => /^files\[\d+\]$/.test(key))
      .map(([, file]) => ({ name: file.name, data: file.data, contentType: file.type }));
    const buttons = (body.components ?? []).flatMap((row) =>
      row.components.filter((component) => component.type === 2),
    );
    if (!content && attached.length === 0 && buttons.length === 0) {
      sendJson(response, 400, { message: 'Cannot send an empty message', code: 50006 }, limits);
      return;
    }
    const messageId = this.snowflake();
    const replyTo = body.message_reference?.message_id;
    const record: SentMessage = {
      channelId,
      messageId,
      content,
      ...(replyTo ? { replyTo: String(replyTo) } : {}),
      buttons: buttons.map((button) => ({
        label: button.label,
        custom_id: button.custom_id,
        style: button.style,
      })),
      files: attached,
    };
    this.sent.push(record);
    const message = {
      ...this.messageOf({
        id: messageId,
        channelId,
        author: this.botUser(),
        content,
        ...(replyTo ? { replyTo: String(replyTo) } : {}),
        components: body.components ?? [],
      }),
      attachments: attached.map((file) => ({
        id: this.snowflake(),
        filename: file.name,
        size: file.data.length,
        content_type: file.contentType,
        url: `https://cdn.discordapp.com/attachments/${channelId}/${messageId}/${file.name}`,
        proxy_url: `https://media.discordapp.net/attachments/${channelId}/${messageId}/${file.name}`,
      })),
    };
    // Discord sends the bot its own messages too; the adapter must ignore them.
    this.dispatch('MESSAGE_CREATE', message);
    sendJson(response, 200, message, limits);
  }
}
