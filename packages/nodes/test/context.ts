import type { z } from 'zod';
import type { NodeContext, NodeDefinition, NodeServices } from '../src/index.ts';

interface TestContextOptions {
  allowPrivateHosts?: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  services?: NodeServices;
}

/** A NodeContext as the worker builds it, recording heartbeats and logs for assertions. */
export function testContext(options: TestContextOptions = {}): NodeContext & {
  heartbeats: unknown[];
  logs: string[];
} {
  const heartbeats: unknown[] = [];
  const logs: string[] = [];
  return {
    runId: 'run-test',
    stepName: 'step_under_test',
    attempt: 1,
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal ?? new AbortController().signal,
    heartbeat: (details) => heartbeats.push(details),
    log: (message) => logs.push(message),
    secret: async (name) => {
      throw new Error(`no secret ${name} in tests`);
    },
    settings: { allowPrivateHosts: options.allowPrivateHosts ?? [] },
    services: options.services ?? {},
    heartbeats,
    logs,
  };
}

/** Validates `raw` like the interpreter does, then runs the node (`pure` or `run`). */
export async function runNode<Config extends z.ZodType, Output>(
  node: NodeDefinition<Config, Output>,
  raw: z.input<Config>,
  context: NodeContext = testContext(),
): Promise<Output> {
  const config = node.config.parse(raw);
  if (node.pure) return node.pure(config);
  if (!node.run) throw new Error(`${node.type} has no run()`);
  return node.run(config, context);
}
