import { randomBytes } from 'node:crypto';
import { decidePairing, getRun } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../peers/http.ts';
import { TelegramPeer } from '../peers/telegram.ts';
import {
  type ChatTest,
  filesIn,
  saveChatWorkflows,
  startChatTest,
  TEST_MAX_ATTACHMENT_BYTES,
} from '../support/chat.ts';

const OWNER = 1;
const ALLOWED = 2;
const STRANGER = 3;

describe('Telegram: chat to workflows and back', () => {
  let peer: TelegramPeer;
  let chat: ChatTest;

  beforeAll(async () => {
    peer = await TelegramPeer.start();
    chat = await startChatTest({
      owners: [`telegram:${OWNER}`],
      telegram: { token: peer.token, apiRoot: peer.apiRoot, allowUsers: [String(ALLOWED)] },
      maxAttachmentBytes: TEST_MAX_ATTACHMENT_BYTES,
    });
    await saveChatWorkflows(chat);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  const textsIn = (chatId: number) => peer.sentTo(chatId).map((message) => message.text ?? '');
  const waitForText = (chatId: number, pattern: RegExp) =>
    until(
      () => peer.sentTo(chatId).find((message) => pattern.test(message.text ?? '')),
      120_000,
      `a reply matching ${pattern} in chat ${chatId}`,
    );

  it('runs a workflow from /run and answers in the same chat, as a reply', async () => {
    const asked = peer.userSends({ chatId: 500, userId: ALLOWED, text: '/run echo {"text": "hello"}' });
    const answer = await waitForText(500, /^echo: echo hello$/);
    expect(answer.replyTo).toBe(asked);
    expect(textsIn(500).some((text) => /^Started echo/.test(text))).toBe(true);
    const runs = await chat.engine.db.run.findMany({ where: { triggerKind: 'chat' } });
    expect(runs.map((run) => run.actor)).toContain(`chat:telegram:${ALLOWED}`);
  }, 180_000);

  it('keeps a photo and a document in Pincer: the run gets their Pincer URLs; too big a file is refused', async () => {
    const photo = randomBytes(3000);
    peer.userSends({
      chatId: 510,
      userId: ALLOWED,
      text: '/run files',
      photo: { fileId: 'photo-1', data: photo },
    });
    const [kept] = await filesIn(chat, (await waitForText(510, /^files: \S/)).text ?? '');
    expect(kept?.data).toEqual(photo);
    expect(kept?.mediaType).toBe('image/jpeg');
    const runs = await chat.engine.db.run.findMany({ where: { workflow: { name: 'files' } } });
    const listed = await chat.engine.artifacts.list(runs[0]?.id ?? '');
    expect(listed.map((artifact) => [artifact.stepName, artifact.size])).toEqual([['trigger', photo.length]]);

    const csv = Buffer.from('day,errors\nmonday,3\n');
    peer.userSends({
      chatId: 511,
      userId: ALLOWED,
      text: '/run files',
      document: { fileId: 'doc-1', name: 'log.csv', mimeType: 'text/csv', data: csv },
    });
    const [document] = await filesIn(chat, (await waitForText(511, /^files: \S/)).text ?? '');
    expect(document).toMatchObject({ name: 'log.csv', size: csv.length, mediaType: 'text/csv', data: csv });

    const big = randomBytes(TEST_MAX_ATTACHMENT_BYTES + 1);
    peer.userSends({
      chatId: 512,
      userId: ALLOWED,
      text: '/run files',
      document: { fileId: 'doc-2', name: 'big.bin', data: big },
    });
    await waitForText(
      512,
      /^Your file was not kept: "big\.bin" is 0\.1 MB; files sent by telegram may have at most 0\.1 MB/,
    );
    await waitForText(512, /^files: $/);
  }, 180_000);

  it('asks for approval with buttons and a button press resumes the run', async () => {
    peer.userSends({ chatId: 501, userId: ALLOWED, text: '/run ship' });
    const question = await waitForText(501, /waits for approval of confirm: Ship it\?/);
    const approve = question.buttons.find((button) => button.text === 'Approve');
    expect(approve).toBeDefined();
    peer.pressButton({
      chatId: 501,
      userId: ALLOWED,
      data: approve?.callback_data ?? '',
      messageId: question.messageId,
    });
    await waitForText(501, /^ship: shipped$/);
    await until(
      () => peer.calls.find((call) => call.method === 'answerCallbackQuery'),
      60_000,
      'the button press acknowledged',
    );
  }, 180_000);

  it('leaves an approval that names its approvers to them: a chat member cannot decide it', async () => {
    await chat.engine.save(`
workflow:
  name: guarded_ship
  steps:
    - name: confirm
      type: approval
      message: Ship it?
      approvers: [ops@example.com]
    - name: done
      type: transform
      value: shipped
`);
    peer.userSends({ chatId: 504, userId: ALLOWED, text: '/run guarded_ship' });
    const question = await waitForText(504, /guarded_ship waits for approval of confirm/);
    const approve = question.buttons.find((button) => button.text === 'Approve');
    peer.pressButton({
      chatId: 504,
      userId: ALLOWED,
      data: approve?.callback_data ?? '',
      messageId: question.messageId,
    });
    await waitForText(504, /^Only ops@example\.com may decide confirm \(approval \d+\): in the studio/);
    const [run] = await chat.engine.db.run.findMany({ where: { workflow: { name: 'guarded_ship' } } });
    const view = await getRun(chat.engine.db, run?.id ?? '');
    expect(view.steps.find((step) => step.name === 'confirm')?.status).toBe('waiting_approval');
    expect(textsIn(504).some((text) => /confirm approved/.test(text))).toBe(false);
  }, 180_000);

  it('delivers a file natively; a side-effect workflow from a non-owner waits for an owner', async () => {
    peer.userSends({ chatId: 502, userId: OWNER, text: '/run report' });
    const document = await until(
      () => peer.sentTo(502).find((message) => message.method === 'sendDocument'),
      120_000,
      'the report file',
    );
    expect(document.document?.name).toBe('report.csv');
    expect(document.document?.data.toString()).toBe('day,errors\nmonday,3\n');

    peer.userSends({ chatId: 503, userId: ALLOWED, text: '/run report' });
    const question = await waitForText(503, /side effects \(message\).*owner must approve/);
    const approve = question.buttons.find((button) => button.text === 'Approve');
    // The requester cannot approve their own run.
    peer.pressButton({
      chatId: 503,
      userId: ALLOWED,
      data: approve?.callback_data ?? '',
      messageId: question.messageId,
    });
    await waitForText(503, /Only an owner can approve/);
    expect(peer.sentTo(503).some((message) => message.method === 'sendDocument')).toBe(false);
    peer.pressButton({
      chatId: 503,
      userId: OWNER,
      data: approve?.callback_data ?? '',
      messageId: question.messageId,
    });
    await until(
      () => peer.sentTo(503).find((message) => message.method === 'sendDocument'),
      120_000,
      'the approved report',
    );
  }, 240_000);

  it('gives an unknown sender a pairing code; once an owner approves it they may talk', async () => {
    peer.userSends({ chatId: 504, userId: STRANGER, text: '/run echo {"text": "let me in"}' });
    const answer = await waitForText(504, /pairing code ([A-Z0-9]{8})/);
    expect(textsIn(504).some((text) => text.startsWith('echo'))).toBe(false);
    const code = answer.text?.match(/pairing code ([A-Z0-9]{8})/)?.[1] ?? '';
    await decidePairing(chat.engine.db, { code, approved: true, actor: 'user:owner@test' });
    peer.userSends({ chatId: 504, userId: STRANGER, text: '/run echo {"text": "thanks"}' });
    await waitForText(504, /^echo: echo thanks$/);
  }, 180_000);

  it('answers unknown commands, odd unicode and 10 MB messages safely', async () => {
    peer.userSends({ chatId: 505, userId: ALLOWED, text: '/frobnicate now' });
    await waitForText(505, /^Unknown command \/frobnicate\. Commands:/);
    const odd = 'z\u0000a\u0301 \u{1F980} \uD800 \u202Eevil';
    peer.userSends({ chatId: 505, userId: ALLOWED, text: `/run echo ${JSON.stringify({ text: odd })}` });
    const echoed = await waitForText(505, /^echo: echo z/);
    expect(echoed.text).toBe('echo: echo za\u0301 \u{1F980} \uFFFD \u202Eevil');
    peer.userSends({ chatId: 505, userId: ALLOWED, text: `/run echo ${'x'.repeat(10 * 1024 * 1024)}` });
    await waitForText(505, /The input after \/run echo is not JSON|read only its beginning/);
    peer.userSends({ chatId: 505, userId: ALLOWED, text: '/run nosuch' });
    await waitForText(
      505,
      /There is no workflow "nosuch"\. You can run: echo, files, guarded_ship, report, ship/,
    );
  }, 180_000);

  it('tells the chat which step of a run failed, and nothing about the steps that went well', async () => {
    await chat.engine.save(`
workflow:
  name: flaky
  description: Fails in its second step
  steps:
    - name: fine
      type: transform
      value: ok
    - name: broken
      type: transform
      needs: [fine]
      value: "{{ $error('broken on purpose') }}"
`);
    peer.userSends({ chatId: 507, userId: OWNER, text: '/run flaky' });
    await waitForText(507, /^flaky: step broken failed\.$/);
    await waitForText(507, /^flaky failed at broken: .*broken on purpose/);
    expect(textsIn(507).some((text) => /fine/.test(text))).toBe(false);
  }, 180_000);

  it('rides out a 429 storm: replies are delayed, none lost', async () => {
    peer.rateLimit(6, 1);
    for (let index = 0; index < 3; index++)
      peer.userSends({ chatId: 506, userId: ALLOWED, text: `/run echo {"text": "storm ${index}"}` });
    for (let index = 0; index < 3; index++) await waitForText(506, new RegExp(`^echo: echo storm ${index}$`));
    expect(peer.rateLimitHits).toBeGreaterThanOrEqual(6);
    const retried = await chat.engine.db.auditEvent.count({ where: { action: 'chat.delivery_retrying' } });
    expect(retried).toBeGreaterThanOrEqual(6);
  }, 180_000);

  it('loses and doubles nothing when the gateway is killed while 100 messages arrive', async () => {
    const chats = Array.from({ length: 10 }, (_, index) => 600 + index);
    for (let round = 0; round < 10; round++) {
      for (const chatId of chats)
        peer.userSends({ chatId, userId: ALLOWED, text: `/run echo {"text": "n${chatId}-${round}"}` });
      if (round === 4) {
        await until(
          () =>
            chats.flatMap(textsIn).filter((text) => text.startsWith('echo: ')).length >= 5 ? true : undefined,
          120_000,
          'a few replies',
        );
        await chat.killGateway();
      }
    }
    await chat.startGateway();
    await until(
      () =>
        chats.flatMap(textsIn).filter((text) => text.startsWith('echo: ')).length >= 100 ? true : undefined,
      150_000,
      '100 replies',
    );
    // Give redeliveries a chance to show up as doubles before counting.
    await until(() => (peer.pendingUpdates() === 0 ? true : undefined), 60_000, 'every update confirmed');
    const replies = chats.flatMap(textsIn).filter((text) => text.startsWith('echo: '));
    expect(replies).toHaveLength(100);
    expect(new Set(replies).size).toBe(100);
    const runs = await chat.engine.db.run.count({
      where: { triggerKind: 'chat', input: { path: ['text'], string_starts_with: 'n6' } },
    });
    expect(runs).toBe(100);
  }, 300_000);
});
