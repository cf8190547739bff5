/**
 * The provisioning framework: each thing the embedded default needs (a database, the Temporal CLI,
 * a model, a sandbox image, a browser) is a step that can be looked at without changing anything
 * (`check`, used by `pincer doctor`) and made ready idempotently (`ensure`, used by `pincer start`
 * and the test run), printing progress as it goes.
 */

export type StepState =
  /** Present and usable. */
  | 'ready'
  /** Not there yet; `ensure` can provide it. */
  | 'missing'
  /** Provided by the user (an external database, a `temporal` on PATH...). */
  | 'external'
  /** Absent and cannot be provided here; `fix` says what the person must do. */
  | 'unavailable';

export interface StepStatus {
  state: StepState;
  detail: string;
  fix?: string;
}

export type Progress = (message: string) => void;

export interface ProvisionStep {
  id: string;
  title: string;
  check(): Promise<StepStatus>;
  ensure(progress: Progress): Promise<StepStatus>;
}

export interface ProvisionReporter {
  started(step: ProvisionStep): void;
  progress(step: ProvisionStep, message: string): void;
  finished(step: ProvisionStep, status: StepStatus, ms: number, cached: boolean): void;
  failed(step: ProvisionStep, error: ProvisionError): void;
}

export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
  constructor(
    readonly code: string,
    readonly stepId: string,
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** One line: what failed, then what to do. */
  get line(): string {
    return this.fix ? `${this.message} Fix: ${this.fix}` : this.message;
  }
}

export async function provision(
  steps: readonly ProvisionStep[],
  reporter: ProvisionReporter,
): Promise<Map<string, StepStatus>> {
  const results = new Map<string, StepStatus>();
  for (const step of steps) {
    const started = Date.now();
    reporter.started(step);
    let status: StepStatus;
    let cached = false;
    try {
      const before = await step.check();
      cached = before.state === 'ready' || before.state === 'external';
      status = cached ? before : await step.ensure((message) => reporter.progress(step, message));
    } catch (error) {
      const failure =
        error instanceof ProvisionError
          ? error
          : new ProvisionError('provision_failed', step.id, `${step.title}: ${describe(error)}.`, undefined, {
              cause: error,
            });
      reporter.failed(step, failure);
      throw failure;
    }
    if (status.state === 'missing' || status.state === 'unavailable') {
      const failure = new ProvisionError(
        'provision_incomplete',
        step.id,
        `${step.title}: ${status.detail}.`,
        status.fix,
      );
      reporter.failed(step, failure);
      throw failure;
    }
    reporter.finished(step, status, Date.now() - started, cached);
    results.set(step.id, status);
  }
  return results;
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\.$/, '');
  return String(error);
}

/** Plain line-per-event output that reads well in a terminal and in a CI log. */
export function consoleReporter(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  return {
    started(step) {
      write(`  … ${step.title}`);
    },
    progress(step, message) {
      write(`    ${step.title}: ${message}`);
    },
    finished(step, status, ms, cached) {
      const took = cached ? 'cached' : `${(ms / 1000).toFixed(1)}s`;
      write(`  ✓ ${step.title}: ${status.detail} (${took})`);
    },
    failed(step, error) {
      write(`  ✗ ${step.title}: ${error.line}`);
    },
  } satisfies ProvisionReporter;
}

export const silentReporter: ProvisionReporter = {
  started() {},
  progress() {},
  finished() {},
  failed() {},
};
