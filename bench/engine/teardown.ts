/**
 * Stops what the benchmark started, newest first, also when the start failed half-way. Each stop
 * runs even if an earlier one failed; Cleanup (bench/startup/scratch.ts) then SIGKILLs whatever
 * process group or scratch directory is left.
 */
export class Teardown {
  private readonly steps: { label: string; stop: () => Promise<void> }[] = [];

  defer(label: string, stop: () => Promise<void>): void {
    this.steps.push({ label, stop });
  }

  async run(): Promise<void> {
    for (const { label, stop } of this.steps.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        console.log(
          `  ! stopping ${label} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
