import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readParams, sendJson } from './http.ts';

/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), faithful in
 * what Pincer relies on: /bot<token>/<method>, getUpdates long polling with offset confirmation,
 * webhooks with the secret token header (redelivered until answered 200), sendMessage with reply
 * parameters and inline keyboards, sendDocument (multipart), answerCallbackQuery, 401 for a wrong
 * token and 429 with retry_after when rate limited. Files people send are served as the Bot API
 * does: getFile gives a file_path, the bytes are at /file/bot<token>/<file_path>.
 */
export interface SentMessage {
  method: 'sendMessage' | 'sendDocument';
  chatId: string;
  messageId: number;
  text?: string;
  replyTo?: number;
  threadId?: number;
  buttons: { text: string; callback_data: string }[];
  document?: { name: string; data: Buffer };
}

interface Update {
  update_id: number;
  [key: string]: unknown;
}

export class TelegramPeer {
  readonly token = `123456:${'A'.repeat(35)}`;
  readonly sent: SentMessage[] = [];
  /** Every Bot API call by method, for assertions on acknowledgements. */
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  private updates: Update[] = [];
  private nextUpdateId = 1000;
  private nextMessageId = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private rateLimited = 0;
  private retryAfter = 1;
  /** 429 answers given so far. */
  rateLimitHits = 0;
  private webhook: { url: string; secret?: string } | undefined;
  private sentListeners: ((message: SentMessage) => void)[] = [];
  private delivering = false;
  private closeServer: (() => Promise<void>) | undefined;
  /** Files people sent, by file_id. */
  private readonly files = new Map<string, { path: string; data: Buffer }>();
  port = 0;

  static async start(): Promise<TelegramPeer> {
    const peer = new TelegramPeer();
    const { port, close } = await listen((request, response) => {
      peer
        .handle(request, response)
        .catch((error: unknown) =>
          sendJson(response, 500, { ok: false, error_code: 500, description: String(error) }),
        );
    });
    peer.port = port;
    peer.closeServer = close;
    return peer;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.webhook = undefined;
    for (const wake of this.waiters.splice(0)) wake();
    await this.closeServer?.();
  }

  /** The next `count` sends are answered 429 with retry_after. */
  rateLimit(count: number, retryAfterSeconds = 1): void {
    this.rateLimited = count;
    this.retryAfter = retryAfterSeconds;
  }

  /** A person writes in a chat; returns the message id Telegram gave it. */
  userSends(options: {
    chatId: number;
    userId: number;
    text: string;
    firstName?: string;
    threadId?: number;
    document?: { fileId: string; name: string; data?: Buffer; mimeType?: string };
    /** A photo (Telegram sends its sizes; the largest last). */
    photo?: { fileId: string; data: Buffer };
  }): number {
    const messageId = this.messageIdFor(String(options.chatId));
    const document = options.document;
    if (document?.data)
      this.files.set(document.fileId, { path: `documents/${document.name}`, data: document.data });
    const photo = options.photo;
    if (photo) this.files.set(photo.fileId, { path: `photos/file_${this.files.size}.jpg`, data: photo.data });
    this.push({
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: options.chatId, type: options.chatId > 0 ? 'private' : 'group' },
        from: { id: options.userId, is_bot: false, first_name: options.firstName ?? `user${options.userId}` },
        ...(document
          ? {
              caption: options.text,
              document: {
                file_id: document.fileId,
                file_unique_id: document.fileId,
                file_name: document.name,
                ...(document.mimeType ? { mime_type: document.mimeType } : {}),
                ...(document.data ? { file_size: document.data.length } : {}),
              },
            }
          : photo
            ? {
                caption: options.text,
                photo: [
                  { file_id: `${photo.fileId}-small`, file_unique_id: 's', width: 90, height: 90 },
                  {
                    file_id: photo.fileId,
                    file_unique_id: photo.fileId,
                    width: 800,
                    height: 600,
                    file_size: photo.data.length,
                  },
                ],
              }
            : { text: options.text }),
        ...(options.threadId ? { message_thread_id: options.threadId, is_topic_message: true } : {}),
      },
    });
    return messageId;
  }

  /** A person presses an inline keyboard button under one of the bot's messages. */
  pressButton(options: { chatId: number; userId: number; data: string; messageId: number }): string {
    const id = `cb${this.nextUpdateId}`;
    this.push({
      callback_query: {
        id,
        from: { id: options.userId, is_bot: false, first_name: `user${options.userId}` },
        chat_instance: 'ci',
        data: options.data,
        message: {
          message_id: options.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: options.chatId, type: 'private' },
          from: { id: 1, is_bot: true, first_name: 'pincer' },
          text: 'buttons',
        },
      },
    });
    return id;
  }

  /** Resolves with the first message sent from now on that `matches`. */
  nextSent(matches: (message: SentMessage) => boolean, timeoutMs = 120_000): Promise<SentMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sentListeners = this.sentListeners.filter((entry) => entry !== listener);
        reject(new Error(`no matching message sent in ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (message: SentMessage) => {
        if (!matches(message)) return;
        clearTimeout(timer);
        this.sentListeners = this.sentListeners.filter((entry) => entry !== listener);
        resolve(message);
      };
      this.sentListeners.push(listener);
    });
  }

  sentTo(chatId: number): SentMessage[] {
    return this.sent.filter((message) => message.chatId === String(chatId));
  }

  /** Updates Telegram still holds (not confirmed by a later getUpdates offset or a webhook 200). */
  pendingUpdates(): number {
    return this.updates.length;
  }

  private push(update: Omit<Update, 'update_id'>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiters.splice(0)) wake();
    void this.deliverWebhook();
  }

  private messageIdFor(chatId: string): number {
    const id = (this.nextMessageId.get(chatId) ?? 1) + 0;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  private async deliverWebhook(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.webhook && this.updates.length > 0) {
        const update = this.updates[0];
        const hook = this.webhook;
        let ok = false;
        try {
          const response = await fetch(hook.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(hook.secret ? { 'x-telegram-bot-api-secret-token': hook.secret } : {}),
            },
            body: JSON.stringify(update),
            signal: AbortSignal.timeout(30_000),
          });
          ok = response.status === 200;
        } catch {
          ok = false;
        }
        if (ok) this.updates.shift();
        else await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      this.delivering = false;
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.apiRoot);
    const download = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (download) {
      const file = [...this.files.values()].find(
        (entry) => entry.path === decodeURIComponent(download[2] ?? ''),
      );
      if (download[1] !== this.token || !file)
        return sendJson(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': file.data.length,
      });
      response.end(file.data);
      return;
    }
    const match = url.pathname.match(/^\/bot([^/]+)\/(\w+)$/);
    if (!match) return sendJson(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method = ''] = match;
    const { params, files } = await readParams(request, url);
    if (token !== this.token)
      return sendJson(response, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    this.calls.push({ method, params });
    const ok = (result: unknown) => sendJson(response, 200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({ id: 1, is_bot: true, first_name: 'Pincer', username: 'pincer_test_bot' });
      case 'setWebhook':
        this.webhook = {
          url: String(params.url),
          ...(params.secret_token ? { secret: String(params.secret_token) } : {}),
        };
        void this.deliverWebhook();
        return ok(true);
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(true);
      case 'getUpdates':
        return this.getUpdates(params, response);
      case 'answerCallbackQuery':
        return ok(true);
      case 'getFile': {
        const file = this.files.get(String(params.file_id));
        if (!file)
          return sendJson(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: invalid file_id',
          });
        // Like the Bot API: files over 20 MB have no file_path.
        return ok({
          file_id: params.file_id,
          file_unique_id: params.file_id,
          file_size: file.data.length,
          ...(file.data.length <= 20 * 1024 * 1024 ? { file_path: file.path } : {}),
        });
      }
      case 'sendMessage':
      case 'sendDocument': {
        if (this.rateLimited > 0) {
          this.rateLimited -= 1;
          this.rateLimitHits += 1;
          return sendJson(response, 429, {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${this.retryAfter}`,
            parameters: { retry_after: this.retryAfter },
          });
        }
        const chatId = String(params.chat_id);
        if (!chatId || chatId === 'undefined')
          return sendJson(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: chat_id is empty',
          });
        if (method === 'sendMessage' && (typeof params.text !== 'string' || params.text.length === 0))
          return sendJson(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: message text is empty',
          });
        if (method === 'sendMessage' && String(params.text).length > 4096)
          return sendJson(response, 400, {
            ok: false,
            error_code: 400,
            description: 'Bad Request: message is too long',
          });
        const messageId = this.messageIdFor(chatId);
        const reply = params.reply_parameters as { message_id?: number } | undefined;
        const markup = params.reply_markup as
          | { inline_keyboard?: { text: string; callback_data: string }[][] }
          | undefined;
        const document = files.document;
        const record: SentMessage = {
          method,
          chatId,
          messageId,
          ...(typeof params.text === 'string' ? { text: params.text } : {}),
          ...(typeof params.caption === 'string' ? { text: params.caption } : {}),
          ...(reply?.message_id ? { replyTo: Number(reply.message_id) } : {}),
          ...(params.message_thread_id ? { threadId: Number(params.message_thread_id) } : {}),
          buttons: markup?.inline_keyboard?.flat() ?? [],
          ...(document ? { document: { name: document.name, data: document.data } } : {}),
        };
        this.sent.push(record);
        for (const listener of this.sentListeners) listener(record);
        return ok({
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chatId), type: 'private' },
          ...(params.text ? { text: params.text } : {}),
        });
      }
      default:
        return sendJson(response, 404, {
          ok: false,
          error_code: 404,
          description: 'Not Found: method not found',
        });
    }
  }

  private async getUpdates(params: Record<string, unknown>, response: ServerResponse): Promise<void> {
    if (this.webhook)
      return sendJson(response, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    const offset = params.offset !== undefined ? Number(params.offset) : undefined;
    // An offset confirms every update before it: Telegram forgets them.
    if (offset !== undefined) this.updates = this.updates.filter((update) => update.update_id >= offset);
    const timeoutMs = Math.min(Number(params.timeout ?? 0), 50) * 1000;
    const limit = Math.min(Number(params.limit ?? 100), 100);
    if (this.updates.length === 0 && timeoutMs > 0) {
      let closed = false;
      response.on('close', () => {
        closed = true;
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (closed) return;
    }
    sendJson(response, 200, { ok: true, result: this.updates.slice(0, limit) });
  }
}
