import * as api from '../../../../../../../lib/api/endpoints.ts';
import { ApiError } from '../../../../../../../lib/api/errors.ts';
import { fileResponse, withTokenOrSession } from '../../../../../../../lib/api/file-response.ts';
import { handler, pathParams, type RouteContext } from '../../../../../../../lib/api/handler.ts';
import { getArtifacts } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

async function download(rawParams: Record<string, string>): Promise<Response> {
  const { id, artifactId } = pathParams(api.getArtifact, api.getArtifact.params, rawParams);
  const artifacts = await getArtifacts();
  const found = await artifacts.open(artifactId);
  // An artifact of another run is not found here: its id alone must not reach it.
  if (!found?.ref.url.startsWith(`/api/v1/runs/${id}/`)) {
    found?.body.destroy();
    throw new ApiError(
      404,
      'artifact_not_found',
      `Run ${id} has no artifact ${artifactId}: see the run's artifacts.`,
    );
  }
  return fileResponse(found.ref, found.body);
}

const withToken = handler(api.getArtifact, async ({ rawParams }) => download(rawParams));

/** With a bearer token (API, CLI) or, for the studio's run page, a signed-in session. */
export async function GET(request: Request, route: RouteContext): Promise<Response> {
  return withTokenOrSession(request, route, withToken, download);
}
