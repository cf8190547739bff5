import type { PincerConfig } from '@pincer/config';
import type { PrismaClient } from '@pincer/db';
import { createInference } from '@pincer/inference';
import type { Capability, ModelStatus, NodeServices } from '@pincer/nodes';
import type { Logger } from '@pincer/runtime';

export interface ServicesOptions {
  config: PincerConfig;
  db: PrismaClient;
  log: Logger;
  /** The capability queues this process serves: a service is only started for those. */
  capabilities: readonly Capability[];
}

export interface RunningServices {
  services: NodeServices;
  /** What the worker's health JSON reports of its services (the model's state, memory and speed). */
  health(): { inference?: ModelStatus };
  /** Stops what the services started (containers, model, browsers); called on shutdown. */
  close(): Promise<void>;
}

/**
 * Builds what nodes get from this worker process. Each capability adds its service here, started
 * only when this process serves the capability's queue.
 */
export async function createServices(options: ServicesOptions): Promise<RunningServices> {
  const services: NodeServices = {};
  const closers: (() => Promise<void>)[] = [];
  if (options.capabilities.includes('llm')) {
    // The model loads in the background: the worker polls at once and status() says `loading`.
    const inference = createInference(options.config.llm, options.config.cacheDir, (level, message, fields) =>
      options.log[level]({ ...fields }, message),
    );
    services.inference = inference;
    closers.push(() => inference.close());
  }
  return {
    services,
    health() {
      return services.inference ? { inference: services.inference.status() } : {};
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
