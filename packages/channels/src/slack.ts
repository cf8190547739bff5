import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { z } from 'zod';
import {
  type AdapterLog,
  ChannelError,
  type ChannelSender,
  ConnectedReceiver,
  classifyHttpFailure,
  defineChannel,
  httpFailure,
  type ResolvedFile,
  type SendProgress,
  sendParts,
  type WebhookRoute,
} from './adapter.ts';
import { downloadCapped, type FetchedFile, mediaTypeOf, tooLarge } from './download.ts';
import {
  type Attachment,
  cleanText,
  type InboundEvent,
  type ParsedOutboundMessage,
  sessionIdOf,
} from './message.ts';
import { splitText } from './text.ts';

export interface SlackOptions {
  /** The bot token (xoxb-...): Web API calls. */
  botToken: string;
  mode: 'events' | 'socket';
  /** Events API: every request must carry a valid v0 signature made with it. */
  signingSecret?: string;
  /** Socket Mode: the app-level token (xapp-...) that opens the WebSocket. */
  appToken?: string;
  /** The Web API root, ending in "/" (a local stand-in in tests). */
  apiUrl?: string;
  log?: AdapterLog;
}

/** Where the Events API (and interactivity: button presses) posts on the gateway's webhook server. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Slack refuses requests signed longer ago than this (replay protection). */
const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

/** A section block's text limit; longer answers go out in parts. */
const SLACK_TEXT_LIMIT = 3000;

const SlackFileSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
});

/** A `message` or `app_mention` event, as far as Pincer reads it. */
const SlackMessageEventSchema = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  files: z.array(SlackFileSchema).optional(),
});

/** The outer envelope of the Events API (HTTP body, or a Socket Mode `events_api` payload). */
const SlackEventsBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  z.object({
    type: z.literal('event_callback'),
    event_id: z.string().optional(),
    event: z.looseObject({ type: z.string() }),
  }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

/** An interactivity payload: a button press on one of our messages. */
const SlackBlockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  container: z
    .object({
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({ value: z.string().optional(), action_ts: z.string().optional(), action_id: z.string() }),
    )
    .min(1),
});

/** A slash command (`/run echo` registered as a command of the app). */
const SlackSlashCommandSchema = z.object({
  command: z.string().startsWith('/'),
  text: z.string().default(''),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  trigger_id: z.string().min(1),
});

/** Slack escapes these three in message text; everything else arrives as written. */
function unescapeSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function attachmentOf(file: z.infer<typeof SlackFileSchema>): Attachment {
  const mediaType = file.mimetype ?? '';
  const type = mediaType.startsWith('image/')
    ? 'image'
    : mediaType.startsWith('audio/')
      ? 'audio'
      : mediaType.startsWith('video/')
        ? 'video'
        : 'document';
  return {
    type,
    url: file.url_private ?? `slack-file:${file.id}`,
    ...(file.name ? { name: file.name } : {}),
    ...(file.mimetype ? { mediaType: file.mimetype } : {}),
    ...(file.size !== undefined ? { size: file.size } : {}),
  };
}

/**
 * A Slack `message`/`app_mention` event as Pincer's inbound event; null for what Pincer does not
 * handle (bot messages, including our own, edits, deletions, joins). The conversation is the
 * channel, or the thread when the message is in one; replies go to the same place. The dedupe key
 * is channel + ts, so a message that arrives as both `message` and `app_mention`, or again after a
 * retry, is handled once.
 */
export function normalizeSlackEvent(raw: unknown, receivedAt: Date, botUserId?: string): InboundEvent | null {
  const parsed = SlackMessageEventSchema.safeParse(raw);
  if (!parsed.success) return null;
  const event = parsed.data;
  if (event.bot_id || !event.user || event.user === botUserId) return null;
  if (event.subtype && event.subtype !== 'file_share' && event.subtype !== 'thread_broadcast') return null;
  // "@pincer /run echo" in a channel: the mention is how people address the bot, not the command.
  const mentionless = unescapeSlack(event.text ?? '').replace(/^\s*<@[A-Z0-9]+>\s*/, '');
  const { text, truncated } = cleanText(mentionless);
  const threadId = event.thread_ts;
  return {
    kind: 'message',
    message: {
      session_id: sessionIdOf('slack', event.channel, threadId),
      sender: { platform: 'slack', user_id: event.user },
      content: {
        text,
        attachments: (event.files ?? []).map(attachmentOf),
        ...(truncated ? { truncated } : {}),
      },
      context: { prev_messages: [] },
      platform_ids: {
        message_id: `${event.channel}:${event.ts}`,
        chat_id: event.channel,
        ...(threadId ? { thread_id: threadId } : {}),
      },
      received_at: receivedAt.toISOString(),
    },
  };
}

/** A block_actions payload (a button press) as Pincer's inbound action; null when it is not ours. */
export function normalizeSlackAction(raw: unknown, receivedAt: Date): InboundEvent | null {
  const parsed = SlackBlockActionsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const payload = parsed.data;
  const action = payload.actions[0];
  const chatId = payload.channel?.id ?? payload.container?.channel_id;
  const messageTs = payload.message?.ts ?? payload.container?.message_ts;
  if (!action?.value || !chatId || !messageTs) return null;
  const threadId = payload.message?.thread_ts ?? payload.container?.thread_ts;
  const name = payload.user.name ?? payload.user.username;
  return {
    kind: 'action',
    action: {
      session_id: sessionIdOf('slack', chatId, threadId),
      sender: {
        platform: 'slack',
        user_id: payload.user.id,
        ...(name ? { name: cleanText(name).text } : {}),
      },
      data: action.value.slice(0, 64),
      platform_ids: {
        message_id: `action:${chatId}:${messageTs}:${payload.user.id}:${action.action_ts ?? action.action_id}`,
        chat_id: chatId,
        ...(threadId ? { thread_id: threadId } : {}),
      },
      received_at: receivedAt.toISOString(),
    },
  };
}

/** A slash command as a message with the command's text (`/run` + ` echo {...}`). */
export function normalizeSlackCommand(raw: unknown, receivedAt: Date): InboundEvent | null {
  const parsed = SlackSlashCommandSchema.safeParse(raw);
  if (!parsed.success) return null;
  const command = parsed.data;
  const { text, truncated } = cleanText(`${command.command} ${unescapeSlack(command.text)}`.trim());
  return {
    kind: 'message',
    message: {
      session_id: sessionIdOf('slack', command.channel_id),
      sender: {
        platform: 'slack',
        user_id: command.user_id,
        ...(command.user_name ? { name: cleanText(command.user_name).text } : {}),
      },
      content: { text, attachments: [], ...(truncated ? { truncated } : {}) },
      context: { prev_messages: [] },
      platform_ids: { message_id: `command:${command.trigger_id}`, chat_id: command.channel_id },
      received_at: receivedAt.toISOString(),
    },
  };
}

/** Checks Slack's v0 request signature: HMAC-SHA256(secret, "v0:<timestamp>:<body>"), recent timestamp. */
export function verifySlackSignature(options: {
  signingSecret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
  now?: Date;
}): { ok: true } | { ok: false; reason: string } {
  const seconds = Number(options.timestamp);
  if (!options.timestamp || !Number.isInteger(seconds))
    return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - seconds) > SIGNATURE_MAX_AGE_SECONDS)
    return {
      ok: false,
      reason: 'X-Slack-Request-Timestamp is more than 5 minutes off: replayed or a wrong clock',
    };
  const expected = Buffer.from(
    `v0=${createHmac('sha256', options.signingSecret)
      .update(`v0:${options.timestamp}:`)
      .update(options.body)
      .digest('hex')}`,
  );
  const given = Buffer.from(options.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'X-Slack-Signature does not match: check channels.slack.signingSecret' };
  return { ok: true };
}

function clientOf(token: string, apiUrl: string | undefined): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    // Retries belong to the outbox (which honours Retry-After), not to a hidden loop in here.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    timeout: 30_000,
  });
}

function hasCode(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

const REFUSED_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
]);
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** An HTTP status from Slack as a ChannelError: 403 too means the token was refused. */
function slackHttpFailure(
  status: number,
  retryAfterSeconds: number | undefined,
  message: string,
): ChannelError {
  const failure = classifyHttpFailure(status === 403 ? 401 : status, (retryAfterSeconds ?? 1) * 1000);
  const text =
    failure.code === 'refused'
      ? `${message}: check channels.slack.botToken / appToken and the app's scopes`
      : failure.code === 'rate_limited'
        ? `Slack rate limit: retry after ${retryAfterSeconds ?? 1} s`
        : message;
  return new ChannelError(failure.code, text, failure.retryable, failure.retryAfterMs);
}

/** A Web API failure as a ChannelError: 429 carries Retry-After, auth errors mean the token was refused. */
export function slackError(error: unknown): unknown {
  if (!hasCode(error)) return error;
  if (error.code === ErrorCode.RateLimitedError) {
    const seconds = 'retryAfter' in error && typeof error.retryAfter === 'number' ? error.retryAfter : 1;
    return httpFailure(429, `Slack rate limit: retry after ${seconds} s`, seconds * 1000);
  }
  if (error.code === ErrorCode.PlatformError) {
    const data = 'data' in error && typeof error.data === 'object' && error.data !== null ? error.data : {};
    const code = 'error' in data && typeof data.error === 'string' ? data.error : 'unknown_error';
    if (code === 'ratelimited')
      return new ChannelError('rate_limited', 'Slack rate limit: retry after 1 s', true, 1000);
    if (REFUSED_ERRORS.has(code))
      return new ChannelError(
        'refused',
        `Slack refused the token (${code}): check channels.slack.botToken / appToken and the app's scopes`,
        false,
      );
    if (TRANSIENT_ERRORS.has(code)) return new ChannelError('unavailable', `Slack: ${code}`, true);
    return new ChannelError('rejected', `Slack refused the call: ${code}`, false);
  }
  if (error.code === ErrorCode.HTTPError) {
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 0;
    return slackHttpFailure(status, undefined, `Slack answered HTTP ${status}`);
  }
  if (error.code === ErrorCode.RequestError)
    return new ChannelError('unavailable', `Slack unreachable: ${error.message}`, true);
  return error;
}

const SocketEnvelopeSchema = z.looseObject({
  type: z.string(),
  envelope_id: z.string().optional(),
  payload: z.unknown().optional(),
  reason: z.string().optional(),
});

const ConnectionsOpenSchema = z.object({ ok: z.literal(true), url: z.string().min(1) });

/**
 * Receives Slack events through the Events API (a signed HTTP route on the gateway's webhook
 * server, answered 200 only once the event is handed to Temporal, so Slack retries anything we
 * did not take) or through Socket Mode (a WebSocket whose envelopes are acknowledged only after
 * hand-over; Slack redelivers unacknowledged ones on the next connection).
 */
export class SlackReceiver extends ConnectedReceiver<'slack'> {
  private readonly client: WebClient;
  private botUserId: string | undefined;
  /** Event ids handed over lately: Slack's retries of them are answered at once. */
  private readonly handed = new Set<string>();

  constructor(private readonly options: SlackOptions) {
    super('slack', options.log);
    this.client = clientOf(options.botToken, options.apiUrl);
  }

  protected async connect(signal: AbortSignal, connected: () => void): Promise<void> {
    try {
      const identity = await this.client.auth.test();
      this.botUserId = identity.user_id;
    } catch (error) {
      if (signal.aborted) return;
      throw slackError(error);
    }
    if (this.options.mode === 'socket') return this.socket(signal, connected);
    connected();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** One Socket Mode connection: resolves when stopped, throws when it drops (the Reconnector reopens it). */
  private async socket(signal: AbortSignal, connected: () => void): Promise<void> {
    const url = await this.openConnection();
    if (signal.aborted) return;
    const socket = new WebSocket(url);
    // Envelopes are handled one at a time, in order.
    let chain = Promise.resolve();
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        socket.close(1000);
        resolve();
      };
      signal.addEventListener('abort', stop, { once: true });
      socket.on('message', (data) => {
        let envelope: z.infer<typeof SocketEnvelopeSchema>;
        try {
          envelope = SocketEnvelopeSchema.parse(JSON.parse(String(data)));
        } catch {
          return;
        }
        if (envelope.type === 'hello') return connected();
        if (envelope.type === 'disconnect') {
          // Slack rotates connections: open a new one now.
          socket.close(1000);
          return;
        }
        chain = chain.then(() => this.onEnvelope(socket, envelope, signal));
      });
      socket.on('error', (error) => {
        signal.removeEventListener('abort', stop);
        reject(new ChannelError('unavailable', `Slack Socket Mode: ${error.message}`, true));
      });
      socket.on('close', () => {
        signal.removeEventListener('abort', stop);
        if (signal.aborted) resolve();
        else reject(new ChannelError('unavailable', 'Slack closed the Socket Mode connection', true));
      });
    });
    await chain;
  }

  private async openConnection(): Promise<string> {
    const appToken = this.options.appToken;
    if (!appToken)
      throw new ChannelError('refused', 'Socket Mode needs channels.slack.appToken (xapp-...)', false);
    try {
      const answer = await this.client.apiCall('apps.connections.open', { token: appToken });
      return ConnectionsOpenSchema.parse(answer).url;
    } catch (error) {
      throw slackError(error);
    }
  }

  private async onEnvelope(
    socket: WebSocket,
    envelope: z.infer<typeof SocketEnvelopeSchema>,
    signal: AbortSignal,
  ): Promise<void> {
    const event = this.eventOfEnvelope(envelope);
    // Not acknowledged when stopping first: Slack sends the envelope again on the next connection.
    if (event && !(await this.handOver(event, signal))) return;
    if (envelope.envelope_id && socket.readyState === WebSocket.OPEN)
      socket.send(JSON.stringify({ envelope_id: envelope.envelope_id }));
  }

  private eventOfEnvelope(envelope: z.infer<typeof SocketEnvelopeSchema>): InboundEvent | null {
    const now = new Date();
    if (envelope.type === 'events_api') {
      const body = SlackEventsBodySchema.safeParse(envelope.payload);
      return body.success && body.data.type === 'event_callback'
        ? normalizeSlackEvent(body.data.event, now, this.botUserId)
        : null;
    }
    if (envelope.type === 'interactive') return normalizeSlackAction(envelope.payload, now);
    if (envelope.type === 'slash_commands') return normalizeSlackCommand(envelope.payload, now);
    return null;
  }

  routes(): WebhookRoute[] {
    if (this.options.mode !== 'events') return [];
    return [
      {
        path: SLACK_EVENTS_PATH,
        handle: (request, body, response) => this.onRequest(request, body, response),
      },
    ];
  }

  private async onRequest(
    request: Parameters<WebhookRoute['handle']>[0],
    body: Buffer,
    response: Parameters<WebhookRoute['handle']>[2],
  ): Promise<void> {
    const answer = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    const verified = verifySlackSignature({
      signingSecret: this.options.signingSecret ?? '',
      signature: header(request.headers['x-slack-signature']),
      timestamp: header(request.headers['x-slack-request-timestamp']),
      body,
    });
    if (!this.options.signingSecret || !verified.ok)
      return answer(401, { error: verified.ok ? 'no signing secret configured' : verified.reason });
    const contentType = header(request.headers['content-type']) ?? '';
    let event: InboundEvent | null;
    let eventId: string | undefined;
    try {
      if (contentType.startsWith('application/x-www-form-urlencoded')) {
        const form = new URLSearchParams(body.toString('utf8'));
        const payload = form.get('payload');
        event = payload
          ? normalizeSlackAction(JSON.parse(payload), new Date())
          : normalizeSlackCommand(Object.fromEntries(form), new Date());
      } else {
        const parsed = SlackEventsBodySchema.parse(JSON.parse(body.toString('utf8')));
        if (parsed.type === 'url_verification') return answer(200, { challenge: parsed.challenge });
        if (parsed.type !== 'event_callback') return answer(200, {});
        eventId = parsed.event_id;
        event = normalizeSlackEvent(parsed.event, new Date(), this.botUserId);
      }
    } catch {
      return answer(400, { error: 'the body is not a Slack event, interaction or command' });
    }
    if (event && this.sink && !(eventId && this.handed.has(eventId))) {
      // Slack retries unless it gets a 200: answer only once the event is durable.
      await this.sink(event);
      this.received += 1;
      if (eventId) this.remember(eventId);
    } else if (event && !this.sink) {
      return answer(503, { error: 'starting: try again' });
    }
    // An empty 200: for a slash command Slack shows nothing; the answer comes as a message.
    response.writeHead(200);
    response.end();
  }

  private remember(eventId: string): void {
    this.handed.add(eventId);
    if (this.handed.size > 1000) {
      const oldest = this.handed.values().next().value;
      if (oldest !== undefined) this.handed.delete(oldest);
    }
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const UploadUrlSchema = z.object({ upload_url: z.string().min(1), file_id: z.string().min(1) });

/**
 * Sends to Slack: chat.postMessage into the channel (and thread), approval buttons as Block Kit
 * actions whose `value` comes back in block_actions, files through the external upload flow
 * (files.getUploadURLExternal, upload, files.completeUploadExternal).
 */
export class SlackSender implements ChannelSender {
  readonly platform = 'slack' as const;
  readonly textLimit = SLACK_TEXT_LIMIT;
  private readonly client: WebClient;

  constructor(private readonly options: Pick<SlackOptions, 'botToken' | 'apiUrl'>) {
    this.client = clientOf(options.botToken, options.apiUrl);
  }

  /** url_private with the bot token; the token goes only to Slack's file host (or the configured API's). */
  async fetchAttachment(attachment: Attachment, maxBytes: number): Promise<FetchedFile> {
    const name = attachment.name ?? 'file';
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw tooLarge('slack', name, attachment.size, maxBytes);
    if (!URL.canParse(attachment.url))
      throw new ChannelError('rejected', `Slack file "${name}" has no url_private to fetch`, false);
    const trustedOrigins = ['https://files.slack.com'];
    if (this.options.apiUrl) trustedOrigins.push(new URL(this.options.apiUrl).origin);
    const { data, mediaType } = await downloadCapped(new URL(attachment.url), {
      platform: 'slack',
      name,
      maxBytes,
      trustedOrigins,
      headers: { authorization: `Bearer ${this.options.botToken}` },
    });
    return { name, mediaType: mediaTypeOf(name, attachment.mediaType, mediaType), data };
  }

  async send(
    message: ParsedOutboundMessage,
    files: ResolvedFile[],
    progress?: SendProgress,
  ): Promise<{ messageId: string }> {
    const channel = message.chat_id;
    const thread = message.thread_id ? { thread_ts: message.thread_id } : {};
    const links = files.filter((file) => !file.data && file.url).map((file) => `${file.name}: ${file.url}`);
    const text = [message.text, ...links].filter(Boolean).join('\n');
    const textParts = text ? splitText(text, this.textLimit) : [];
    if (textParts.length === 0 && message.buttons.length > 0) textParts.push('Choose:');
    const parts = [
      ...textParts.map((part, index) => async () => {
        const last = index === textParts.length - 1;
        const sent = await this.client.chat.postMessage({
          channel,
          text: part,
          ...thread,
          ...(last && message.buttons.length > 0 ? { blocks: this.buttonBlocks(part, message.buttons) } : {}),
        });
        return sent.ts ?? '';
      }),
      ...files
        .filter((file) => file.data)
        .map(
          (file) => () => this.upload(channel, message.thread_id, file.name, file.data ?? Buffer.alloc(0)),
        ),
    ];
    try {
      return { messageId: `${channel}:${await sendParts(parts, progress)}` };
    } catch (error) {
      throw slackError(error);
    }
  }

  private buttonBlocks(text: string, buttons: ParsedOutboundMessage['buttons']) {
    return [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: buttons.map((button, index) => ({
          type: 'button',
          action_id: `pincer_${index}`,
          text: { type: 'plain_text', text: button.label },
          value: button.data,
          ...(button.data.startsWith('approve:') ? { style: 'primary' } : {}),
          ...(button.data.startsWith('reject:') ? { style: 'danger' } : {}),
        })),
      },
    ];
  }

  /** One file: ask for an upload URL, send the bytes there, then share it in the channel (and thread). */
  private async upload(
    channel: string,
    thread: string | undefined,
    name: string,
    data: Buffer,
  ): Promise<string> {
    const target = UploadUrlSchema.parse(
      await this.client.files.getUploadURLExternal({ filename: name, length: data.length }),
    );
    const uploaded = await fetch(target.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
      signal: AbortSignal.timeout(60_000),
    }).catch((error: unknown) => {
      throw new ChannelError(
        'unavailable',
        `Slack file upload unreachable: ${error instanceof Error ? error.message : String(error)}`,
        true,
      );
    });
    if (!uploaded.ok)
      throw slackHttpFailure(
        uploaded.status,
        Number(uploaded.headers.get('retry-after') ?? 1) || 1,
        `Slack file upload answered HTTP ${uploaded.status}`,
      );
    await this.client.files.completeUploadExternal({
      files: [{ id: target.file_id, title: name }],
      channel_id: channel,
      ...(thread ? { thread_ts: thread } : {}),
    });
    return target.file_id;
  }
}

export const slackChannel = defineChannel<'slack'>({
  receiver: (section, { log }) =>
    new SlackReceiver({
      botToken: section.botToken,
      mode: section.mode,
      ...(section.signingSecret ? { signingSecret: section.signingSecret } : {}),
      ...(section.appToken ? { appToken: section.appToken } : {}),
      ...(section.apiUrl ? { apiUrl: section.apiUrl } : {}),
      log,
    }),
  sender: (section) =>
    new SlackSender({ botToken: section.botToken, ...(section.apiUrl ? { apiUrl: section.apiUrl } : {}) }),
});
