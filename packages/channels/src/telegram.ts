import { timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { Update } from 'grammy/types';
import {
  type AdapterLog,
  ChannelError,
  type ChannelSender,
  ConnectedReceiver,
  classifyHttpFailure,
  defineChannel,
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

export interface TelegramOptions {
  token: string;
  /** The Bot API root; a local stand-in in tests. */
  apiRoot?: string;
  mode: 'polling' | 'webhook';
  /** Webhook mode: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests are refused. */
  webhookSecret?: string;
  /** Webhook mode: the public URL Telegram posts to (registered with setWebhook at start). */
  webhookUrl?: string;
  /** Long-poll wait, seconds. */
  pollTimeoutSeconds?: number;
  log?: AdapterLog;
}

/** Telegram's text limit per message; longer answers go out in parts. */
const TELEGRAM_TEXT_LIMIT = 4096;
const TELEGRAM_CAPTION_LIMIT = 1024;

/** grammY's Node typings name the abort-controller polyfill's AbortSignal; at run time it takes the global one. */
type GrammySignal = Parameters<Api['getMe']>[0];
function grammySignal(signal: AbortSignal): GrammySignal {
  return signal as unknown as GrammySignal;
}

function apiOf(options: TelegramOptions): Api {
  return new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
}

/** A Bot API failure as a ChannelError: 429 carries retry_after, 401 means the token was refused. */
export function telegramError(error: unknown): unknown {
  if (error instanceof GrammyError) {
    if (error.error_code === 409)
      return new ChannelError('unavailable', `Telegram: ${error.description}`, true);
    // The Bot API answers a wrong token with 404 as often as with 401.
    const status = error.error_code === 404 ? 401 : error.error_code;
    const failure = classifyHttpFailure(status, (error.parameters.retry_after ?? 1) * 1000);
    const message =
      failure.code === 'rate_limited'
        ? `Telegram rate limit: retry after ${(failure.retryAfterMs ?? 1000) / 1000} s`
        : failure.code === 'refused'
          ? `Telegram refused the bot token (${error.error_code} ${error.description}): check channels.telegram.token`
          : `Telegram ${error.method}: ${error.description}`;
    return new ChannelError(failure.code, message, failure.retryable, failure.retryAfterMs);
  }
  if (error instanceof HttpError)
    return new ChannelError('unavailable', `Telegram unreachable: ${error.message}`, true);
  return error;
}

/** A Bot API update as Pincer's inbound event; null for updates Pincer does not handle. */
export function normalizeTelegramUpdate(update: Update, receivedAt: Date): InboundEvent | null {
  const message = update.message ?? update.channel_post;
  if (message) {
    const from = message.from;
    const chatId = String(message.chat.id);
    const threadId = message.is_topic_message ? String(message.message_thread_id) : undefined;
    const { text, truncated } = cleanText(message.text ?? message.caption ?? '');
    const attachments: Attachment[] = [];
    const photo = message.photo?.at(-1);
    if (photo)
      attachments.push({
        type: 'image',
        url: `telegram-file:${photo.file_id}`,
        ...(photo.file_size ? { size: photo.file_size } : {}),
      });
    if (message.document)
      attachments.push({
        type: 'document',
        url: `telegram-file:${message.document.file_id}`,
        ...(message.document.file_name ? { name: message.document.file_name } : {}),
        ...(message.document.mime_type ? { mediaType: message.document.mime_type } : {}),
        ...(message.document.file_size ? { size: message.document.file_size } : {}),
      });
    const name = from ? [from.first_name, from.last_name].filter(Boolean).join(' ') : message.chat.title;
    return {
      kind: 'message',
      message: {
        session_id: sessionIdOf('telegram', chatId, threadId),
        sender: {
          platform: 'telegram',
          user_id: String(from?.id ?? message.chat.id),
          ...(name ? { name: cleanText(name).text } : {}),
        },
        content: { text, attachments, ...(truncated ? { truncated } : {}) },
        context: { prev_messages: [] },
        platform_ids: {
          message_id: `${chatId}:${message.message_id}`,
          chat_id: chatId,
          ...(threadId ? { thread_id: threadId } : {}),
          reply_to: String(message.message_id),
        },
        received_at: receivedAt.toISOString(),
      },
    };
  }
  const query = update.callback_query;
  if (query?.data && query.message) {
    const chatId = String(query.message.chat.id);
    const threadId =
      'is_topic_message' in query.message && query.message.is_topic_message
        ? String(query.message.message_thread_id)
        : undefined;
    return {
      kind: 'action',
      action: {
        session_id: sessionIdOf('telegram', chatId, threadId),
        sender: { platform: 'telegram', user_id: String(query.from.id), name: query.from.first_name },
        data: query.data.slice(0, 64),
        platform_ids: {
          message_id: `callback:${query.id}`,
          chat_id: chatId,
          ...(threadId ? { thread_id: threadId } : {}),
          reply_to: String(query.message.message_id),
        },
        received_at: receivedAt.toISOString(),
      },
    };
  }
  return null;
}

/**
 * Receives Telegram updates by long polling (the offset advances only after each update is
 * handed over, so a crash makes Telegram send it again) or by webhook (answered 200 only after).
 */
export class TelegramReceiver extends ConnectedReceiver<'telegram'> {
  private readonly api: Api;

  constructor(private readonly options: TelegramOptions) {
    super('telegram', options.log);
    this.api = apiOf(options);
  }

  protected async connect(signal: AbortSignal, connected: () => void): Promise<void> {
    try {
      await this.api.getMe(grammySignal(signal));
      if (this.options.mode === 'webhook') {
        if (this.options.webhookUrl)
          await this.api.setWebhook(this.options.webhookUrl, {
            ...(this.options.webhookSecret ? { secret_token: this.options.webhookSecret } : {}),
            allowed_updates: ['message', 'channel_post', 'callback_query'],
          });
        connected();
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        return;
      }
      connected();
      await this.poll(signal);
    } catch (error) {
      if (signal.aborted) return;
      throw telegramError(error);
    }
  }

  private async poll(signal: AbortSignal): Promise<void> {
    let offset: number | undefined;
    while (!signal.aborted) {
      const updates = await this.api.getUpdates(
        {
          ...(offset !== undefined ? { offset } : {}),
          timeout: this.options.pollTimeoutSeconds ?? 25,
          allowed_updates: ['message', 'channel_post', 'callback_query'],
        },
        grammySignal(signal),
      );
      for (const update of updates) {
        if (!(await this.handle(update, signal))) return;
        offset = update.update_id + 1;
      }
    }
  }

  /** Hands one update over, then acknowledges a button press; false when stopping first. */
  private async handle(update: Update, signal: AbortSignal): Promise<boolean> {
    const event = normalizeTelegramUpdate(update, new Date());
    if (!event || !this.sink) return true;
    if (!(await this.handOver(event, signal))) return false;
    if (update.callback_query)
      await this.api.answerCallbackQuery(update.callback_query.id).catch(() => undefined);
    return true;
  }

  routes(): WebhookRoute[] {
    if (this.options.mode !== 'webhook') return [];
    const expected = Buffer.from(this.options.webhookSecret ?? '');
    return [
      {
        path: '/telegram/webhook',
        handle: async (request, body, response) => {
          const given = Buffer.from(String(request.headers['x-telegram-bot-api-secret-token'] ?? ''));
          if (
            expected.length === 0 ||
            given.length !== expected.length ||
            !timingSafeEqual(given, expected)
          ) {
            response.writeHead(401, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ error: 'wrong or missing X-Telegram-Bot-Api-Secret-Token' }));
            return;
          }
          let update: Update;
          try {
            update = JSON.parse(body.toString('utf8'));
          } catch {
            response.writeHead(400, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ error: 'the body is not a JSON Telegram update' }));
            return;
          }
          const event = normalizeTelegramUpdate(update, new Date());
          if (event && this.sink) {
            // Telegram sends the update again unless it gets a 200: answer only once it is durable.
            await this.sink(event);
            this.received += 1;
            if (update.callback_query)
              await this.api.answerCallbackQuery(update.callback_query.id).catch(() => undefined);
          }
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{}');
        },
      },
    ];
  }
}

export class TelegramSender implements ChannelSender {
  readonly platform = 'telegram' as const;
  readonly textLimit = TELEGRAM_TEXT_LIMIT;
  private readonly api: Api;

  constructor(private readonly options: Pick<TelegramOptions, 'token' | 'apiRoot'>) {
    this.api = new Api(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : undefined);
  }

  /** getFile, then the bytes from the Bot API's file endpoint (/file/bot<token>/<file_path>). */
  async fetchAttachment(attachment: Attachment, maxBytes: number): Promise<FetchedFile> {
    const fileId = attachment.url.startsWith('telegram-file:') ? attachment.url.slice(14) : '';
    const fallbackName = attachment.name ?? (attachment.type === 'image' ? 'photo.jpg' : 'file');
    if (!fileId)
      throw new ChannelError('rejected', `"${fallbackName}" is not a Telegram file reference`, false);
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw tooLarge('telegram', fallbackName, attachment.size, maxBytes);
    let file: Awaited<ReturnType<Api['getFile']>>;
    try {
      file = await this.api.getFile(fileId);
    } catch (error) {
      throw telegramError(error);
    }
    if (file.file_size !== undefined && file.file_size > maxBytes)
      throw tooLarge('telegram', fallbackName, file.file_size, maxBytes);
    if (!file.file_path)
      throw new ChannelError('rejected', `Telegram has no download for "${fallbackName}"`, false);
    const name = attachment.name ?? path.posix.basename(file.file_path);
    const root = new URL(this.options.apiRoot ?? 'https://api.telegram.org');
    const url = new URL(
      `${root.pathname.replace(/\/$/, '')}/file/bot${this.options.token}/${file.file_path}`,
      root,
    );
    const { data, mediaType } = await downloadCapped(url, {
      platform: 'telegram',
      name,
      maxBytes,
      trustedOrigins: [root.origin],
    });
    return { name, mediaType: mediaTypeOf(name, attachment.mediaType, mediaType), data };
  }

  async send(
    message: ParsedOutboundMessage,
    files: ResolvedFile[],
    progress?: SendProgress,
  ): Promise<{ messageId: string }> {
    const chatId = message.chat_id;
    const common = {
      ...(message.thread_id ? { message_thread_id: Number(message.thread_id) } : {}),
      ...(message.reply_to
        ? { reply_parameters: { message_id: Number(message.reply_to), allow_sending_without_reply: true } }
        : {}),
    };
    const links = files.filter((file) => !file.data && file.url).map((file) => `${file.name}: ${file.url}`);
    const text = [message.text, ...links].filter(Boolean).join('\n');
    const keyboard =
      message.buttons.length > 0
        ? {
            reply_markup: {
              inline_keyboard: [
                message.buttons.map((button) => ({ text: button.label, callback_data: button.data })),
              ],
            },
          }
        : {};
    const attached = files.filter((file) => file.data);
    // A short text rides as the first file's caption: one message, one part, nothing to redo.
    const caption =
      attached.length > 0 && text.length <= TELEGRAM_CAPTION_LIMIT && message.buttons.length === 0;
    const textParts = text && !caption ? splitText(text, this.textLimit) : [];
    const parts = [
      ...textParts.map((part, index) => async () => {
        const last = index === textParts.length - 1;
        const sent = await this.api.sendMessage(chatId, part, { ...common, ...(last ? keyboard : {}) });
        return String(sent.message_id);
      }),
      ...attached.map((file, index) => async () => {
        const data = file.data ?? Buffer.alloc(0);
        const sent = await this.api.sendDocument(chatId, new InputFile(data, file.name), {
          ...common,
          ...(caption && index === 0 && text ? { caption: text } : {}),
        });
        return String(sent.message_id);
      }),
    ];
    try {
      return { messageId: `${chatId}:${await sendParts(parts, progress)}` };
    } catch (error) {
      throw telegramError(error);
    }
  }
}

export const telegramChannel = defineChannel<'telegram'>({
  receiver: (section, { log }) =>
    new TelegramReceiver({
      token: section.token,
      mode: section.mode,
      ...(section.apiRoot ? { apiRoot: section.apiRoot } : {}),
      ...(section.webhookSecret ? { webhookSecret: section.webhookSecret } : {}),
      ...(section.webhookUrl ? { webhookUrl: section.webhookUrl } : {}),
      log,
    }),
  sender: (section) =>
    new TelegramSender({ token: section.token, ...(section.apiRoot ? { apiRoot: section.apiRoot } : {}) }),
});
