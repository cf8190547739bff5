import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import {
  type AdapterLog,
  ChannelError,
  type ChannelSender,
  ConnectedReceiver,
  defineChannel,
  pause,
  type ResolvedFile,
  type SendProgress,
  sendParts,
} from './adapter.ts';
import { type FetchedFile, mediaTypeOf, tooLarge } from './download.ts';
import {
  type Attachment,
  cleanText,
  type InboundEvent,
  type ParsedOutboundMessage,
  sessionIdOf,
} from './message.ts';

export interface EmailOptions {
  /** The assistant's address: answers come from it; mail from it is never answered. */
  address: string;
  imap: { host: string; port: number; secure: boolean; user: string; password: string; mailbox: string };
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
  /** Quiet time before the IMAP connection enters IDLE (new mail is noticed only in IDLE or on a command). */
  idleDelayMs?: number;
  /** A check for new mail at least this often, for servers that do not push during IDLE. */
  pollMs?: number;
  log?: AdapterLog;
}

/**
 * The keyword a mail gets once it is durable in Temporal (with \Seen). Mail without it is handed
 * over again after a restart; the conversation drops the repeat by Message-ID.
 */
export const HANDLED_KEYWORD = '$PincerHandled';

/** Mail bigger than this is read only up to here (its text comes first; late attachments are lost). */
const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
/** Mails fetched per round trip, so a full mailbox does not land in memory at once. */
const FETCH_BATCH = 20;

/**
 * The words of a reply that are the sender's own: quoted text ("> ..." and the "On ... wrote:"
 * line before it), forwarded originals and a "-- " signature are cut, so `/approve 2` written
 * above a quote reads as the command it is.
 */
export function ownWords(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const kept: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (/^\s*>/.test(line)) break;
    if (/^-- ?$/.test(line)) break;
    if (/^-{2,}\s*(Original Message|Forwarded message)/i.test(line.trim())) break;
    const next = lines[index + 1] ?? '';
    // "On Mon, 1 Jan 2026 at 10:00, Alice <alice@example.com> wrote:" (sometimes split over two lines).
    if (/^On .+/.test(line) && (/wrote:\s*$/.test(line) || /wrote:\s*$/.test(next))) break;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

function referencesOf(parsed: ParsedMail): string[] {
  const references = parsed.references;
  if (!references) return [];
  return (Array.isArray(references) ? references : references.split(/\s+/)).filter(Boolean);
}

function attachmentType(mediaType: string): Attachment['type'] {
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType.startsWith('audio/')) return 'audio';
  if (mediaType.startsWith('video/')) return 'video';
  return 'document';
}

/** Where a mail is in the mailbox, for a Message-ID when it has none and for attachment URLs. */
export interface MailboxPosition {
  mailbox: string;
  uidValidity: string;
  uid: number;
}

/**
 * A parsed mail as Pincer's inbound event: the sender's address is the user and the chat, the
 * thread (the first of References, else In-Reply-To, else the mail itself) the thread. Null for
 * mail never to answer: no sender, our own address, or automatic mail (RFC 3834 Auto-Submitted).
 */
export function normalizeEmail(
  parsed: ParsedMail,
  position: MailboxPosition,
  ownAddress: string,
  receivedAt: Date,
): InboundEvent | null {
  const from = parsed.from?.value.find((entry) => entry.address)?.address?.toLowerCase();
  if (!from || from === ownAddress.toLowerCase()) return null;
  const autoSubmitted = parsed.headers.get('auto-submitted');
  if (typeof autoSubmitted === 'string' && autoSubmitted.trim().toLowerCase() !== 'no') return null;
  const messageId =
    parsed.messageId ?? `<uid-${position.uid}.${position.uidValidity}.${position.mailbox}@pincer.invalid>`;
  const references = referencesOf(parsed);
  const inReplyTo = parsed.inReplyTo?.split(/\s+/)[0];
  const threadId = references[0] ?? inReplyTo ?? messageId;
  const body = parsed.text ?? '';
  const { text, truncated } = cleanText(ownWords(body));
  const attachments: Attachment[] = parsed.attachments
    .filter((file) => file.contentDisposition === 'attachment' || file.filename)
    .map((file, index) => ({
      type: attachmentType(file.contentType),
      url: `email-attachment:${position.mailbox}/${position.uidValidity}/${position.uid}/${index}`,
      ...(file.filename ? { name: cleanText(file.filename).text } : {}),
      mediaType: file.contentType,
      size: file.size,
    }));
  const name = parsed.from?.value.find((entry) => entry.address)?.name;
  const chain = [...references, ...(inReplyTo && !references.includes(inReplyTo) ? [inReplyTo] : [])];
  return {
    kind: 'message',
    message: {
      session_id: sessionIdOf('email', from, threadId),
      sender: { platform: 'email', user_id: from, ...(name ? { name: cleanText(name).text } : {}) },
      content: { text, attachments, ...(truncated ? { truncated } : {}) },
      context: { prev_messages: [] },
      platform_ids: {
        message_id: messageId,
        chat_id: from,
        thread_id: threadId,
        reply_to: messageId,
        references: chain,
        subject: cleanText(parsed.subject ?? '').text.slice(0, 500),
      },
      received_at: receivedAt.toISOString(),
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An IMAP failure as a ChannelError: refused credentials wait long and are reported. */
function imapError(error: unknown): ChannelError {
  if (error instanceof Error && 'authenticationFailed' in error && error.authenticationFailed)
    return new ChannelError(
      'refused',
      'The IMAP server refused the login: check channels.email.imap.user and password',
      false,
    );
  return new ChannelError('unavailable', `IMAP: ${describeError(error)}`, true);
}

/** A client for the configured mailbox (not yet connected). */
function imapClient(imap: EmailOptions['imap'], extra: { autoIdleDelay?: number } = {}): ImapFlow {
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: imap.password },
    logger: false,
    ...extra,
  });
}

/**
 * Receives mail over IMAP: IDLE on the mailbox, each unread mail without the handled keyword is
 * handed to Temporal, and only then marked \Seen and $PincerHandled. A crash in between makes it
 * come again after restart; the conversation drops it by Message-ID. UIDs seen in this process
 * are skipped while the mailbox's UIDVALIDITY stays the same.
 */
export class EmailReceiver extends ConnectedReceiver<'email'> {
  private uidValidity: string | undefined;
  private lastUid = 0;

  constructor(private readonly options: EmailOptions) {
    super('email', options.log);
  }

  protected async connect(signal: AbortSignal, connected: () => void): Promise<void> {
    const { imap } = this.options;
    const client = imapClient(imap, { autoIdleDelay: this.options.idleDelayMs ?? 1000 });
    let wake: () => void = () => undefined;
    let closed = false;
    client.on('exists', () => wake());
    client.on('close', () => {
      closed = true;
      wake();
    });
    // Socket errors also close the connection; the reconnector sees that through `closed`.
    client.on('error', () => undefined);
    const onAbort = () => wake();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      const box = await client.mailboxOpen(imap.mailbox);
      const uidValidity = String(box.uidValidity);
      if (uidValidity !== this.uidValidity) {
        this.uidValidity = uidValidity;
        this.lastUid = 0;
      }
      const keywords = box.permanentFlags?.has('\\*') ?? false;
      connected();
      while (!signal.aborted && !closed) {
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        if (!(await this.takeNew(client, keywords, signal))) return;
        await Promise.race([woken, pause(this.options.pollMs ?? 60_000, signal)]);
      }
      if (!signal.aborted) throw new ChannelError('unavailable', 'the IMAP connection closed', true);
    } catch (error) {
      if (signal.aborted) return;
      throw error instanceof ChannelError ? error : imapError(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!closed) await client.logout().catch(() => client.close());
    }
  }

  /** Hands over every new mail in UID order; false when stopping first. */
  private async takeNew(client: ImapFlow, keywords: boolean, signal: AbortSignal): Promise<boolean> {
    const query = keywords ? { seen: false, unKeyword: HANDLED_KEYWORD } : { seen: false };
    const found = await client.search({ ...query, uid: `${this.lastUid + 1}:*` }, { uid: true });
    // "N:*" always matches the newest mail, even below N.
    const uids = (found || []).filter((uid) => uid > this.lastUid).sort((a, b) => a - b);
    for (let start = 0; start < uids.length; start += FETCH_BATCH) {
      const batch = uids.slice(start, start + FETCH_BATCH);
      // Collected first: no other command may run while a FETCH streams.
      const mails = await client.fetchAll(
        batch.join(','),
        { uid: true, source: { maxLength: MAX_SOURCE_BYTES } },
        { uid: true },
      );
      for (const mail of mails.sort((a, b) => a.uid - b.uid)) {
        if (!(await this.take(mail.uid, mail.source, signal))) return false;
        await client.messageFlagsAdd(String(mail.uid), keywords ? ['\\Seen', HANDLED_KEYWORD] : ['\\Seen'], {
          uid: true,
        });
        this.lastUid = Math.max(this.lastUid, mail.uid);
      }
    }
    return true;
  }

  private async take(uid: number, source: Buffer | undefined, signal: AbortSignal): Promise<boolean> {
    if (!this.sink || !source) return true;
    let event: InboundEvent | null;
    try {
      const parsed = await simpleParser(source, { skipImageLinks: true });
      event = normalizeEmail(
        parsed,
        { mailbox: this.options.imap.mailbox, uidValidity: this.uidValidity ?? '0', uid },
        this.options.address,
        new Date(),
      );
    } catch (error) {
      this.options.log?.(
        'warn',
        { platform: 'email', uid, error: describeError(error) },
        'unreadable mail skipped',
      );
      return true;
    }
    if (!event) return true;
    return this.handOver(event, signal);
  }
}

/** "Re: " once, however many reply prefixes ("Re: Re:", "RE:", "Aw:") the subject already carries. */
export function replySubject(subject: string | undefined): string {
  const base = (subject ?? '').replace(/^(\s*(re|aw|sv|antw)\s*:)+/i, '').trim();
  return base ? `Re: ${base}` : 'Message from Pincer';
}

/** Mail has no buttons: each becomes the line to reply with (`approve:2` → `/approve 2`). */
function replyInstructions(buttons: ParsedOutboundMessage['buttons']): string {
  if (buttons.length === 0) return '';
  const choices = buttons.map((button) => `  /${button.data.replace(':', ' ')}   (${button.label})`);
  return `Reply to this mail with one of these lines:\n${choices.join('\n')}`;
}

function numberField(error: Error, key: string): number | undefined {
  const value: unknown = Reflect.get(error, key);
  return typeof value === 'number' ? value : undefined;
}

/**
 * An SMTP failure as a ChannelError: a refused login is final, 4xx replies (rate limits, greylisting,
 * a busy server) and network failures are tried again, other 5xx replies are final.
 */
export function smtpError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code: unknown = Reflect.get(error, 'code');
  const status = numberField(error, 'responseCode');
  if (code === 'EAUTH' || status === 530 || status === 534 || status === 535)
    return new ChannelError(
      'refused',
      `The SMTP server refused the login: check channels.email.smtp.user and password (${error.message})`,
      false,
    );
  if (status !== undefined && status >= 400 && status < 500) {
    const limited = /rate|too many|limit|try again later/i.test(error.message) || status === 421;
    return new ChannelError(
      limited ? 'rate_limited' : 'unavailable',
      `SMTP ${status}: ${error.message}`,
      true,
      limited ? 30_000 : undefined,
    );
  }
  if (status !== undefined && status >= 500)
    return new ChannelError('rejected', `SMTP ${status}: ${error.message}`, false);
  return new ChannelError('unavailable', `SMTP: ${error.message}`, true);
}

/**
 * Sends over SMTP: one mail per message, from the assistant's address to the chat (the sender's
 * address), threaded with In-Reply-To and References, files as attachments.
 */
export class EmailSender implements ChannelSender {
  readonly platform = 'email' as const;
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(
    private readonly options: Pick<EmailOptions, 'address' | 'smtp'> & Partial<Pick<EmailOptions, 'imap'>>,
  ) {
    const { smtp } = options;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    this.domain = options.address.split('@')[1] ?? 'pincer.invalid';
  }

  async send(
    message: ParsedOutboundMessage,
    files: ResolvedFile[],
    progress?: SendProgress,
  ): Promise<{ messageId: string }> {
    const links = files.filter((file) => !file.data && file.url).map((file) => `${file.name}: ${file.url}`);
    const text = [message.text, ...links, replyInstructions(message.buttons)].filter(Boolean).join('\n\n');
    const references = [...(message.references ?? [])];
    if (message.reply_to && !references.includes(message.reply_to)) references.push(message.reply_to);
    const messageId = `<pincer.${randomUUID()}@${this.domain}>`;
    const part = async () => {
      const info = await this.transport.sendMail({
        from: this.options.address,
        to: message.chat_id,
        subject: replySubject(message.subject),
        text,
        messageId,
        ...(message.reply_to ? { inReplyTo: message.reply_to } : {}),
        ...(references.length > 0 ? { references } : {}),
        headers: { 'Auto-Submitted': 'auto-replied' },
        attachments: files
          .filter((file) => file.data)
          .map((file) => ({ filename: file.name, content: file.data, contentType: file.mediaType })),
      });
      return String(info.messageId ?? messageId);
    };
    try {
      return { messageId: await sendParts([part], progress) };
    } catch (error) {
      throw smtpError(error);
    }
  }

  /**
   * The mail again over IMAP by its UID (read-only: its flags stay), parsed, and the attachment
   * at its position. A mailbox whose UIDVALIDITY changed no longer holds the same mail.
   */
  async fetchAttachment(attachment: Attachment, maxBytes: number): Promise<FetchedFile> {
    const name = attachment.name ?? 'attachment';
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw tooLarge('email', name, attachment.size, maxBytes);
    const match = attachment.url.match(/^email-attachment:(.+)\/(\d+)\/(\d+)\/(\d+)$/);
    const imap = this.options.imap;
    if (!match || !imap)
      throw new ChannelError(
        'rejected',
        imap ? `"${name}" is not an e-mail attachment reference` : 'channels.email.imap is not configured',
        false,
      );
    const [, mailbox = '', uidValidity, uid, index] = match;
    const client = imapClient(imap);
    client.on('error', () => undefined);
    let source: Buffer | undefined;
    try {
      await client.connect();
      const box = await client.mailboxOpen(mailbox, { readOnly: true });
      if (String(box.uidValidity) !== uidValidity)
        throw new ChannelError(
          'rejected',
          `The mailbox ${mailbox} changed (UIDVALIDITY): "${name}" is gone`,
          false,
        );
      const mail = await client.fetchOne(
        String(uid),
        { source: { maxLength: MAX_SOURCE_BYTES } },
        { uid: true },
      );
      source = mail ? mail.source : undefined;
    } catch (error) {
      throw error instanceof ChannelError ? error : imapError(error);
    } finally {
      await client.logout().catch(() => client.close());
    }
    if (!source)
      throw new ChannelError('rejected', `The mail holding "${name}" is no longer in ${mailbox}`, false);
    const parsed = await simpleParser(source, { skipImageLinks: true });
    const file = parsed.attachments.filter(
      (part) => part.contentDisposition === 'attachment' || part.filename,
    )[Number(index)];
    if (!file) throw new ChannelError('rejected', `The mail no longer holds "${name}"`, false);
    if (file.content.byteLength > maxBytes) throw tooLarge('email', name, file.content.byteLength, maxBytes);
    return { name, mediaType: mediaTypeOf(name, file.contentType), data: file.content };
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export const emailChannel = defineChannel<'email'>({
  receiver: (section, { log }) =>
    new EmailReceiver({ address: section.address, imap: section.imap, smtp: section.smtp, log }),
  sender: (section) => new EmailSender({ address: section.address, smtp: section.smtp, imap: section.imap }),
});
