import type { PrismaClient } from '@pincer/db';
import { createRun, EngineError, readCredential, recordBatch, recordRun, recordStep } from '@pincer/engine';
import { NodeError, type NodeRegistry, type NodeServices, type NodeSettings } from '@pincer/nodes';
import type { Logger } from '@pincer/runtime';
import { fillSecretRefs, maskStrings, secretMasker, showSecretRefs } from '@pincer/workflow';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { InterpreterActivities, RecordBatch, StepTaskInput } from './contract.ts';
import { createRunGuard } from './run-guard.ts';

export interface ActivityDeps {
  db: PrismaClient;
  /** The credentials key (AES-256). */
  secretKey: Buffer;
  registry: NodeRegistry;
  settings: NodeSettings;
  /** What nodes get from this process (artifact store, sandbox, model, browser, channels). */
  services: NodeServices;
  log: Logger;
}

const HEARTBEAT_EVERY_MS = 5000;
function configInvalid(
  step: string,
  type: string,
  issues: { path: PropertyKey[]; message: string }[],
): ApplicationFailure {
  const details = issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
  return ApplicationFailure.nonRetryable(`Step "${step}" (${type}): ${details}`, 'StepConfigInvalid');
}

function nodeFor(deps: ActivityDeps, step: string, type: string) {
  const node = deps.registry.get(type);
  if (!node) {
    throw ApplicationFailure.nonRetryable(
      `Step "${step}": node type "${type}" is not installed in this worker (known: ${deps.registry.types().join(', ')})`,
      'StepConfigInvalid',
    );
  }
  return node;
}

/** A failure as Temporal should see it: retried unless the node said it cannot succeed. */
function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof NodeError) {
    // The node's code and details reach `steps.<name>.error` (e.g. the HTTP status to branch on).
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: !error.retryable,
      details: [error.details],
    });
  }
  return ApplicationFailure.retryable(error instanceof Error ? error.message : String(error), 'StepFailed');
}

/** Media types whose bytes are text, where a secret's value can be found and masked. */
const TEXT_MEDIA = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.-]+\+(json|xml)))/i;

/**
 * The step's view of the secrets it reads, and masking for all it leaves behind: every value it
 * resolved is `****` in its output (the step record, the run output, the Temporal history), its
 * error, its log lines and its text artifacts.
 */
function secretScope(read: (name: string) => Promise<string>, artifacts: NodeServices['artifacts']) {
  const values = new Set<string>();
  let mask = (text: string) => text;
  const secret = async (name: string) => {
    const value = await read(name);
    if (!values.has(value)) {
      values.add(value);
      mask = secretMasker(values);
    }
    return value;
  };
  const masked = (value: unknown) => (values.size === 0 ? value : maskStrings(value, mask));
  const failure = (error: ApplicationFailure) =>
    values.size === 0
      ? error
      : ApplicationFailure.create({
          message: mask(error.message),
          type: error.type ?? 'StepFailed',
          nonRetryable: error.nonRetryable ?? false,
          details: (error.details ?? []).map((detail) => masked(detail)),
        });
  const maskedArtifacts: NodeServices['artifacts'] = artifacts && {
    read: (id) => artifacts.read(id),
    save: (file) =>
      artifacts.save(
        values.size > 0 && TEXT_MEDIA.test(file.mediaType)
          ? { ...file, data: Buffer.from(mask(Buffer.from(file.data).toString('utf8')), 'utf8') }
          : file,
      ),
  };
  return { secret, masked, failure, artifacts: maskedArtifacts, text: (text: string) => mask(text) };
}

/** A batch as records show it: `{{ secrets.NAME }}`, never a run's nonce. */
function shownBatch(batch: RecordBatch): RecordBatch {
  return {
    steps: batch.steps.map((record) =>
      'input' in record ? { ...record, input: showSecretRefs(record.input) } : record,
    ),
    runs: batch.runs,
  };
}

export function createInterpreterActivities(deps: ActivityDeps): InterpreterActivities {
  const guard = createRunGuard(deps.db);

  /** Checks the runs a batch writes to (in practice, the one run the calling workflow runs). */
  async function checkBatch(batch: RecordBatch): Promise<void> {
    const runs = new Map<string, string>();
    for (const record of batch.steps) runs.set(record.runId, record.step);
    for (const record of batch.runs) if (!runs.has(record.runId)) runs.set(record.runId, '');
    for (const [runId, step] of runs) await guard.check(runId, step || undefined);
  }

  async function secret(name: string): Promise<string> {
    try {
      return await readCredential(deps.db, deps.secretKey, name);
    } catch (error) {
      if (error instanceof EngineError) throw new NodeError(error.code, error.message, { retryable: false });
      throw error;
    }
  }

  async function runStep(input: StepTaskInput): Promise<unknown> {
    const pinned = await guard.check(input.runId, input.step);
    // A secret only if this step of the run's pinned version names it.
    const stepSecret = (name: string): Promise<string> => {
      guard.assertNamed(pinned, input.step, name);
      return secret(name);
    };
    // Records the interpreter kept back (steps it ran inline) go first, before anything can fail.
    if (input.records) {
      await checkBatch(input.records);
      await recordBatch(deps.db, shownBatch(input.records));
    }
    const context = Context.current();
    const node = nodeFor(deps, input.step, input.type);
    // Records show `{{ secrets.NAME }}`, never the run's nonce or a value.
    const shown = showSecretRefs(input.config);
    const scope = secretScope(stepSecret, deps.services.artifacts);
    let withValues: unknown;
    try {
      withValues = await fillSecretRefs(input.config, input.secretNonce, scope.secret);
    } catch (error) {
      throw toFailure(error);
    }
    const parsed = node.config.safeParse(withValues);
    if (!parsed.success) throw configInvalid(input.step, input.type, parsed.error.issues);
    const { run, pure } = node;
    if (!run && !pure)
      throw ApplicationFailure.nonRetryable(`Node type "${input.type}" has no run()`, 'StepConfigInvalid');
    const attempt = context.info.attempt;
    const base = {
      runId: input.runId,
      step: input.step,
      iteration: input.iteration,
      type: input.type,
      attempt,
    };
    const startedAt = Date.now();
    // A local step is over in milliseconds: one write at its end says it all.
    if (!context.info.isLocal)
      await recordStep(deps.db, { ...base, status: 'running', input: shown, startedAt });
    const heartbeat = context.info.isLocal
      ? undefined
      : setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      const output = pure
        ? pure(parsed.data)
        : await run?.(parsed.data, {
            runId: input.runId,
            stepName: input.step,
            attempt,
            timeoutMs: context.info.startToCloseTimeoutMs,
            signal: context.cancellationSignal,
            heartbeat: (details) => context.heartbeat(scope.masked(details)),
            log: (message, fields) =>
              deps.log.info(
                { ...(scope.masked(fields) as typeof fields), runId: input.runId, step: input.step },
                scope.text(message),
              ),
            secret: scope.secret,
            settings: deps.settings,
            services: { ...deps.services, ...(scope.artifacts ? { artifacts: scope.artifacts } : {}) },
          });
      const recorded = scope.masked(output ?? null);
      await recordStep(deps.db, {
        ...base,
        status: 'succeeded',
        ...(context.info.isLocal ? { input: shown, startedAt } : {}),
        output: recorded,
        finishedAt: Date.now(),
      });
      return recorded;
    } catch (error) {
      const failure = scope.failure(toFailure(error));
      await recordStep(deps.db, {
        ...base,
        status: 'failed',
        ...(context.info.isLocal ? { input: shown, startedAt } : {}),
        error: { message: failure.message, type: failure.type },
        finishedAt: Date.now(),
      });
      throw failure;
    } finally {
      if (heartbeat) clearInterval(heartbeat);
    }
  }

  return {
    runStep,
    async recordStep(record) {
      await guard.check(record.runId, record.step);
      await recordStep(
        deps.db,
        'input' in record ? { ...record, input: showSecretRefs(record.input) } : record,
      );
    },
    async recordRun(record) {
      await guard.check(record.runId);
      await recordRun(deps.db, record);
    },
    async recordBatch(batch) {
      await checkBatch(batch);
      await recordBatch(deps.db, shownBatch(batch));
    },
    async parseStepConfig({ type, config }) {
      const node = nodeFor(deps, type, type);
      const parsed = node.config.safeParse(config);
      if (!parsed.success) throw configInvalid(type, type, parsed.error.issues);
      const value: unknown = parsed.data;
      return value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : {};
    },
    async createScheduledRun(request) {
      // Only a schedule Pincer published starts a run this way, with that schedule's own input.
      const schedule = await deps.db.schedule.findUnique({
        where: { id: request.scheduleId },
        select: { temporalScheduleId: true, input: true, workflow: { select: { name: true } } },
      });
      if (
        !schedule ||
        schedule.workflow.name !== request.workflow ||
        !request.temporalWorkflowId.startsWith(`${schedule.temporalScheduleId}-`)
      ) {
        throw ApplicationFailure.nonRetryable(
          `Workflow ${request.temporalWorkflowId} was not started by Pincer's schedule ${request.scheduleId} of ${request.workflow}: refused.`,
          'NotAPincerRun',
        );
      }
      return createRun(deps.db, {
        workflow: request.workflow,
        input: schedule.input,
        triggerKind: 'schedule',
        actor: `schedule:${request.scheduleId}`,
        temporalWorkflowId: request.temporalWorkflowId,
        temporalRunId: request.temporalRunId,
      });
    },
    async prepareChildRun(request) {
      await guard.check(request.parentRunId, request.step);
      return createRun(deps.db, {
        workflow: request.workflow,
        ...(request.version !== undefined ? { version: request.version } : {}),
        input: request.input,
        triggerKind: 'subworkflow',
        actor: `run:${request.parentRunId}`,
        parentRunId: request.parentRunId,
      });
    },
  };
}
