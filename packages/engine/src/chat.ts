import { randomInt } from 'node:crypto';
import type { PrismaClient } from '@pincer/db';
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
  await db.auditEvent.create({
    data: {
      actor: `chat:${sender.platform}:${sender.userId}`,
      action: 'chat.pairing_requested',
      targetType: 'chat_pairing',
      targetId: created.id,
      data: { platform: sender.platform, userId: sender.userId },
    },
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
  await db.auditEvent.create({
    data: {
      actor: request.actor,
      action: request.approved ? 'chat.pairing_approved' : 'chat.pairing_rejected',
      targetType: 'chat_pairing',
      targetId: row.id,
      data: { platform: row.platform, userId: row.userId },
    },
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
