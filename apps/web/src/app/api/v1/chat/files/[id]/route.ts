import { chatFileUrl } from '@pincer/artifacts';
import * as api from '../../../../../../lib/api/endpoints.ts';
import { ApiError } from '../../../../../../lib/api/errors.ts';
import { fileResponse, withTokenOrSession } from '../../../../../../lib/api/file-response.ts';
import { handler, pathParams, type RouteContext } from '../../../../../../lib/api/handler.ts';
import { getArtifacts } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

async function download(rawParams: Record<string, string>): Promise<Response> {
  const { id } = pathParams(api.getChatFile, api.getChatFile.params, rawParams);
  const artifacts = await getArtifacts();
  const found = await artifacts.open(id);
  // Only a file that came in by chat: a run's artifact is served with its run.
  if (found?.ref.url !== chatFileUrl(id)) {
    found?.body.destroy();
    throw new ApiError(404, 'chat_file_not_found', `There is no chat file ${id}.`);
  }
  return fileResponse(found.ref, found.body);
}

const withToken = handler(api.getChatFile, async ({ rawParams }) => download(rawParams));

/** With a bearer token (API, CLI, a workflow's http_request step) or a signed-in session. */
export async function GET(request: Request, route: RouteContext): Promise<Response> {
  return withTokenOrSession(request, route, withToken, download);
}
