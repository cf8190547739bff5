import { randomInt } from 'node:crypto';
import type { Prisma, PrismaClient } from '@pincer/db';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';

/** Who may talk to the assistant: the `channels` section of pincer.yaml, as the engine needs it. */
export interface ChatAccessSettings {
  /** "platform:user id" of the owners. */
  owners: readonly string[];
  /** Workflows allow-listed for chat: they may run from chat although they have side effects. */
  workflows: readonly string[];
  /** Per platform: allowed user ids and chats. */
  allow: Partial<Record<string, { allowUsers: readonly string[]; allowChats: readonly string[] }>>;
}

export type ChatAccess = 'owner' | 'allowed' | 'pending';

export interface ChatSenderRef {
  platform: string;
  userId: string;
  chatId: string;
  name?: string;
}

/** Owners, allow-listed users and chats, and approved pairings may talk; others wait for an owner. */
export async function chatAccessOf(
  db: PrismaClient,
  settings: ChatAccessSettings,
  sender: ChatSenderRef,
): Promise<ChatAccess> {
  if (settings.owners.includes(`${sender.platform}:${sender.userId}`)) return 'owner';
  const lists = settings.allow[sender.platform];
  if (lists?.allowUsers.includes(sender.userId) || lists?.allowChats.includes(sender.chatId))
    return 'allowed';
  const pairing = await db.chatPairing.findUnique({
    where: { platform_userId: { platform: sender.platform, userId: sender.userId } },
    select: { status: true },
  });
  return pairing?.status === 'approved' ? 'allowed' : 'pending';
}

/** Easy to read out and type: no 0/O, 1/I. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newCode(): string {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/** The sender's pairing request (made on first contact); `created` is true the first time. */
export async function requestPairing(
  db: PrismaClient,
  sender: ChatSenderRef,
): Promise<{ code: string; status: 'pending' | 'approved' | 'rejected'; created: boolean }> {
  const key = { platform_userId: { platform: sender.platform, userId: sender.userId } };
  const existing = await db.chatPairing.findUnique({ where: key });
  if (existing) return { code: existing.code, status: existing.status, created: false };
  const created = await db.chatPairing.upsert({
    where: key,
    create: {
      platform: sender.platform,
      userId: sender.userId,
      chatId: sender.chatId,
      code: newCode(),
      ...(sender.name ? { name: sender.name } : {}),
    },
    update: {},
  });
  await audit(db, {
    actor: `chat:${sender.platform}:${sender.userId}`,
    action: 'chat.pairing_requested',
    targetId: created.id,
    data: { platform: sender.platform, userId: sender.userId },
  });
  return { code: created.code, status: created.status, created: true };
}

export interface PairingView {
  code: string;
  platform: string;
  userId: string;
  name: string | null;
  chatId: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  createdAt: Date;
}

export async function listPairings(
  db: PrismaClient,
  filter: { status?: 'pending' | 'approved' | 'rejected' } = {},
): Promise<PairingView[]> {
  const rows = await db.chatPairing.findMany({
    where: filter.status ? { status: filter.status } : {},
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  return rows.map((row) => ({
    code: row.code,
    platform: row.platform,
    userId: row.userId,
    name: row.name,
    chatId: row.chatId,
    status: row.status,
    decidedBy: row.decidedBy,
    createdAt: row.createdAt,
  }));
}

/** An owner approves (or rejects) a pairing code a chat sender got. */
export async function decidePairing(
  db: PrismaClient,
  request: { code: string; approved: boolean; actor: string },
): Promise<PairingView> {
  const code = request.code.trim().toUpperCase();
  const existing = await db.chatPairing.findUnique({ where: { code } });
  if (!existing)
    throw new EngineError(
      'pairing_not_found',
      `No pairing with code ${code}: list the waiting ones with \`pincer chat pairings\`.`,
    );
  const row = await db.chatPairing.update({
    where: { code },
    data: {
      status: request.approved ? 'approved' : 'rejected',
      decidedBy: request.actor,
      decidedAt: new Date(),
    },
  });
  await audit(db, {
    actor: request.actor,
    action: request.approved ? 'chat.pairing_approved' : 'chat.pairing_rejected',
    targetId: row.id,
    data: { platform: row.platform, userId: row.userId },
  });
  return {
    code: row.code,
    platform: row.platform,
    userId: row.userId,
    name: row.name,
    chatId: row.chatId,
    status: row.status,
    decidedBy: row.decidedBy,
    createdAt: row.createdAt,
  };
}

function asJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null));
}

/** The conversation of a chat (a session on a platform), created on its first message. */
export async function conversationOf(
  db: PrismaClient,
  platform: string,
  externalId: string,
): Promise<string> {
  const conversation = await db.conversation.upsert({
    where: { platform_externalId: { platform, externalId } },
    create: { platform, externalId, lastMessageAt: new Date() },
    update: { lastMessageAt: new Date() },
    select: { id: true },
  });
  return conversation.id;
}

/**
 * Records a message someone sent, once: unique on (platform, platform message id), so a retried
 * activity writes it once. Answers its conversation.
 */
export async function recordInboundMessage(
  db: PrismaClient,
  message: { platform: string; sessionId: string; messageId: string; sender: string; content: unknown },
): Promise<string> {
  const conversationId = await conversationOf(db, message.platform, message.sessionId);
  await db.message.upsert({
    where: {
      platform_platformMessageId: { platform: message.platform, platformMessageId: message.messageId },
    },
    create: {
      conversationId,
      platform: message.platform,
      direction: 'inbound',
      platformMessageId: message.messageId,
      sender: message.sender,
      content: asJson(message.content),
    },
    update: {},
  });
  return conversationId;
}

/** Replaces the content of a recorded inbound message (its attachments once stored). */
export async function updateInboundContent(
  db: PrismaClient,
  message: { platform: string; messageId: string; content: unknown },
): Promise<void> {
  await db.message.updateMany({
    where: { platform: message.platform, platformMessageId: message.messageId },
    data: { content: asJson(message.content) },
  });
}

/** The latest version of every workflow that is not archived, by name: what a chat may start. */
export async function latestVersions(db: PrismaClient) {
  const versions = await db.workflowVersion.findMany({
    where: { workflow: { archivedAt: null } },
    orderBy: [{ workflowId: 'asc' }, { version: 'desc' }],
    distinct: ['workflowId'],
    include: { workflow: { select: { name: true, description: true } } },
  });
  return versions
    .map((version) => ({
      name: version.workflow.name,
      description: version.workflow.description,
      plan: version.plan,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The platform's message id of an outbox message already delivered (so a retry sends nothing), if it was. */
export async function deliveredMessageId(db: PrismaClient, key: string): Promise<string | undefined> {
  const delivered = await db.auditEvent.findFirst({
    where: { targetType: 'chat_outbox', targetId: key, action: 'chat.delivered' },
    select: { data: true },
  });
  if (!delivered) return undefined;
  const { data } = delivered;
  return data !== null &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    typeof data.messageId === 'string'
    ? data.messageId
    : '';
}

/** Records a delivered outbox message: the outbound message and its `chat.delivered` event, together. */
export async function recordDelivery(
  db: PrismaClient,
  delivery: {
    key: string;
    platform: string;
    sessionId: string;
    chatId: string;
    messageId: string;
    content: unknown;
    attempt: number;
  },
): Promise<void> {
  const conversationId = await conversationOf(db, delivery.platform, delivery.sessionId);
  await db.$transaction([
    db.message.upsert({
      where: {
        platform_platformMessageId: { platform: delivery.platform, platformMessageId: delivery.messageId },
      },
      create: {
        conversationId,
        platform: delivery.platform,
        direction: 'outbound',
        platformMessageId: delivery.messageId,
        sender: 'assistant',
        content: asJson(delivery.content),
      },
      update: {},
    }),
    audit(db, {
      actor: 'assistant',
      action: 'chat.delivered',
      targetId: delivery.key,
      data: {
        platform: delivery.platform,
        chatId: delivery.chatId,
        messageId: delivery.messageId,
        attempt: delivery.attempt,
      },
    }),
  ]);
}
