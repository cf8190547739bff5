import { randomBytes } from 'node:crypto';
import { HANDLED_KEYWORD } from '@pincer/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../peers/http.ts';
import { MAIL_DOMAIN, MailPeer, type RecordedMail } from '../peers/mail.ts';
import {
  type ChatTest,
  filesIn,
  saveChatWorkflows,
  startChatTest,
  TEST_MAX_ATTACHMENT_BYTES,
} from '../support/chat.ts';
import { eventually } from '../support/pincer.ts';

const BOT = `assistant@${MAIL_DOMAIN}`;
const OWNER = `owner@${MAIL_DOMAIN}`;
const ALICE = `alice@${MAIL_DOMAIN}`;
const STRANGER = `stranger@${MAIL_DOMAIN}`;

describe('E-mail: mail to workflows and back, over real IMAP and SMTP', () => {
  let peer: MailPeer;
  let chat: ChatTest;

  beforeAll(async () => {
    peer = await MailPeer.start({
      [BOT]: 'assistant-password',
      [OWNER]: 'owner-password',
      [ALICE]: 'alice-password',
      [STRANGER]: 'stranger-password',
    });
    chat = await startChatTest({
      owners: [`email:${OWNER}`],
      email: {
        address: BOT,
        imap: {
          host: '127.0.0.1',
          port: peer.imapPort,
          secure: false,
          user: BOT,
          password: 'assistant-password',
        },
        smtp: { host: '127.0.0.1', port: peer.smtpPort, secure: false },
        allowUsers: [ALICE],
      },
      maxAttachmentBytes: TEST_MAX_ATTACHMENT_BYTES,
    });
    await saveChatWorkflows(chat);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  const textOf = (mail: RecordedMail) => mail.parsed.text ?? '';
  const repliesTo = (address: string, pattern: RegExp) =>
    peer.mailsTo(address).filter((mail) => pattern.test(textOf(mail)));

  it('runs a workflow from /run in the body and answers in the same thread, as a reply', async () => {
    const asked = await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'Daily numbers',
      text: '/run echo {"text": "hello"}\n\n-- \nAlice, sent from her phone',
    });
    const answer = await peer.waitForMail(ALICE, /^echo: echo hello/);
    expect(answer.parsed.from?.value[0]?.address).toBe(BOT);
    expect(answer.parsed.subject).toBe('Re: Daily numbers');
    expect(answer.parsed.inReplyTo).toBe(asked);
    expect([answer.parsed.references ?? []].flat()).toContain(asked);
    expect(repliesTo(ALICE, /^Started echo/).length).toBeGreaterThanOrEqual(1);
    const runs = await chat.engine.db.run.findMany({ where: { triggerKind: 'email' } });
    expect(runs.map((run) => run.actor)).toContain(`chat:email:${ALICE}`);

    // An HTML-only mail is read as text; a refused SMTP attempt (451) only delays the answer.
    peer.failNext(BOT, 2, 451, '4.3.0 Temporary local problem');
    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'From my HTML mailer',
      html: '<html><body><p>/run echo {"text": "from html"}</p></body></html>',
    });
    const fromHtml = await peer.waitForMail(ALICE, /^echo: echo from html/);
    expect(fromHtml.parsed.subject).toBe('Re: From my HTML mailer');
    expect(peer.refusedCount).toBe(2);
  }, 180_000);

  it('asks for approval in words and a reply with /approve resumes the waiting run', async () => {
    const asked = await peer.send({ from: ALICE, to: BOT, subject: 'Ship the release', text: '/run ship' });
    const question = await peer.waitForMail(ALICE, /waits for approval of confirm: Ship it\?/);
    const line = textOf(question).match(/\/approve (\d+)/);
    expect(line).not.toBeNull();
    expect(textOf(question)).toMatch(/\/reject \d+/);
    expect(question.parsed.subject).toBe('Re: Ship the release');
    expect(repliesTo(ALICE, /^ship: shipped/)).toHaveLength(0);

    // A real reply: the command above the quoted question, threaded under it.
    const questionId = question.parsed.messageId ?? '';
    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'Re: Re: Ship the release',
      text: `${line?.[0]}\n\nOn Tue, 24 Nov 2026 at 10:00, Pincer <${BOT}> wrote:\n> ${textOf(question).split('\n').join('\n> ')}`,
      inReplyTo: questionId,
      references: [asked, questionId],
    });
    const done = await peer.waitForMail(ALICE, /^ship: shipped/);
    expect(done.parsed.subject).toBe('Re: Ship the release');
    expect([done.parsed.references ?? []].flat()[0]).toBe(asked);
  }, 180_000);

  it('keeps a mailed attachment in Pincer (fetched again over IMAP); too big a file is refused', async () => {
    const photo = randomBytes(3000);
    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'A photo',
      text: '/run files',
      attachments: [{ filename: 'cat.png', content: photo, contentType: 'image/png' }],
    });
    const answer = await peer.waitForMail(ALICE, /^files: \S/);
    const [kept] = await filesIn(chat, textOf(answer).split('\n')[0] ?? '');
    expect(kept).toMatchObject({ name: 'cat.png', mediaType: 'image/png', data: photo });

    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'A big file',
      text: '/run files',
      attachments: [{ filename: 'big.bin', content: randomBytes(TEST_MAX_ATTACHMENT_BYTES + 1) }],
    });
    await peer.waitForMail(ALICE, /^Your file was not kept: "big\.bin" is 0\.1 MB; files sent by email/);
  }, 180_000);

  it('delivers a file as a real attachment', async () => {
    await peer.send({ from: OWNER, to: BOT, subject: 'Report please', text: '/run report' });
    const mail = await until(
      () => peer.mailsTo(OWNER).find((candidate) => candidate.parsed.attachments.length > 0),
      120_000,
      'a mail with the report attached',
    );
    const file = mail.parsed.attachments[0];
    expect(file?.filename).toBe('report.csv');
    expect(file?.contentType).toBe('text/csv');
    expect(file?.content.toString()).toBe('day,errors\nmonday,3\n');
    expect(textOf(mail)).toMatch(/Here is the report/);
  }, 180_000);

  it('gives an unknown sender a pairing code and runs nothing', async () => {
    await peer.send({
      from: STRANGER,
      to: BOT,
      subject: 'Let me in',
      text: '/run echo {"text": "let me in"}',
    });
    const answer = await peer.waitForMail(STRANGER, /pairing code ([A-Z0-9]{8})/);
    expect(answer.parsed.subject).toBe('Re: Let me in');
    expect(repliesTo(STRANGER, /^echo|^Started/)).toHaveLength(0);
    const runs = await chat.engine.db.run.count({ where: { actor: `chat:email:${STRANGER}` } });
    expect(runs).toBe(0);
  }, 180_000);

  it('answers unknown commands, odd unicode and a 10 MB mail safely', async () => {
    await peer.send({ from: ALICE, to: BOT, subject: 'Odd', text: '/frobnicate now' });
    await peer.waitForMail(ALICE, /^Unknown command \/frobnicate\. Commands:/);
    const odd = 'z\u0000a\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u202Eevil';
    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'Odd',
      text: `/run echo ${JSON.stringify({ text: odd })}`,
    });
    const echoed = await peer.waitForMail(ALICE, /^echo: echo z/);
    expect(textOf(echoed).split('\n')[0]).toBe(
      'echo: echo za\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u202Eevil',
    );
    await peer.send({
      from: ALICE,
      to: BOT,
      subject: 'Huge',
      text: `/run echo ${'x'.repeat(10 * 1024 * 1024)}`,
    });
    const huge = await peer.waitForMail(
      ALICE,
      /The input after \/run echo is not JSON|read only its beginning/,
    );
    expect(huge.parsed.subject).toBe('Re: Huge');
    await peer.send({ from: ALICE, to: BOT, subject: 'Odd', text: '/run nosuch' });
    await peer.waitForMail(ALICE, /There is no workflow "nosuch"\. You can run: echo, files, report, ship/);
  }, 240_000);

  it('handles each of 100 mails exactly once when the gateway is killed while they arrive', async () => {
    const count = 100;
    const echoes = () => repliesTo(ALICE, /^echo: echo restart-/).map(textOf);
    const send = (index: number) =>
      peer.send({
        from: ALICE,
        to: BOT,
        subject: `Restart ${index}`,
        text: `/run echo {"text": "restart-${index}"}`,
      });
    for (let index = 0; index < count / 2; index++) await send(index);
    await until(() => (echoes().length >= 2 ? true : undefined), 120_000, 'a few answers');
    await chat.killGateway();
    for (let index = count / 2; index < count; index++) await send(index);
    await chat.startGateway();
    await until(() => (echoes().length >= count ? true : undefined), 360_000, `${count} answers`);
    // Every mail is marked handled: nothing is left to come again as a double.
    await eventually(
      async () => ((await peer.withoutKeyword(BOT, HANDLED_KEYWORD)).length === 0 ? true : undefined),
      60_000,
    );
    const replies = echoes();
    expect(replies).toHaveLength(count);
    expect(new Set(replies.map((text) => text.trim())).size).toBe(count);
    const runs = await chat.engine.db.run.count({
      where: { triggerKind: 'email', input: { path: ['text'], string_starts_with: 'restart-' } },
    });
    expect(runs).toBe(count);
  }, 540_000);
});
