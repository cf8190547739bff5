import { httpStatusOf, readHealth } from '../../../lib/health.ts';

/** Public liveness/readiness probe: the dependency report, 200 when usable, 503 when down. */
export async function GET(): Promise<Response> {
  const report = await readHealth();
  return Response.json(report, {
    status: httpStatusOf(report),
    headers: { 'Cache-Control': 'no-store' },
  });
}
