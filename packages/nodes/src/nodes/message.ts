import { PLATFORMS } from '@pincer/config/channels';
import { z } from 'zod';
import { defineNode } from '../define.ts';
import { NodeError } from '../errors.ts';

const file = z
  .strictObject({
    name: z.string().min(1).describe('The file name people see, e.g. report.csv.'),
    media_type: z.string().default('application/octet-stream').describe('e.g. text/csv, image/png.'),
    content: z.string().optional().describe('Text content of the file, e.g. {{ steps.report.output }}.'),
    base64: z.string().optional().describe('Binary content, base64-encoded.'),
    artifact: z.string().optional().describe("The id of an artifact of this run (a step's file output)."),
  })
  .refine(
    (value) => [value.content, value.base64, value.artifact].filter((v) => v !== undefined).length === 1,
    {
      message: 'give exactly one of content, base64 or artifact',
    },
  );

export const message = defineNode({
  type: 'message',
  title: 'Send message',
  description:
    'Sends a message (text, files) to a chat platform configured in `channels`: Telegram, Slack, Discord or e-mail.',
  category: 'messaging',
  capability: 'messaging',
  execution: 'activity',
  sideEffects: 'external',
  config: z.strictObject({
    platform: z
      .enum(PLATFORMS)
      .describe('Where to send it; the platform must be configured under channels in pincer.yaml.'),
    channel: z
      .string()
      .min(1)
      .describe(
        'The chat: Telegram chat id, Slack channel id, Discord channel id or an e-mail address. In a run started from chat, {{ trigger.reply.chat_id }} answers where the message came from.',
      ),
    thread: z.string().optional().describe('A thread in the chat (Slack thread_ts, Telegram topic id).'),
    subject: z.string().optional().describe('E-mail subject.'),
    text: z.string().default('').describe('The message text.'),
    files: z
      .array(file)
      .default([])
      .describe('Files to attach; sent as files where the platform allows, else as links.'),
  }),
  docs: {
    example: `
workflow:
  name: daily_report
  steps:
    - name: count
      type: transform
      value: "day,errors\\nmonday,3\\n"
    - name: send
      type: message
      platform: telegram
      channel: "-1001234567890"
      text: "Errors today, see the file"
      files:
        - name: report.csv
          media_type: text/csv
          content: "{{ steps.count.output }}"
`,
    notes:
      'The platform must be configured under `channels` in pincer.yaml (see docs/channels.md). In a run ' +
      'started from chat, `{{ trigger.reply.platform }}` and `{{ trigger.reply.chat_id }}` answer where the ' +
      'message came from. A rate limit (Telegram retry_after, Slack Retry-After, Discord buckets) is retried.',
    minimal: { platform: 'telegram', channel: '42' },
  },
  outputs: ['main'],
  defaults: {
    timeoutMs: 120_000,
    retry: { maximumAttempts: 8, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000 },
  },
  async run(config, context): Promise<{ platform: string; messageId: string }> {
    const messaging = context.services.messaging;
    if (!messaging)
      throw new NodeError(
        'messaging_unavailable',
        'This worker sends no chat messages: serve the messaging capability (worker.capabilities) and configure channels in pincer.yaml.',
        { retryable: false },
      );
    if (!config.text && config.files.length === 0)
      throw new NodeError('message_empty', 'The message has no text and no files: set text or files.', {
        retryable: false,
      });
    const result = await messaging.send({
      platform: config.platform,
      chat_id: config.channel,
      ...(config.thread ? { thread_id: config.thread } : {}),
      ...(config.subject ? { subject: config.subject } : {}),
      text: config.text,
      files: config.files.map((entry) => ({
        name: entry.name,
        mediaType: entry.media_type,
        ...(entry.content !== undefined ? { base64: Buffer.from(entry.content).toString('base64') } : {}),
        ...(entry.base64 !== undefined ? { base64: entry.base64 } : {}),
        ...(entry.artifact !== undefined ? { artifactId: entry.artifact } : {}),
      })),
    });
    context.log('message sent', { platform: config.platform, messageId: result.messageId });
    return { platform: config.platform, messageId: result.messageId };
  },
});

export type MessageConfig = z.output<typeof message.config>;
