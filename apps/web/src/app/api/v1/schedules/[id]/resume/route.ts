import { endpoints } from '@pincer/api';
import { describeSchedule, setSchedulePaused } from '@pincer/engine';
import { handler } from '../../../../../../lib/api/handler.ts';
import { getTemporal } from '../../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = handler(endpoints.resumeSchedule)(async ({ db, caller, params }) => {
  const temporal = await getTemporal();
  await setSchedulePaused(db, temporal, params.id, false, caller.actor);
  return { status: 200, body: await describeSchedule(db, temporal, params.id) };
});
