/** One task queue per capability; a worker serves all of them by default. */
export const TASK_QUEUES = {
  core: 'pincer-core',
} as const;
