import os from 'node:os';
import { createLocalInference, type LocalInference, locateModel } from '@pincer/inference';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '../peers/http.ts';
import { TelegramPeer } from '../peers/telegram.ts';
import { type ChatTest, startChatTest } from '../support/chat.ts';

const USER = 7;

describe('the assistant on the real default model', () => {
  let peer: TelegramPeer;
  let chat: ChatTest;
  let model: LocalInference;

  beforeAll(async () => {
    peer = await TelegramPeer.start();
    model = createLocalInference({
      location: locateModel(inject('modelPath'), os.tmpdir()),
      contextSize: 2048,
      sequences: 2,
      gpu: 'off',
      defaultMaxTokens: 128,
    });
    chat = await startChatTest(
      { telegram: { token: peer.token, apiRoot: peer.apiRoot, allowUsers: [String(USER)] } },
      { services: { inference: model } },
    );
    await chat.startGateway();
  }, 240_000);

  afterAll(async () => {
    await chat?.stop();
    await model?.close();
    await peer?.close();
  });

  it('answers a message that is not a command with the language model, in the same chat', async () => {
    const asked = peer.userSends({ chatId: 700, userId: USER, text: 'Hello! Who are you?' });
    const answer = await until(
      () => peer.sentTo(700).find((message) => (message.text ?? '').length > 0),
      180_000,
      'an answer in chat 700',
    );
    expect(answer.replyTo).toBe(asked);
    expect(answer.text).not.toMatch(/only follow commands|could not think/);
    const inbound = await chat.engine.db.message.count({ where: { direction: 'inbound' } });
    expect(inbound).toBe(1);
  }, 240_000);
});
