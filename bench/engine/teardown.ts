/**
 * Stops what the benchmark started, newest first, also when the start failed half-way. Each stop
 * runs even if an earlier one failed or hung past its limit; Cleanup (bench/startup/scratch.ts)
 * then SIGKILLs whatever process group or scratch directory is left.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A worker waiting on a workflow task that cannot complete any more must not hold the exit. */
const STOP_LIMIT_MS = 20_000;

async function within(limitMs: number, stop: () => Promise<void>): Promise<void> {
  const timer = new AbortController();
  const late = sleep(limitMs, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`still not stopped after ${limitMs / 1000} s`);
  });
  try {
    await Promise.race([stop(), late]);
  } finally {
    timer.abort();
    late.catch(() => undefined);
  }
}

export class Teardown {
  private readonly steps: { label: string; stop: () => Promise<void> }[] = [];

  defer(label: string, stop: () => Promise<void>): void {
    this.steps.push({ label, stop });
  }

  async run(): Promise<void> {
    for (const { label, stop } of this.steps.splice(0).reverse()) {
      try {
        await within(STOP_LIMIT_MS, stop);
      } catch (error) {
        console.log(
          `  ! stopping ${label} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
