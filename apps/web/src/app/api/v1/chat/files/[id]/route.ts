import { endpoints } from '@pincer/api';
import { chatFileUrl } from '@pincer/artifacts';
import { ApiError } from '../../../../../../lib/api/errors.ts';
import { fileResponse, withTokenOrSession } from '../../../../../../lib/api/file-response.ts';
import { handler } from '../../../../../../lib/api/handler.ts';
import { getArtifacts } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const spec = endpoints.getChatFile;

async function download({ id }: { id: string }): Promise<Response> {
  const found = await (await getArtifacts()).open(id);
  // Only a file that came in by chat: a run's artifact is served with its run.
  if (found?.ref.url !== chatFileUrl(id)) {
    found?.body.destroy();
    throw new ApiError(404, 'chat_file_not_found', `There is no chat file ${id}.`);
  }
  return fileResponse(found.ref, found.body);
}

/** With a bearer token (API, CLI, a workflow's http_request step) or a signed-in session. */
export const GET = withTokenOrSession(
  spec,
  handler(spec)(({ params }) => download(params)),
  download,
);
