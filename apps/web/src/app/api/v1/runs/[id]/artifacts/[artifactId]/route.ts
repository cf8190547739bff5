import { endpoints } from '@pincer/api';
import { ApiError } from '../../../../../../../lib/api/errors.ts';
import { fileResponse, withTokenOrSession } from '../../../../../../../lib/api/file-response.ts';
import { handler } from '../../../../../../../lib/api/handler.ts';
import { getArtifacts } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const spec = endpoints.getArtifact;

async function download({ id, artifactId }: { id: string; artifactId: string }): Promise<Response> {
  const found = await (await getArtifacts()).open(artifactId);
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

/** With a bearer token (API, CLI) or, for the studio's run page, a signed-in session. */
export const GET = withTokenOrSession(
  spec,
  handler(spec)(({ params }) => download(params)),
  download,
);
