import type { ArtifactStore, ChatDelivery, DeliveryProgress, MessagingService } from '@pincer/nodes';
import { NodeError } from '@pincer/nodes';
import { ChannelError, type ChannelSender, type ResolvedFile } from './adapter.ts';
import {
  AttachmentSchema,
  OutboundMessageSchema,
  type ParsedOutboundMessage,
  type Platform,
} from './message.ts';

/** channels.maxAttachmentBytes when not configured: Telegram's own download limit. */
const DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** Sends through the configured platforms; files come from the artifact store or inline bytes. */
export function createMessaging(options: {
  senders: ChannelSender[];
  artifacts?: ArtifactStore;
  /** The studio's public URL: artifact links in messages point at it. */
  publicUrl?: string;
  /** Largest file a chat message may bring (channels.maxAttachmentBytes). */
  maxAttachmentBytes?: number;
}): MessagingService & { close(): Promise<void> } {
  const byPlatform = new Map<string, ChannelSender>(
    options.senders.map((sender) => [sender.platform, sender]),
  );

  async function resolveFile(file: ParsedOutboundMessage['files'][number]): Promise<ResolvedFile> {
    if (file.base64 !== undefined)
      return { name: file.name, mediaType: file.mediaType, data: Buffer.from(file.base64, 'base64') };
    if (file.artifactId) {
      const stored = await options.artifacts?.read(file.artifactId);
      if (stored) return { name: file.name, mediaType: stored.ref.mediaType, data: stored.data };
      throw new NodeError('chat_file_missing', `File "${file.name}": no artifact ${file.artifactId}`, {
        retryable: false,
      });
    }
    if (file.url) {
      const url =
        file.url.startsWith('/') && options.publicUrl ? `${options.publicUrl}${file.url}` : file.url;
      return { name: file.name, mediaType: file.mediaType, url };
    }
    throw new NodeError('chat_file_empty', `File "${file.name}" has no artifactId, base64 or url`, {
      retryable: false,
    });
  }

  return {
    platforms: () => [...byPlatform.keys()],
    async send(delivery: ChatDelivery, progress?: DeliveryProgress) {
      const parsed = OutboundMessageSchema.safeParse(delivery);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new NodeError(
          'chat_message_invalid',
          `message ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`,
          { retryable: false },
        );
      }
      const message = parsed.data;
      const sender = byPlatform.get(message.platform);
      if (!sender) {
        throw new NodeError(
          'chat_platform_not_configured',
          `No ${message.platform} channel is configured: add channels.${message.platform} to pincer.yaml (configured: ${[...byPlatform.keys()].join(', ') || 'none'})`,
          { retryable: false },
        );
      }
      const files = await Promise.all(message.files.map(resolveFile));
      try {
        return await sender.send(message, files, progress);
      } catch (error) {
        throw toNodeError(message.platform, error);
      }
    },
    async fetchAttachment(platform, attachment) {
      const sender = byPlatform.get(platform);
      if (!sender?.fetchAttachment)
        throw new NodeError(
          'chat_platform_not_configured',
          `No ${platform} channel is configured to fetch files from: add channels.${platform} to pincer.yaml`,
          { retryable: false },
        );
      const parsed = AttachmentSchema.parse(attachment);
      try {
        return await sender.fetchAttachment(
          parsed,
          options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
        );
      } catch (error) {
        throw toNodeError(sender.platform, error);
      }
    },
    async close() {
      for (const sender of byPlatform.values()) await sender.close?.();
    },
  };
}

function toNodeError(platform: Platform, error: unknown): NodeError {
  if (error instanceof ChannelError) {
    return new NodeError(`chat_${error.code}`, error.message, {
      retryable: error.retryable,
      details: {
        platform,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      },
    });
  }
  return new NodeError(
    'chat_unavailable',
    `${platform}: ${error instanceof Error ? error.message : String(error)}`,
    {
      retryable: true,
      details: { platform },
    },
  );
}
