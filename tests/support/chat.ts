import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { accessSettingsOf, createMessaging, sendersFromConfig } from '@pincer/channels';
import { loadConfig, type PincerConfigInput } from '@pincer/config';
import type { NodeServices } from '@pincer/nodes';
import { freePort } from '@pincer/provision';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { startTestEngine, type TestEngine } from './engine.ts';
import { cleanEnv, eventually, Job } from './pincer.ts';

const HealthSchema = z.object({
  status: z.string(),
  channels: z.array(z.object({ platform: z.string(), state: z.string(), error: z.string().optional() })),
});

export type ChannelsInput = NonNullable<PincerConfigInput['channels']>;

export interface ChatTest {
  engine: TestEngine;
  /** The gateway process (started by `startGateway`). */
  gateway: Job | undefined;
  healthUrl: string;
  /**
   * Starts the gateway as `npm start` does and waits until every channel is connected. `channels`
   * replaces the gateway's channel settings (another mode of the same platform); the workers keep theirs.
   */
  startGateway(options?: { waitConnected?: boolean; channels?: ChannelsInput }): Promise<Job>;
  /** kill -9 of the gateway. */
  killGateway(): Promise<void>;
  health(): Promise<{ status: string; channels: { platform: string; state: string; error?: string }[] }>;
  stop(): Promise<void>;
}

/**
 * A chat setup against local platform stand-ins: the real workers (with the outbox sending to
 * the stand-ins) in this process on a fresh database and namespace, and the gateway as its own
 * process reading a pincer.yaml with `channels`. Every platform's suite starts from here.
 */
export async function startChatTest(
  channels: ChannelsInput,
  options: { services?: NodeServices } = {},
): Promise<ChatTest> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-chat-'));
  const configFile = path.join(scratch, 'pincer.yaml');
  const healthPort = await freePort();
  const webhookPort = channels.webhookPort ?? (await freePort());
  await writeFile(
    configFile,
    stringify({ dataDir: path.join(scratch, 'data'), channels: { ...channels, webhookPort } }),
  );
  const config = loadConfig({ file: configFile, env: {} });
  const messaging = createMessaging({
    senders: sendersFromConfig(config.channels),
    maxAttachmentBytes: config.channels.maxAttachmentBytes,
  });
  const engine = await startTestEngine({
    services: { messaging, ...options.services },
    chat: accessSettingsOf(config.channels),
  });
  const healthUrl = `http://127.0.0.1:${healthPort}/health`;
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PINCER_CONFIG: configFile,
    PINCER_LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: engine.namespace,
    PINCER_GATEWAY_HEALTH_PORT: String(healthPort),
  };
  const test: ChatTest = {
    engine,
    gateway: undefined,
    healthUrl,
    async startGateway(options = {}) {
      let gatewayEnv = env;
      if (options.channels) {
        const file = path.join(scratch, `gateway-${Date.now()}.yaml`);
        await writeFile(
          file,
          stringify({ dataDir: path.join(scratch, 'data'), channels: { ...options.channels, webhookPort } }),
        );
        gatewayEnv = { ...env, PINCER_CONFIG: file };
      }
      const job = new Job(process.execPath, ['--import', 'tsx', 'apps/gateway/src/main.ts'], gatewayEnv);
      test.gateway = job;
      await job.waitFor(/gateway ready/, 120_000);
      if (options.waitConnected !== false)
        await eventually(async () => ((await test.health()).status === 'ok' ? true : undefined), 120_000);
      return job;
    },
    async killGateway() {
      const job = test.gateway;
      if (!job) return;
      job.forceKill();
      await job.exit;
      test.gateway = undefined;
    },
    async health() {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(10_000) });
      return HealthSchema.parse(await response.json());
    },
    async stop() {
      const job = test.gateway;
      if (job) {
        job.interrupt();
        await Promise.race([job.exit, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        job.forceKill();
      }
      await engine.stop();
      await messaging.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
  return test;
}

/** A workflow that answers with what it was sent: the echo of the chat tests and bench/chat. */
export const ECHO_WORKFLOW = `
workflow:
  name: echo
  description: Repeats what you send
  steps:
    - name: say
      type: transform
      value: "echo {{ $exists(trigger.text) ? trigger.text : trigger.message.text }}"
`;

/** A workflow that answers with the files it was sent: name, size and Pincer URL of each. */
export const FILES_WORKFLOW = `
workflow:
  name: files
  description: Lists the files you send
  steps:
    - name: list
      type: transform
      value: "{{ $join([trigger.message.attachments.(name & ' ' & $string(size) & ' ' & url)], ', ') }}"
`;

/** The largest file the chat suites accept (channels.maxAttachmentBytes), to test the refusal cheaply. */
export const TEST_MAX_ATTACHMENT_BYTES = 64 * 1024;

/**
 * The files a `files` run answered with, read back from where their Pincer URLs point; the URL is
 * checked against the store's own (the web server serving it is tested in tests/api/rest.test.ts).
 */
export async function filesIn(chat: ChatTest, answer: string) {
  const found = [...answer.matchAll(/(\S+) (\d+) (\/api\/v1\/chat\/files\/([0-9a-f-]{36}))/g)];
  return Promise.all(
    found.map(async ([, name, size, url, id]) => {
      const stored = await chat.engine.artifacts.read(id ?? '');
      if (!stored || stored.ref.url !== url) throw new Error(`${url} is not a stored chat file`);
      return { name, size: Number(size), url, data: stored.data, mediaType: stored.ref.mediaType };
    }),
  );
}

/** A workflow with an approval: it waits for a person before it ships. */
export const APPROVAL_WORKFLOW = `
workflow:
  name: ship
  description: Ships after approval
  steps:
    - name: confirm
      type: approval
      message: Ship it?
    - name: done
      type: transform
      value: shipped
`;

/** A workflow with a side effect (a message with a file) answering in the chat it came from. */
export const REPORT_WORKFLOW = `
workflow:
  name: report
  description: Sends a report file
  steps:
    - name: send
      type: message
      platform: "{{ trigger.reply.platform }}"
      channel: "{{ trigger.reply.chat_id }}"
      text: Here is the report
      files:
        - name: report.csv
          media_type: text/csv
          content: "day,errors\\nmonday,3\\n"
`;

/** Saves the workflows every chat suite drives: files, echo, approval and report. */
export async function saveChatWorkflows(chat: ChatTest): Promise<void> {
  for (const yaml of [FILES_WORKFLOW, ECHO_WORKFLOW, APPROVAL_WORKFLOW, REPORT_WORKFLOW])
    await chat.engine.save(yaml);
}
