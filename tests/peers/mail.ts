import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DOVECOT_BINARY, freePort, isPortOpen, stopGroup } from '@pincer/provision';
import { ImapFlow } from 'imapflow';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { until } from './http.ts';

export const MAIL_DOMAIN = 'pincer.test';

/** A mail the SMTP server accepted, parsed. */
export interface RecordedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * Real mail for the e-mail channel's tests: a private Dovecot (IMAP and LMTP on 127.0.0.1, users
 * in a passwd-file, maildirs in a temp dir) and an SMTP server that delivers every accepted mail
 * into Dovecot over LMTP and records it, so tests can read the assistant's answers.
 */
export class MailPeer {
  readonly recorded: RecordedMail[] = [];
  private sequence = 0;

  /** Replies the SMTP server gives instead of accepting the next mails from an address (e.g. a 451). */
  private failures: { from: string; code: number; text: string }[] = [];
  /** How many mails were refused by `failNext`. */
  refusedCount = 0;

  private constructor(
    private readonly dir: string,
    private readonly dovecot: ChildProcess,
    private readonly smtp: SMTPServer,
    readonly imapPort: number,
    readonly smtpPort: number,
    private readonly users: Map<string, string>,
  ) {}

  /** Starts Dovecot and the SMTP server with a mailbox (and password) for each user. */
  static async start(users: Record<string, string>): Promise<MailPeer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pincer-mail-'));
    // Dovecot's helpers run as its own users and mail as nobody: they must reach into the dir.
    await chmod(dir, 0o755);
    const imapPort = await freePort();
    const lmtpPort = await freePort();
    const smtpPort = await freePort();
    const mailDir = path.join(dir, 'mail');
    await mkdir(mailDir, { mode: 0o777 });
    await chmod(mailDir, 0o777);
    await writeFile(
      path.join(dir, 'users'),
      Object.entries(users)
        .map(([user, password]) => `${user}:{PLAIN}${password}::::::`)
        .join('\n'),
    );
    const config = path.join(dir, 'dovecot.conf');
    await writeFile(config, dovecotConfig(dir, mailDir, imapPort, lmtpPort));
    const dovecot = spawn(DOVECOT_BINARY, ['-F', '-c', config], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dovecot.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    dovecot.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      await waitForPorts([imapPort, lmtpPort], dovecot, () => output, dir);
    } catch (error) {
      if (dovecot.pid !== undefined) await stopGroup(dovecot.pid, 'SIGKILL', 1000);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const lmtp = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true });
    let peer: MailPeer | undefined;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 30 * 1024 * 1024,
      onAuth(auth, _session, callback) {
        const expected = users[auth.username ?? ''];
        if (expected !== undefined && expected === auth.password)
          return callback(null, { user: auth.username });
        return callback(new Error('535 authentication failed'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const index = peer ? peer.failures.findIndex((candidate) => candidate.from === from) : -1;
          const failure = index >= 0 ? peer?.failures.splice(index, 1)[0] : undefined;
          if (peer && failure) {
            peer.refusedCount += 1;
            return callback(Object.assign(new Error(failure.text), { responseCode: failure.code }));
          }
          peer
            ?.accept(from, to, raw, lmtp)
            .then(() => callback())
            .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp.once('error', reject);
      smtp.listen(smtpPort, '127.0.0.1', () => resolve());
    });
    peer = new MailPeer(dir, dovecot, smtp, imapPort, smtpPort, new Map(Object.entries(users)));
    return peer;
  }

  private async accept(from: string, to: string[], raw: Buffer, lmtp: Transporter): Promise<void> {
    const local = to.filter((address) => this.users.has(address.toLowerCase()));
    if (local.length > 0) await lmtp.sendMail({ envelope: { from, to: local }, raw });
    this.recorded.push({ from, to, raw, parsed: await simpleParser(raw) });
  }

  /** The next `count` mails from `from` are refused with this SMTP reply. */
  failNext(from: string, count: number, code: number, text: string): void {
    for (let index = 0; index < count; index++) this.failures.push({ from, code, text });
  }

  /** UIDs of mail in `user`'s INBOX that lack `keyword`, read over IMAP. */
  async withoutKeyword(user: string, keyword: string): Promise<number[]> {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: this.imapPort,
      secure: false,
      auth: { user, pass: this.users.get(user) ?? '' },
      logger: false,
    });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      return (await client.search({ unKeyword: keyword }, { uid: true })) || [];
    } finally {
      await client.logout();
    }
  }

  /** Mails the SMTP server accepted for `address`. */
  mailsTo(address: string): RecordedMail[] {
    return this.recorded.filter((mail) => mail.to.some((to) => to.toLowerCase() === address.toLowerCase()));
  }

  /** A person sends a mail through the SMTP server; resolves with its Message-ID. */
  async send(mail: {
    from: string;
    to: string;
    subject: string;
    text?: string;
    html?: string;
    inReplyTo?: string;
    references?: string[];
    attachments?: { filename: string; content: string | Buffer; contentType?: string }[];
    headers?: Record<string, string>;
  }): Promise<string> {
    this.sequence += 1;
    const messageId = `<user-${this.sequence}-${Date.now()}@${MAIL_DOMAIN}>`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: this.smtpPort, secure: false });
    try {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        messageId,
        ...(mail.text !== undefined ? { text: mail.text } : {}),
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references ? { references: mail.references } : {}),
        ...(mail.attachments ? { attachments: mail.attachments } : {}),
        ...(mail.headers ? { headers: mail.headers } : {}),
      });
    } finally {
      transport.close();
    }
    return messageId;
  }

  /** A mail to `address` from the assistant whose text matches, once it arrives. */
  waitForMail(address: string, pattern: RegExp, timeoutMs = 120_000): Promise<RecordedMail> {
    return until(
      () => this.mailsTo(address).find((mail) => pattern.test(mail.parsed.text ?? '')),
      timeoutMs,
      `a mail to ${address} matching ${pattern}`,
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
    if (this.dovecot.pid !== undefined) await stopGroup(this.dovecot.pid, 'SIGTERM', 5000);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function dovecotConfig(dir: string, mailDir: string, imapPort: number, lmtpPort: number): string {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailDir}/%u
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
`;
}

async function waitForPorts(
  ports: number[],
  child: ChildProcess,
  output: () => string,
  dir: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const open = await Promise.all(ports.map((port) => isPortOpen('127.0.0.1', port)));
    if (open.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
  throw new Error(`Dovecot did not start:\n${output()}\n${log.slice(-3000)}`);
}
