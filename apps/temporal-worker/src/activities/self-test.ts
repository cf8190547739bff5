import os from 'node:os';
import { activityInfo } from '@temporalio/activity';

export async function describeWorker(): Promise<{ hostname: string; pid: number; taskQueue: string }> {
  return { hostname: os.hostname(), pid: process.pid, taskQueue: activityInfo().taskQueue };
}
