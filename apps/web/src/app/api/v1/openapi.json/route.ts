import { openApiDocument } from '@pincer/api';
import { getConfig } from '../../../../lib/config.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The OpenAPI document of /api/v1: public, so tools can read it before they have a token. */
export async function GET(): Promise<Response> {
  return Response.json(openApiDocument(getConfig().server.publicUrl), {
    headers: { 'Cache-Control': 'no-store' },
  });
}
