import path from 'node:path';
import { z } from 'zod';
import type { ArtifactRef, NodeContext, SandboxResult } from './define.ts';
import { NodeError } from './errors.ts';

/** Relative, without `..` parts, and not Pincer's own `.pincer/`. */
const INPUT_FILE_NAME = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))(?!\.pincer(\/|$)).+$/;

/** The fields shell and python steps share: what goes in, what may go out, and the limits. */
export const sandboxFields = {
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name'), z.string())
    .default({})
    .describe('Environment variables for the code, e.g. { REPORT_DATE: "{{ vars.date }}" }.'),
  files: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((files, context) => {
      for (const name of Object.keys(files)) {
        if (!INPUT_FILE_NAME.test(name)) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: 'expected a relative path inside /in such as data.csv or reports/today.csv',
          });
        }
      }
    })
    .describe(
      'Files placed under /in before the code starts, by name, e.g. { "data.csv": "{{ steps.fetch.output.body }}" }.',
    ),
  network: z
    .array(
      z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/, 'expected host, host:port or *.domain[:port]'),
    )
    .default([])
    .describe(
      'Hosts the code may reach over HTTP(S) through Pincer\'s filtering proxy, e.g. ["api.github.com", "*.example.com:8443"] (a bare host means ports 80 and 443). Empty: no network at all.',
    ),
  mounts: z
    .array(z.string().regex(/^\//, 'expected an absolute host path such as /var/log'))
    .default([])
    .describe(
      'Host paths mounted read-only at the same path, e.g. ["/var/log"]; each must be allowed by sandbox.mounts in pincer.yaml.',
    ),
  memory_mb: z
    .int()
    .min(16)
    .max(65536)
    .optional()
    .describe('Memory for the container in MiB (default sandbox.memoryMb).'),
  cpus: z.number().min(0.1).max(64).optional().describe('CPUs for the container (default sandbox.cpus).'),
  pids: z
    .int()
    .min(8)
    .max(32768)
    .optional()
    .describe('Process limit for the container (default sandbox.pids).'),
  fail_on_error: z
    .boolean()
    .default(true)
    .describe(
      'Fail the step when the code exits non-zero, times out or runs out of memory (error codes sandbox_exit_nonzero, sandbox_timeout, sandbox_oom). false outputs the result with its status instead.',
    ),
};

export interface SandboxStepConfig {
  env: Record<string, string>;
  files: Record<string, string>;
  network: string[];
  mounts: string[];
  memory_mb?: number | undefined;
  cpus?: number | undefined;
  pids?: number | undefined;
  fail_on_error: boolean;
}

export interface SandboxStepOutput {
  status: SandboxResult['status'];
  exit_code: number | null;
  stdout: string;
  stderr: string;
  duration_ms: number;
  truncated: boolean;
  /** Files the code wrote to /out, kept with the run. */
  files: { name: string; size: number; artifact: ArtifactRef | null }[];
  skipped_files: string[];
}

/** Sandbox steps default to 5 minutes and one attempt: running untrusted code twice is rarely safe. */
export const sandboxDefaults = { timeoutMs: 300_000, retry: { maximumAttempts: 1 } };

const MEDIA_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.yaml': 'application/yaml',
};

/** The last `chars` characters: the end of an output says most about why code failed. */
function tail(text: string, chars = 2000): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}

function sandboxCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined;
  return typeof error.code === 'string' && error.code.startsWith('sandbox_') ? error.code : undefined;
}

/** How long the container may run: the step's timeout minus time to report (kill, collect, record). */
export function wallClockLimit(stepTimeoutMs: number): number {
  const reserve = Math.min(10_000, Math.max(1000, stepTimeoutMs * 0.1));
  return Math.max(500, stepTimeoutMs - reserve);
}

/** Runs a shell or python step's code in the sandbox and turns the result into its output or error. */
export async function runInSandbox(
  kind: string,
  interpreter: readonly string[],
  code: string,
  config: SandboxStepConfig,
  context: NodeContext,
): Promise<SandboxStepOutput> {
  const sandbox = context.services.sandbox;
  if (!sandbox) {
    throw new NodeError(
      'sandbox_unavailable',
      `${kind} steps run in the sandbox, which no worker here serves: run a worker with the sandbox capability (worker.capabilities in pincer.yaml includes sandbox, the default)`,
      { retryable: false },
    );
  }
  const limits = {
    ...(config.memory_mb !== undefined ? { memoryMb: config.memory_mb } : {}),
    ...(config.cpus !== undefined ? { cpus: config.cpus } : {}),
    ...(config.pids !== undefined ? { pids: config.pids } : {}),
  };
  let result: SandboxResult;
  try {
    result = await sandbox.run({
      runId: context.runId,
      stepName: context.stepName,
      interpreter,
      code,
      env: config.env,
      files: config.files,
      timeoutMs: wallClockLimit(context.timeoutMs),
      limits,
      allowNetwork: config.network,
      allowPrivateHosts: context.settings.allowPrivateHosts,
      mounts: config.mounts,
      signal: context.signal,
    });
  } catch (error) {
    const code = sandboxCode(error);
    if (!code || !(error instanceof Error)) throw error;
    throw new NodeError(code, `${kind}: ${error.message}`, {
      retryable: code === 'sandbox_engine_unavailable',
      cause: error,
    });
  }
  const output: SandboxStepOutput = {
    status: result.status,
    exit_code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    duration_ms: result.durationMs,
    truncated: result.truncated,
    files: await keepFiles(result, context),
    skipped_files: result.skippedFiles,
  };
  const failed = result.status === 'exit_nonzero' || result.status === 'timeout' || result.status === 'oom';
  if (failed && config.fail_on_error) {
    throw new NodeError(
      `sandbox_${result.status}`,
      `${kind}: ${failureMessage(result, wallClockLimit(context.timeoutMs))}`,
      {
        retryable: false,
        details: {
          status: result.status,
          exit_code: result.exitCode,
          stdout: tail(result.stdout),
          stderr: tail(result.stderr),
          duration_ms: result.durationMs,
        },
      },
    );
  }
  return output;
}

function failureMessage(result: SandboxResult, limitMs: number): string {
  const lastLine = result.stderr.trim().split('\n').pop()?.slice(0, 300);
  switch (result.status) {
    case 'timeout':
      return `killed after the ${Math.round(limitMs / 100) / 10} s wall-clock limit; raise the step's timeout or make the code faster`;
    case 'oom':
      return 'killed for running out of memory; raise memory_mb or process less data at once';
    default:
      return `exited with code ${result.exitCode}${lastLine ? `: ${lastLine}` : ''}`;
  }
}

async function keepFiles(result: SandboxResult, context: NodeContext): Promise<SandboxStepOutput['files']> {
  const store = context.services.artifacts;
  const kept: SandboxStepOutput['files'] = [];
  for (const file of result.files) {
    const artifact = store
      ? await store.save({
          runId: context.runId,
          stepName: context.stepName,
          name: file.name,
          mediaType: MEDIA_TYPES[path.extname(file.name).toLowerCase()] ?? 'application/octet-stream',
          data: file.data,
        })
      : null;
    kept.push({ name: file.name, size: file.size, artifact });
  }
  return kept;
}
