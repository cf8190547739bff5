import { until } from '@pincer/testing/peers/http';
import { MAIL_DOMAIN, MailPeer } from '@pincer/testing/peers/mail';
import { eventually } from '@pincer/testing/support/pincer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelError,
  EmailReceiver,
  HANDLED_KEYWORD,
  type InboundEvent,
  ownWords,
  replySubject,
  smtpError,
} from '../src/index.ts';

const BOT = `bot@${MAIL_DOMAIN}`;
const BOB = `bob@${MAIL_DOMAIN}`;

describe('E-mail adapter', () => {
  let peer: MailPeer;

  beforeAll(async () => {
    peer = await MailPeer.start({ [BOT]: 'bot-password', [BOB]: 'bob-password' });
  }, 60_000);
  afterAll(async () => {
    await peer?.close();
  });

  const receiverFor = (password: string) =>
    new EmailReceiver({
      address: BOT,
      imap: { host: '127.0.0.1', port: peer.imapPort, secure: false, user: BOT, password, mailbox: 'INBOX' },
      smtp: { host: '127.0.0.1', port: peer.smtpPort, secure: false },
    });

  it('reports a refused IMAP login in its health, without the password, and waits minutes', async () => {
    const receiver = receiverFor('not-the-password');
    await receiver.start(async () => undefined);
    const health = await until(() => {
      const current = receiver.health();
      return current.state === 'refused' ? current : undefined;
    }, 60_000);
    expect(health.error).toMatch(/refused the login: check channels\.email\.imap\.user and password/);
    expect(health.error).not.toContain('not-the-password');
    expect(health.retryInMs).toBeGreaterThan(60_000);
    await receiver.stop();
  });

  it('marks a mail handled only once Temporal has it, and never answers itself or auto-replies', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const events: InboundEvent[] = [];
    const receiver = receiverFor('bot-password');
    await receiver.start(async (event) => {
      events.push(event);
      await released;
    });
    await until(() => (receiver.health().state === 'connected' ? true : undefined), 60_000);
    await peer.send({ from: BOT, to: BOT, subject: 'Loop', text: '/run echo' });
    await peer.send({
      from: BOB,
      to: BOT,
      subject: 'Out of office',
      text: 'I am away',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const asked = await peer.send({
      from: BOB,
      to: BOT,
      subject: 'Numbers',
      text: '/approve 2\n\nOn Mon, 23 Nov 2026 at 09:00, Bot <bot@pincer.test>\nwrote:\n> waits for approval',
      attachments: [{ filename: 'data.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }],
    });
    const event = await until(() => events[0], 60_000, 'the mail handed over');
    // Handed over but not yet durable: the mail is still unhandled in the mailbox.
    // (The mails from its own address and the auto-reply came first: marked read, never answered.)
    expect(await peer.withoutKeyword(BOT, HANDLED_KEYWORD)).toHaveLength(1);
    release();
    await until(() => (receiver.health().received === 1 ? true : undefined), 60_000);
    await eventually(
      async () => ((await peer.withoutKeyword(BOT, HANDLED_KEYWORD)).length === 0 ? true : undefined),
      60_000,
    );
    await receiver.stop();

    expect(events).toHaveLength(1);
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.message.sender).toEqual({ platform: 'email', user_id: BOB });
    expect(event.message.content.text).toBe('/approve 2');
    expect(event.message.content.attachments).toEqual([
      expect.objectContaining({ type: 'document', name: 'data.csv', mediaType: 'text/csv' }),
    ]);
    expect(event.message.platform_ids).toMatchObject({
      message_id: asked,
      chat_id: BOB,
      thread_id: asked,
      reply_to: asked,
      subject: 'Numbers',
    });
  }, 120_000);

  it('keeps the sender’s own words and one reply prefix', () => {
    expect(ownWords('yes please\n-- \nBob')).toBe('yes please');
    expect(ownWords('/reject 1\n> quoted\n> more')).toBe('/reject 1');
    expect(ownWords('/run echo\n\n-----Original Message-----\nFrom: x')).toBe('/run echo');
    expect(replySubject('Re: RE: Aw: Report')).toBe('Re: Report');
    expect(replySubject('')).toBe('Message from Pincer');
  });

  it('sorts SMTP failures into retryable and final ones', () => {
    const smtp = (responseCode: number | undefined, message: string, code?: string) =>
      smtpError(Object.assign(new Error(message), { responseCode, code }));
    const rate = smtp(451, '4.7.1 Rate limit exceeded, try again later');
    expect(rate).toBeInstanceOf(ChannelError);
    expect(rate).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(smtp(451, '4.3.0 Temporary local problem')).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(smtp(undefined, 'connect ECONNREFUSED', 'ESOCKET')).toMatchObject({ retryable: true });
    expect(smtp(535, 'Authentication failed', 'EAUTH')).toMatchObject({ code: 'refused', retryable: false });
    expect(smtp(550, '5.1.1 No such user')).toMatchObject({ code: 'rejected', retryable: false });
  });
});
