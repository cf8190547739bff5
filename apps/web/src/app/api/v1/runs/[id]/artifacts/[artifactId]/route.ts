import * as api from '../../../../../../../lib/api/endpoints.ts';
import { ApiError } from '../../../../../../../lib/api/errors.ts';
import { handler, pathParams } from '../../../../../../../lib/api/handler.ts';
import { getArtifacts } from '../../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

// Media types a browser may show inline; anything else (HTML, SVG, scripts) is a download, so a
// page a step captured cannot run in the studio's origin.
const INLINE = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain|application\/json)$/;

export const GET = handler(api.getArtifact, async ({ rawParams }) => {
  const { id, artifactId } = pathParams(api.getArtifact, api.getArtifact.params, rawParams);
  const artifacts = await getArtifacts();
  const found = await artifacts.read(artifactId);
  // An artifact of another run is not found here: its id alone must not reach it.
  if (!found?.ref.url.startsWith(`/api/v1/runs/${id}/`)) {
    throw new ApiError(
      404,
      'artifact_not_found',
      `Run ${id} has no artifact ${artifactId}: see the run's artifacts.`,
    );
  }
  const { ref, data } = found;
  const disposition = INLINE.test(ref.mediaType) ? 'inline' : 'attachment';
  return new Response(new Uint8Array(data), {
    headers: {
      'Content-Type': ref.mediaType,
      'Content-Length': String(data.byteLength),
      'Content-Disposition': `${disposition}; filename="${ref.name}"; filename*=UTF-8''${encodeURIComponent(ref.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
      ETag: `"${ref.sha256}"`,
    },
  });
});
