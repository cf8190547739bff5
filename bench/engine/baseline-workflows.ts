/**
 * The hand-written Temporal baselines, bundled by the benchmark at its start. Deterministic
 * workflow code only: the work is in baseline-activities.ts.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './baseline-activities.ts';
import type { Reply } from './order.ts';
import { NOOP_STEPS } from './shapes.ts';

const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });
const remote = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

/** The matching baseline of Pincer's 10 `transform` steps: 10 no-op local activities in a row. */
export async function tenLocalNoops(): Promise<number> {
  for (let step = 0; step < NOOP_STEPS; step++) await local.noop();
  return NOOP_STEPS;
}

/** For reference: the same with regular activities, each a round trip through the server. */
export async function tenActivityNoops(): Promise<number> {
  for (let step = 0; step < NOOP_STEPS; step++) await remote.noop();
  return NOOP_STEPS;
}

/** The webhook's transform → condition → respond as three local activities. */
export async function orderFlow(body: unknown): Promise<Reply> {
  const priced = await local.priceOrder(body);
  const approved = await local.approveOrder(priced);
  return local.replyToOrder({ priced, approved });
}
