import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/self-test.ts';

const { describeWorker } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export interface SelfTestResult {
  echo: string;
  worker: Awaited<ReturnType<typeof activities.describeWorker>>;
}

/** Proves the whole path works: client → Temporal → this worker's workflow → an activity → back. */
export async function selfTest(echo: string): Promise<SelfTestResult> {
  return { echo, worker: await describeWorker() };
}
