import { createApiToken, listApiTokens } from '@pincer/engine';
import { readJson } from '../../../../lib/api/body.ts';
import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json } from '../../../../lib/api/handler.ts';
import { TokenCreated, TokenList } from '../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(api.createToken, async ({ request, db, caller }) => {
  const body = await readJson(request, api.createToken.body);
  const role = body.role ?? caller.role;
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : undefined;
  const created = await createApiToken(db, {
    userId: caller.user.id,
    name: body.name,
    role,
    ...(expiresAt ? { expiresAt } : {}),
    actor: caller.actor,
  });
  return json(TokenCreated, { ...created, name: body.name, role, expiresAt: expiresAt ?? null }, 201);
});

export const GET = handler(api.listTokens, async ({ db }) =>
  json(TokenList, { tokens: await listApiTokens(db) }),
);
