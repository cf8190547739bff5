import { endpoints } from '@pincer/api';
import { deleteCredential, setCredential } from '@pincer/engine';
import { handler } from '../../../../../lib/api/handler.ts';
import { getSecretKey } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const PUT = handler(endpoints.setCredential)(async ({ db, caller, params, body }) => {
  const saved = await setCredential(db, await getSecretKey(), {
    name: params.name,
    value: body.value,
    ...(body.type ? { type: body.type } : {}),
    actor: caller.actor,
    userId: caller.user.id,
  });
  return saved.created ? { status: 201, body: saved } : { status: 200, body: saved };
});

export const DELETE = handler(endpoints.deleteCredential)(async ({ db, caller, params }) => {
  await deleteCredential(db, params.name, caller.actor);
  return { status: 204 };
});
