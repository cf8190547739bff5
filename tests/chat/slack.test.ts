import { randomBytes } from 'node:crypto';
import { freePort } from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../peers/http.ts';
import { SlackPeer, type SlackPost } from '../peers/slack.ts';
import {
  type ChannelsInput,
  type ChatTest,
  filesIn,
  saveChatWorkflows,
  startChatTest,
  TEST_MAX_ATTACHMENT_BYTES,
} from '../support/chat.ts';

const OWNER = 'UOWNER';
const ALLOWED = 'UALLOWED';

describe('Slack: chat to workflows and back (Events API and Socket Mode)', () => {
  let peer: SlackPeer;
  let chat: ChatTest;
  let slack: NonNullable<ChannelsInput['slack']>;

  beforeAll(async () => {
    peer = await SlackPeer.start();
    const webhookPort = await freePort();
    peer.eventsUrl = `http://127.0.0.1:${webhookPort}/slack/events`;
    slack = {
      botToken: peer.botToken,
      signingSecret: peer.signingSecret,
      apiUrl: peer.apiUrl,
      allowUsers: [ALLOWED],
    };
    chat = await startChatTest({
      owners: [`slack:${OWNER}`],
      webhookPort,
      slack,
      maxAttachmentBytes: TEST_MAX_ATTACHMENT_BYTES,
    });
    await saveChatWorkflows(chat);
    await chat.startGateway();
  }, 180_000);

  afterAll(async () => {
    await chat?.stop();
    await peer?.close();
  });

  const textsIn = (channel: string) =>
    peer.postsIn(channel).flatMap((post) => (post.kind === 'message' ? [post.text ?? ''] : []));
  const waitForPost = (channel: string, pattern: RegExp): Promise<SlackPost> =>
    until(
      () => peer.postsIn(channel).find((post) => pattern.test(post.text ?? '')),
      120_000,
      `a post matching ${pattern} in ${channel}`,
    );

  it('runs a workflow from /run and answers in the same channel and thread', async () => {
    const started = peer.userSends({ channel: 'C100', user: ALLOWED, text: '/help' });
    peer.userSends({
      channel: 'C100',
      user: ALLOWED,
      text: '/run echo {"text": "a < b & c"}',
      threadTs: started,
    });
    const answer = await waitForPost('C100', /^echo: echo a < b & c$/);
    expect(answer.threadTs).toBe(started);
    const progress = peer.postsIn('C100').find((post) => /^Started echo/.test(post.text ?? ''));
    expect(progress?.threadTs).toBe(started);

    peer.userSends({ channel: 'C101', user: ALLOWED, text: '/run echo {"text": "top level"}' });
    const topLevel = await waitForPost('C101', /^echo: echo top level$/);
    expect(topLevel.threadTs).toBeUndefined();
    const runs = await chat.engine.db.run.findMany({ where: { triggerKind: 'chat' } });
    expect(runs.map((run) => run.actor)).toContain(`chat:slack:${ALLOWED}`);
    // The bot's own posts come back as events: they start nothing.
    expect(runs).toHaveLength(2);
  }, 180_000);

  it('keeps shared files in Pincer (url_private with the bot token); too big a file is refused', async () => {
    const photo = randomBytes(3000);
    const pdf = Buffer.from('%PDF-1.4 a report');
    peer.userSends({
      channel: 'C110',
      user: ALLOWED,
      text: '/run files',
      files: [
        { name: 'cat.png', mimetype: 'image/png', data: photo },
        { name: 'report.pdf', mimetype: 'application/pdf', data: pdf },
      ],
    });
    const kept = await filesIn(chat, (await waitForPost('C110', /^files: \S/)).text ?? '');
    expect(kept.map((file) => [file.name, file.mediaType])).toEqual([
      ['cat.png', 'image/png'],
      ['report.pdf', 'application/pdf'],
    ]);
    expect(kept[0]?.data).toEqual(photo);
    expect(kept[1]?.data).toEqual(pdf);

    peer.userSends({
      channel: 'C111',
      user: ALLOWED,
      text: '/run files',
      files: [
        {
          name: 'big.bin',
          mimetype: 'application/octet-stream',
          data: randomBytes(TEST_MAX_ATTACHMENT_BYTES + 1),
        },
      ],
    });
    await waitForPost(
      'C111',
      /^Your file was not kept: "big\.bin" is 0\.1 MB; files sent by slack may have at most/,
    );
    await waitForPost('C111', /^files: $/);
  }, 180_000);

  it('asks for approval with Block Kit buttons and a button press resumes the run', async () => {
    const thread = peer.userSends({ channel: 'C102', user: ALLOWED, text: '/help' });
    peer.userSends({ channel: 'C102', user: ALLOWED, text: '/run ship', threadTs: thread });
    const question = await waitForPost('C102', /waits for approval of confirm: Ship it\?/);
    expect(question.threadTs).toBe(thread);
    const approve = question.buttons.find((button) => button.text === 'Approve');
    expect(approve?.value).toMatch(/^approve:\d+$/);
    peer.pressButton({ user: ALLOWED, post: question, value: approve?.value ?? '' });
    const done = await waitForPost('C102', /^ship: shipped$/);
    expect(done.threadTs).toBe(thread);
  }, 180_000);

  it('delivers a file through the external upload flow', async () => {
    peer.userSends({ channel: 'C103', user: OWNER, text: '/run report' });
    const file = await until(
      () => peer.postsIn('C103').find((post) => post.kind === 'file'),
      120_000,
      'the report file',
    );
    expect(file.file?.name).toBe('report.csv');
    expect(file.file?.data.toString()).toBe('day,errors\nmonday,3\n');
    const methods = peer.calls.map((call) => call.method);
    expect(methods).toContain('files.getUploadURLExternal');
    expect(methods).toContain('files.completeUploadExternal');
  }, 180_000);

  it('refuses a forged signature and a stale timestamp (401); nothing runs', async () => {
    const challenge = await peer.postSigned({ type: 'url_verification', challenge: 'c-123', token: 't' });
    expect(challenge.status).toBe(200);
    expect(JSON.parse(challenge.body)).toEqual({ challenge: 'c-123' });

    const forged = peer.messageEvent({ channel: 'C104', user: OWNER, text: '/run echo {"text": "forged"}' });
    const wrongSecret = await peer.postSigned(forged, { secret: 'not-the-signing-secret-0000000000' });
    expect(wrongSecret.status).toBe(401);
    const replayed = peer.messageEvent({
      channel: 'C104',
      user: OWNER,
      text: '/run echo {"text": "replayed"}',
    });
    const stale = await peer.postSigned(replayed, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatch(/more than 5 minutes/);

    // A genuine message after them in the same channel is answered; the refused ones never were.
    peer.userSends({ channel: 'C104', user: OWNER, text: '/run echo {"text": "genuine"}' });
    await waitForPost('C104', /^echo: echo genuine$/);
    expect(textsIn('C104').some((text) => /forged|replayed/.test(text))).toBe(false);
    const runs = await chat.engine.db.run.findMany({ where: { triggerKind: 'chat' } });
    const inputs = runs.map((run) => JSON.stringify(run.input));
    expect(inputs.some((input) => /forged|replayed/.test(input))).toBe(false);
  }, 180_000);

  it('rides out a 429 storm: replies are delayed, none lost or doubled', async () => {
    peer.rateLimit(6, 1);
    for (let index = 0; index < 3; index++)
      peer.userSends({ channel: 'C105', user: ALLOWED, text: `/run echo {"text": "storm ${index}"}` });
    for (let index = 0; index < 3; index++)
      await waitForPost('C105', new RegExp(`^echo: echo storm ${index}$`));
    expect(peer.rateLimitHits).toBeGreaterThanOrEqual(6);
    const replies = textsIn('C105').filter((text) => text.startsWith('echo: '));
    expect(replies.sort()).toEqual(['echo: echo storm 0', 'echo: echo storm 1', 'echo: echo storm 2']);
    const retried = await chat.engine.db.auditEvent.count({ where: { action: 'chat.delivery_retrying' } });
    expect(retried).toBeGreaterThanOrEqual(6);
  }, 180_000);

  it('answers unknown commands, odd unicode, over-long messages and unknown senders safely', async () => {
    peer.userSends({ channel: 'C107', user: ALLOWED, text: '/frobnicate now' });
    await waitForPost('C107', /^Unknown command \/frobnicate\. Commands:/);
    const odd = 'z\u0000a\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \uD800 \u202Eevil';
    peer.userSends({ channel: 'C107', user: ALLOWED, text: `/run echo ${JSON.stringify({ text: odd })}` });
    const echoed = await waitForPost('C107', /^echo: echo z/);
    expect(echoed.text).toBe('echo: echo za\u0301 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \uFFFD \u202Eevil');
    // Slack carries at most 40,000 characters in a message; Pincer reads the first 16,000.
    peer.userSends({ channel: 'C107', user: ALLOWED, text: `/run echo ${'x'.repeat(40_000)}` });
    await waitForPost('C107', /The input after \/run echo is not JSON|read only its beginning/);
    // A 10 MB request is refused with a clear status before it is read; the gateway carries on.
    const huge = peer.messageEvent({ channel: 'C107', user: ALLOWED, text: 'x'.repeat(10 * 1024 * 1024) });
    const refused = await peer.postSigned(huge).catch(() => ({ status: 413, body: 'connection closed' }));
    expect(refused.status).toBe(413);
    peer.userSends({ channel: 'C107', user: ALLOWED, text: '/run nosuch' });
    await waitForPost('C107', /There is no workflow "nosuch"\. You can run: echo, files, report, ship/);
    peer.userSends({ channel: 'C108', user: 'USTRANGER', text: '/run echo {"text": "let me in"}' });
    await waitForPost('C108', /pairing code ([A-Z0-9]{8})/);
    expect(textsIn('C108').some((text) => text.startsWith('echo'))).toBe(false);
    expect(await chat.engine.db.run.count({ where: { actor: 'chat:slack:USTRANGER' } })).toBe(0);
  }, 180_000);

  it('delivers a message end to end over Socket Mode, acknowledging it', async () => {
    await chat.killGateway();
    peer.transport = 'socket';
    await chat.startGateway({
      channels: {
        owners: [`slack:${OWNER}`],
        slack: {
          botToken: peer.botToken,
          appToken: peer.appToken,
          apiUrl: peer.apiUrl,
          mode: 'socket',
          allowUsers: [ALLOWED],
        },
      },
    });
    const thread = peer.userSends({ channel: 'C106', user: ALLOWED, text: '/help' });
    peer.userSends({
      channel: 'C106',
      user: ALLOWED,
      text: '/run echo {"text": "over the socket"}',
      threadTs: thread,
    });
    const answer = await waitForPost('C106', /^echo: echo over the socket$/);
    expect(answer.threadTs).toBe(thread);
    expect(peer.calls.some((call) => call.method === 'apps.connections.open')).toBe(true);
    await until(() => (peer.undelivered() === 0 ? true : undefined), 60_000, 'every envelope acknowledged');
  }, 180_000);
});
