export { createChatActivities } from './activities/chat.ts';
export { createInterpreterActivities } from './activities/interpreter.ts';
export { workflowsPath } from './bundle.ts';
export {
  chatAccessSettings,
  createServices,
  type RunningServices,
  type ServicesOptions,
} from './services.ts';
export { type RunningWorkers, startWorkers, type WorkerDeps } from './workers.ts';
export type { SelfTestResult } from './workflows/index.ts';
