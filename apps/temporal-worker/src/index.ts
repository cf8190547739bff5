export { TASK_QUEUES } from './task-queues.ts';
export type { SelfTestResult } from './workflows/index.ts';
