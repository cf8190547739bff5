import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { listen, readParams, sendJson } from './http.ts';

/**
 * A local stand-in for Slack (https://api.slack.com), faithful in what Pincer relies on:
 * - the Web API at /api/<method> with `Authorization: Bearer`, answering HTTP 200 with
 *   `{ok: false, error}` for refused calls (invalid_auth, channel_not_found, no_text,
 *   msg_too_long) and HTTP 429 with a `Retry-After` header when rate limited: auth.test,
 *   chat.postMessage (thread_ts, Block Kit blocks), files.getUploadURLExternal + the upload URL +
 *   files.completeUploadExternal, apps.connections.open (app-level token only);
 * - the Events API: event_callback and block_actions requests signed with the signing secret
 *   (`X-Slack-Signature: v0=HMAC_SHA256(secret, "v0:ts:body")`), each sent on its own (not in
 *   order) and retried as Slack does when not answered 2xx within 3 seconds (or the connection
 *   fails): at once, after 1 minute and after 5 minutes, with X-Slack-Retry-Num and
 *   X-Slack-Retry-Reason, then given up (`X-Slack-No-Retry: 1` on an error answer stops retries);
 *   and the bot's own posts echoed back as message events (with bot_id) as Slack does;
 * - files people share, at their `url_private`: the bytes only with the bot token (without it,
 *   Slack's sign-in page, as HTML);
 * - Socket Mode: a WebSocket that greets with `hello`, sends envelopes and forgets one only when
 *   the client acknowledges its envelope_id (unacknowledged ones are sent again on reconnection).
 */
export interface SlackPost {
  kind: 'message' | 'file';
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  /** Block Kit buttons: what the person sees and the value that comes back when pressed. */
  buttons: { text: string; value: string; actionId: string }[];
  file?: { id: string; name: string; data: Buffer };
}

export type SlackTransport = 'events' | 'socket';

interface Pending {
  eventId: string;
  /** Events API: JSON (event_callback), a form with `payload` (interactivity) or a command's form. */
  body: { json: unknown } | { payload: unknown } | { form: Record<string, string> };
  socketType: 'events_api' | 'interactive' | 'slash_commands';
}

export class SlackPeer {
  readonly botToken = `xoxb-1-${'b'.repeat(24)}`;
  readonly appToken = `xapp-1-${'a'.repeat(24)}`;
  readonly signingSecret = 'f'.repeat(32);
  readonly botUserId = 'UPINCER';
  readonly posts: SlackPost[] = [];
  /** Web API calls by method, for assertions. */
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  /** Where inbound events go: the gateway's Events API URL, or the Socket Mode connection. */
  transport: SlackTransport = 'events';
  eventsUrl: string | undefined;
  /** Status codes the Events API endpoint answered, in order (0: no answer in time or no connection). */
  readonly eventAnswers: number[] = [];
  /** Retry headers of every Events API delivery that was a retry. */
  readonly retries: { eventId: string; num: number; reason: string }[] = [];
  /** Events Slack gave up on after its last retry: lost for the app. */
  readonly givenUp: string[] = [];
  /**
   * Slack's Events API delivery policy: how long it waits for a 2xx and when it retries after a
   * failure. Tests may shorten the waits between retries; the shape stays Slack's.
   */
  eventDelivery = { timeoutMs: 3_000, retryDelaysMs: [0, 60_000, 300_000] };
  rateLimitHits = 0;
  port = 0;
  private pending: Pending[] = [];
  private unacked = new Map<string, Pending>();
  private uploads = new Map<string, { name: string; length: number; data?: Buffer }>();
  private rateLimited = 0;
  private retryAfter = 1;
  private clock = 1_700_000_000;
  private counter = 0;
  /** Events API deliveries under way (sending or waiting to retry). */
  private delivering = new Set<Pending>();
  private sockets = new Set<WebSocket>();
  private wss = new WebSocketServer({ noServer: true });
  private closeServer: (() => Promise<void>) | undefined;
  /** Bytes of files people shared, by file id. */
  private readonly sharedFiles = new Map<string, Buffer>();

  static async start(): Promise<SlackPeer> {
    const peer = new SlackPeer();
    const { port, server, close } = await listen((request, response) => {
      peer
        .handle(request, response)
        .catch((error: unknown) => sendJson(response, 500, { ok: false, error: String(error) }));
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(request.url ?? '').startsWith('/socket')) return socket.destroy();
      peer.wss.handleUpgrade(request, socket, head, (ws) => peer.onSocket(ws));
    });
    peer.port = port;
    peer.closeServer = close;
    return peer;
  }

  /** The Web API root, as `channels.slack.apiUrl` takes it (with the trailing slash). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async close(): Promise<void> {
    this.eventsUrl = undefined;
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    await this.closeServer?.();
  }

  /** The next `count` Web API posting calls (chat.postMessage, files.*) are answered 429 with Retry-After. */
  rateLimit(count: number, retryAfterSeconds = 1): void {
    this.rateLimited = count;
    this.retryAfter = retryAfterSeconds;
  }

  /** A person writes in a channel (or in a thread of it); returns the message's ts. */
  userSends(options: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
    /** Files shared with the message (a `file_share` message, as Slack sends it). */
    files?: { name: string; mimetype: string; data: Buffer }[];
  }): string {
    const ts = this.nextTs();
    const files = (options.files ?? []).map((file) => {
      const id = `F${String(++this.counter).padStart(8, '0')}`;
      this.sharedFiles.set(id, file.data);
      return {
        id,
        name: file.name,
        mimetype: file.mimetype,
        size: file.data.length,
        url_private: `http://127.0.0.1:${this.port}/files-pri/TTEAM-${id}/${encodeURIComponent(file.name)}`,
      };
    });
    this.queue(
      {
        type: 'message',
        channel: options.channel,
        channel_type: options.channel.startsWith('D') ? 'im' : 'channel',
        user: options.user,
        text: escapeSlack(options.text),
        ts,
        event_ts: ts,
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        ...(files.length > 0 ? { subtype: 'file_share', files } : {}),
      },
      'events_api',
    );
    return ts;
  }

  /** A person presses a Block Kit button on one of the bot's messages. */
  pressButton(options: { user: string; post: SlackPost; value: string }): void {
    const button = options.post.buttons.find((entry) => entry.value === options.value);
    const actionTs = this.nextTs();
    this.queue(
      {
        type: 'block_actions',
        user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase() },
        api_app_id: 'APINCER',
        token: 'verification-token-unused',
        container: {
          type: 'message',
          message_ts: options.post.ts,
          channel_id: options.post.channel,
          is_ephemeral: false,
          ...(options.post.threadTs ? { thread_ts: options.post.threadTs } : {}),
        },
        trigger_id: `${this.counter}.trigger`,
        team: { id: 'TTEAM', domain: 'test' },
        channel: { id: options.post.channel, name: 'general' },
        message: {
          type: 'message',
          ts: options.post.ts,
          bot_id: 'BPINCER',
          text: options.post.text,
          ...(options.post.threadTs ? { thread_ts: options.post.threadTs } : {}),
        },
        response_url: `http://127.0.0.1:${this.port}/response`,
        actions: [
          {
            type: 'button',
            action_id: button?.actionId ?? 'unknown',
            block_id: 'b1',
            value: options.value,
            text: { type: 'plain_text', text: button?.text ?? '' },
            action_ts: actionTs,
          },
        ],
      },
      'interactive',
    );
  }

  /** A person runs a slash command registered by the app (`/run` with text `echo {...}`). */
  slashCommand(options: { channel: string; user: string; command: string; text: string }): void {
    this.counter += 1;
    this.pending.push({
      eventId: `Cmd${this.counter}`,
      body: {
        form: {
          token: 'verification-token-unused',
          team_id: 'TTEAM',
          channel_id: options.channel,
          channel_name: 'general',
          user_id: options.user,
          user_name: options.user.toLowerCase(),
          command: options.command,
          text: escapeSlack(options.text),
          api_app_id: 'APINCER',
          response_url: `http://127.0.0.1:${this.port}/response`,
          trigger_id: `${this.counter}.trigger`,
        },
      },
      socketType: 'slash_commands',
    });
    this.deliver();
  }

  /** Slack asks the Socket Mode client to reconnect (it does so every few hours). */
  requestReconnect(): void {
    for (const socket of this.sockets)
      socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: {} }));
  }

  /** Posts a body to the Events API URL with the given signature material; returns the HTTP answer. */
  async postSigned(
    body: unknown,
    options: { secret?: string; timestamp?: number } = {},
  ): Promise<{ status: number; body: string }> {
    if (!this.eventsUrl) throw new Error('no events URL set');
    const raw = JSON.stringify(body);
    const response = await fetch(this.eventsUrl, {
      method: 'POST',
      headers: this.signedHeaders(raw, 'application/json', options),
      body: raw,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: await response.text() };
  }

  /** An event_callback body for a person's message, not queued: for forged/replayed deliveries. */
  messageEvent(options: { channel: string; user: string; text: string }) {
    const ts = this.nextTs();
    return {
      type: 'event_callback',
      team_id: 'TTEAM',
      api_app_id: 'APINCER',
      event_id: `Ev${ts.replace('.', '')}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: options.channel, user: options.user, text: options.text, ts },
    };
  }

  postsIn(channel: string): SlackPost[] {
    return this.posts.filter((post) => post.channel === channel);
  }

  /** Inbound events Slack still holds (not answered 200 / acknowledged). */
  undelivered(): number {
    return this.pending.length + this.unacked.size;
  }

  private nextTs(): string {
    this.counter += 1;
    return `${this.clock + this.counter}.${String(this.counter).padStart(6, '0')}`;
  }

  private queue(event: Record<string, unknown>, socketType: Pending['socketType']): void {
    const eventId = `Ev${String(this.counter).padStart(8, '0')}`;
    const body: Pending['body'] =
      socketType === 'interactive'
        ? { payload: event }
        : {
            json: {
              type: 'event_callback',
              team_id: 'TTEAM',
              api_app_id: 'APINCER',
              event_id: eventId,
              event_time: Math.floor(Date.now() / 1000),
              event,
            },
          };
    this.pending.push({ eventId, body, socketType });
    this.deliver();
  }

  private deliver(): void {
    if (this.transport === 'socket') {
      const socket = [...this.sockets][0];
      if (!socket) return;
      for (const item of this.pending.splice(0)) this.sendEnvelope(socket, item);
      return;
    }
    for (const item of this.pending) if (!this.delivering.has(item)) void this.deliverEvent(item);
  }

  private signedHeaders(
    raw: string,
    contentType: string,
    options: { secret?: string; timestamp?: number } = {},
  ) {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', options.secret ?? this.signingSecret)
      .update(`v0:${timestamp}:${raw}`)
      .digest('hex');
    return {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${signature}`,
    };
  }

  /**
   * Events API: one event's delivery, on its own like Slack's; a failure is retried on Slack's
   * schedule, and after the last retry the event is given up. An event left while there is no
   * events URL (or Socket Mode is on) stays pending for the next delivery.
   */
  private async deliverEvent(item: Pending): Promise<void> {
    this.delivering.add(item);
    try {
      let reason = '';
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) {
          const delay = this.eventDelivery.retryDelaysMs[attempt - 1];
          if (delay === undefined) return this.giveUp(item);
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
        }
        if (this.transport !== 'events' || !this.eventsUrl) return;
        const outcome = await this.postEvent(this.eventsUrl, item, attempt, reason);
        if (outcome.delivered) {
          this.pending = this.pending.filter((entry) => entry !== item);
          return;
        }
        if (outcome.noRetry) return this.giveUp(item);
        reason = outcome.reason;
      }
    } finally {
      this.delivering.delete(item);
    }
  }

  private giveUp(item: Pending): void {
    this.pending = this.pending.filter((entry) => entry !== item);
    this.givenUp.push(item.eventId);
  }

  private async postEvent(
    url: string,
    item: Pending,
    attempt: number,
    lastReason: string,
  ): Promise<{ delivered: boolean; noRetry: boolean; reason: string }> {
    const [raw, contentType] =
      'json' in item.body
        ? [JSON.stringify(item.body.json), 'application/json']
        : 'form' in item.body
          ? [new URLSearchParams(item.body.form).toString(), 'application/x-www-form-urlencoded']
          : [
              new URLSearchParams({ payload: JSON.stringify(item.body.payload) }).toString(),
              'application/x-www-form-urlencoded',
            ];
    if (attempt > 0) this.retries.push({ eventId: item.eventId, num: attempt, reason: lastReason });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          ...this.signedHeaders(raw, contentType),
          ...(attempt > 0
            ? { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': lastReason }
            : {}),
        },
        body: raw,
        signal: AbortSignal.timeout(this.eventDelivery.timeoutMs),
      });
      await response.arrayBuffer();
      this.eventAnswers.push(response.status);
      const delivered = response.status >= 200 && response.status < 300;
      return { delivered, noRetry: response.headers.get('x-slack-no-retry') === '1', reason: 'http_error' };
    } catch (error) {
      this.eventAnswers.push(0);
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return { delivered: false, noRetry: false, reason: timedOut ? 'http_timeout' : 'connection_failed' };
    }
  }

  private onSocket(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string };
      if (ack.envelope_id) this.unacked.delete(ack.envelope_id);
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-local', approximate_connection_time: 18060 },
        connection_info: { app_id: 'APINCER' },
      }),
    );
    // Slack sends what was never acknowledged again on a new connection.
    for (const item of [...this.unacked.values()]) this.sendEnvelope(socket, item);
    this.deliver();
  }

  private sendEnvelope(socket: WebSocket, item: Pending): void {
    const envelopeId = randomUUID();
    for (const [id, entry] of this.unacked) if (entry === item) this.unacked.delete(id);
    this.unacked.set(envelopeId, item);
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: item.socketType,
        payload:
          'json' in item.body ? item.body.json : 'form' in item.body ? item.body.form : item.body.payload,
        accepts_response_payload: item.socketType === 'interactive',
        retry_attempt: 0,
        retry_reason: '',
      }),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${this.port}`);
    const upload = url.pathname.match(/^\/upload\/(\w+)$/);
    if (upload) return this.receiveUpload(upload[1] ?? '', request, response);
    const shared = url.pathname.match(/^\/files-pri\/TTEAM-(\w+)\//);
    if (shared) {
      const data = this.sharedFiles.get(shared[1] ?? '');
      if (request.headers.authorization !== `Bearer ${this.botToken}` || !data) {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Sign in to Slack</body></html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      response.end(data);
      return;
    }
    const match = url.pathname.match(/^\/api\/([\w.]+)$/);
    if (!match) return sendJson(response, 404, { ok: false, error: 'unknown_method' });
    const method = match[1] ?? '';
    const { params } = await readParams(request, url);
    const token =
      String(request.headers.authorization ?? '').replace(/^Bearer /, '') || String(params.token ?? '');
    const appLevel = method === 'apps.connections.open';
    if (token !== (appLevel ? this.appToken : this.botToken))
      return sendJson(response, 200, {
        ok: false,
        error: appLevel ? 'not_allowed_token_type' : 'invalid_auth',
      });
    this.calls.push({ method, params });
    const ok = (result: Record<string, unknown>) => sendJson(response, 200, { ok: true, ...result });
    const posting = method === 'chat.postMessage' || method.startsWith('files.');
    if (posting && this.rateLimited > 0) {
      this.rateLimited -= 1;
      this.rateLimitHits += 1;
      return sendJson(
        response,
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(this.retryAfter) },
      );
    }
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'pincer',
          team_id: 'TTEAM',
          user_id: this.botUserId,
          bot_id: 'BPINCER',
        });
      case 'apps.connections.open':
        return ok({ url: `ws://127.0.0.1:${this.port}/socket?ticket=${randomUUID()}` });
      case 'chat.postMessage':
        return this.postMessage(params, response);
      case 'files.getUploadURLExternal': {
        const length = Number(params.length);
        if (!params.filename || !Number.isInteger(length) || length <= 0)
          return sendJson(response, 200, { ok: false, error: 'invalid_arguments' });
        const fileId = `F${String(++this.counter).padStart(8, '0')}`;
        this.uploads.set(fileId, { name: String(params.filename), length });
        return ok({ upload_url: `http://127.0.0.1:${this.port}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        const files = (Array.isArray(params.files) ? params.files : []) as { id?: string; title?: string }[];
        const channel = String(params.channel_id ?? '');
        const shared = [];
        for (const entry of files) {
          const stored = this.uploads.get(String(entry.id));
          if (!stored?.data) return sendJson(response, 200, { ok: false, error: 'file_not_found' });
          const post: SlackPost = {
            kind: 'file',
            channel,
            ts: this.nextTs(),
            ...(params.thread_ts ? { threadTs: String(params.thread_ts) } : {}),
            buttons: [],
            file: { id: String(entry.id), name: stored.name, data: stored.data },
          };
          this.posts.push(post);
          shared.push({ id: entry.id, name: stored.name, title: entry.title ?? stored.name });
        }
        return ok({ files: shared });
      }
      default:
        return sendJson(response, 200, { ok: false, error: 'unknown_method' });
    }
  }

  private postMessage(params: Record<string, unknown>, response: ServerResponse) {
    const channel = typeof params.channel === 'string' ? params.channel : '';
    if (!channel) return sendJson(response, 200, { ok: false, error: 'channel_not_found' });
    const text = typeof params.text === 'string' ? params.text : '';
    const blocks = (Array.isArray(params.blocks) ? params.blocks : []) as {
      type: string;
      elements?: { type: string; text?: { text: string }; value?: string; action_id?: string }[];
    }[];
    if (!text && blocks.length === 0) return sendJson(response, 200, { ok: false, error: 'no_text' });
    if (text.length > 40_000) return sendJson(response, 200, { ok: false, error: 'msg_too_long' });
    const buttons = blocks
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .filter((element) => element.type === 'button')
      .map((element) => ({
        text: element.text?.text ?? '',
        value: element.value ?? '',
        actionId: element.action_id ?? '',
      }));
    const ts = this.nextTs();
    const threadTs = typeof params.thread_ts === 'string' && params.thread_ts ? params.thread_ts : undefined;
    this.posts.push({ kind: 'message', channel, ts, ...(threadTs ? { threadTs } : {}), text, buttons });
    // Slack echoes the bot's own post as a message event: the receiver must ignore it.
    this.queue(
      {
        type: 'message',
        channel,
        bot_id: 'BPINCER',
        user: this.botUserId,
        text,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      },
      'events_api',
    );
    sendJson(response, 200, {
      ok: true,
      channel,
      ts,
      message: { type: 'message', text, bot_id: 'BPINCER', ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
    });
  }

  private async receiveUpload(fileId: string, request: IncomingMessage, response: ServerResponse) {
    const stored = this.uploads.get(fileId);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (!stored) {
      response.writeHead(404);
      response.end('file not found');
      return;
    }
    stored.data = Buffer.concat(chunks);
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`OK - ${stored.data.length}`);
  }
}

/** Slack escapes &, < and > in message text. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
