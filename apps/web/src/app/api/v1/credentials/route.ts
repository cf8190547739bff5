import { listCredentials } from '@pincer/engine';
import * as api from '../../../../lib/api/endpoints.ts';
import { handler, json } from '../../../../lib/api/handler.ts';
import { CredentialList } from '../../../../lib/api/schemas.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = handler(api.listCredentials, async ({ db }) =>
  json(CredentialList, { credentials: await listCredentials(db) }),
);
