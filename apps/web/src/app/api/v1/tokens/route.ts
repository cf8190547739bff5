import { endpoints } from '@pincer/api';
import { createApiToken, listApiTokens } from '@pincer/engine';
import { handler } from '../../../../lib/api/handler.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.createToken)(async ({ db, caller, body }) => {
  const role = body.role ?? caller.role;
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : undefined;
  const created = await createApiToken(db, {
    userId: caller.user.id,
    name: body.name,
    role,
    ...(expiresAt ? { expiresAt } : {}),
    actor: caller.actor,
  });
  return { status: 201, body: { ...created, name: body.name, role, expiresAt: expiresAt ?? null } };
});

export const GET = handler(endpoints.listTokens)(async ({ db }) => ({
  status: 200,
  body: { tokens: await listApiTokens(db) },
}));
