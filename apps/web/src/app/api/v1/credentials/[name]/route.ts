import { deleteCredential, setCredential } from '@pincer/engine';
import { readJson } from '../../../../../lib/api/body.ts';
import * as api from '../../../../../lib/api/endpoints.ts';
import { handler, json, pathParams } from '../../../../../lib/api/handler.ts';
import { CredentialSaved, SetCredentialRequest } from '../../../../../lib/api/schemas.ts';
import { getSecretKey } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const PUT = handler(api.setCredential, async ({ request, db, caller, rawParams }) => {
  const { name } = pathParams(api.setCredential, api.setCredential.params, rawParams);
  const body = await readJson(request, SetCredentialRequest);
  const saved = await setCredential(db, await getSecretKey(), {
    name,
    value: body.value,
    ...(body.type ? { type: body.type } : {}),
    actor: caller.actor,
    userId: caller.user.id,
  });
  return json(CredentialSaved, saved, saved.created ? 201 : 200);
});

export const DELETE = handler(api.deleteCredential, async ({ db, caller, rawParams }) => {
  const { name } = pathParams(api.deleteCredential, api.deleteCredential.params, rawParams);
  await deleteCredential(db, name, caller.actor);
  return new Response(null, { status: 204 });
});
