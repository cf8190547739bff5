import { PLATFORMS, type Platform } from '@pincer/config/channels';
import { z } from 'zod';
import { wellFormedOf } from './text.ts';

export { PLATFORMS, type Platform };

/** Longest text handed to a conversation; longer messages are cut and marked `truncated`. */
export const MAX_TEXT_CHARS = 16_000;

/**
 * Text from outside made safe to store and hand on: lone surrogates become U+FFFD (JSON and
 * PostgreSQL refuse them), NUL characters go (PostgreSQL's jsonb refuses them), and it is cut at
 * `MAX_TEXT_CHARS`.
 */
export function cleanText(text: string): { text: string; truncated: boolean } {
  const wellFormed = wellFormedOf(text).replaceAll('\u0000', '');
  if (wellFormed.length <= MAX_TEXT_CHARS) return { text: wellFormed, truncated: false };
  // Never cut a surrogate pair in half.
  return { text: wellFormedOf(wellFormed.slice(0, MAX_TEXT_CHARS)), truncated: true };
}

export const AttachmentSchema = z.object({
  type: z.enum(['image', 'document', 'audio', 'video']),
  /** Where the bytes are: a Pincer URL (/api/v1/chat/files/<id>) once stored, else the platform's reference. */
  url: z.string(),
  /** The artifact id once stored in Pincer. */
  id: z.string().optional(),
  name: z.string().optional(),
  mediaType: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

const RunInputFilesSchema = z.object({ message: z.object({ attachments: z.array(AttachmentSchema) }) });

/** The files of the message that started a run from chat (its input's `message.attachments`). */
export function attachmentsInRunInput(input: unknown): Attachment[] {
  const parsed = RunInputFilesSchema.safeParse(input);
  return parsed.success ? parsed.data.message.attachments : [];
}

const platform = z.enum(PLATFORMS);

/** Where a message came from, precisely enough to answer in the same chat and thread. */
export const PlatformIdsSchema = z.object({
  /** Unique within the platform: the dedupe key (Telegram: "<chat id>:<message id>"). */
  message_id: z.string().min(1),
  chat_id: z.string().min(1),
  /** Slack thread_ts, Discord thread channel, e-mail Message-ID of the thread's first mail. */
  thread_id: z.string().optional(),
  /** The platform's id of the message itself, to reply to it (Telegram message id, e-mail Message-ID). */
  reply_to: z.string().optional(),
  /** E-mail: the References chain and the subject, for a threaded answer. */
  references: z.array(z.string()).optional(),
  subject: z.string().optional(),
});
export type PlatformIds = z.infer<typeof PlatformIdsSchema>;

export const SenderSchema = z.object({
  platform,
  user_id: z.string().min(1),
  name: z.string().optional(),
});
export type Sender = z.infer<typeof SenderSchema>;

/** The normalized inbound message of the design brief, plus platform ids for replies and dedupe. */
export const InboundMessageSchema = z.object({
  session_id: z.string().min(1),
  sender: SenderSchema,
  content: z.object({
    text: z.string(),
    attachments: z.array(AttachmentSchema).default([]),
    truncated: z.boolean().optional(),
  }),
  context: z
    .object({
      prev_messages: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })),
    })
    .default({ prev_messages: [] }),
  platform_ids: PlatformIdsSchema,
  /** ISO time the gateway received it. */
  received_at: z.string(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** A button press (approve/reject) on a message we sent. */
export const InboundActionSchema = z.object({
  session_id: z.string().min(1),
  sender: SenderSchema,
  /** What the button carried, e.g. "approve:3". */
  data: z.string().max(64),
  platform_ids: PlatformIdsSchema,
  received_at: z.string(),
});
export type InboundAction = z.infer<typeof InboundActionSchema>;

export const InboundEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), message: InboundMessageSchema }),
  z.object({ kind: z.literal('action'), action: InboundActionSchema }),
]);
export type InboundEvent = z.infer<typeof InboundEventSchema>;

export const OutboundFileSchema = z.object({
  name: z.string().min(1),
  mediaType: z.string().default('application/octet-stream'),
  /** An artifact of a run (sent natively where the platform allows). */
  artifactId: z.string().optional(),
  /** Inline bytes, base64, for small generated files. */
  base64: z.string().optional(),
  /** Where people can download it; sent as a link when the platform cannot take the file. */
  url: z.string().optional(),
});
export type OutboundFile = z.input<typeof OutboundFileSchema>;

export const ButtonSchema = z.object({
  label: z.string().min(1).max(40),
  /** Comes back as the action's `data`. */
  data: z.string().min(1).max(64),
});
export type Button = z.infer<typeof ButtonSchema>;

/** One message we send: to a chat (and thread), optionally as a reply, with files and buttons. */
export const OutboundMessageSchema = z.object({
  platform,
  chat_id: z.string().min(1),
  thread_id: z.string().optional(),
  reply_to: z.string().optional(),
  references: z.array(z.string()).optional(),
  subject: z.string().optional(),
  text: z.string(),
  files: z.array(OutboundFileSchema).default([]),
  buttons: z.array(ButtonSchema).default([]),
});
export type OutboundMessage = z.input<typeof OutboundMessageSchema>;
export type ParsedOutboundMessage = z.output<typeof OutboundMessageSchema>;

/** The conversation a message belongs to: one per chat (and thread where the platform has them). */
export function sessionIdOf(platformName: Platform, chatId: string, threadId?: string): string {
  return threadId ? `${platformName}:${chatId}:${threadId}` : `${platformName}:${chatId}`;
}

/** Where replies to an inbound message go. */
export function replyTarget(message: {
  sender: Sender;
  platform_ids: PlatformIds;
}): Omit<ParsedOutboundMessage, 'text' | 'files' | 'buttons'> {
  const ids = message.platform_ids;
  return {
    platform: message.sender.platform,
    chat_id: ids.chat_id,
    ...(ids.thread_id ? { thread_id: ids.thread_id } : {}),
    ...(ids.reply_to ? { reply_to: ids.reply_to } : {}),
    ...(ids.references ? { references: ids.references } : {}),
    ...(ids.subject ? { subject: ids.subject } : {}),
  };
}
