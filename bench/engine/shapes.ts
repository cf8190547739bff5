/** What Pincer and its baselines are asked to run; imported by workflow code too, so no I/O here. */

/** Steps of the no-op workflow: Pincer's `transform` steps, the baselines' activities. */
export const NOOP_STEPS = 10;

/** Pincer's workflows, in its own namespace. */
export const PINCER_NAMESPACE = 'pincer-bench';
export const NOOP_WORKFLOW = 'bench_noop';
export const WEBHOOK_WORKFLOW = 'bench_order';

/** The hand-written baselines, on their own task queue of the default namespace. */
export const BASELINE_NAMESPACE = 'default';
export const BASELINE_TASK_QUEUE = 'bench-baseline';
