import { createArtifactStore } from '@pincer/artifacts';
import { accessSettingsOf, createMessaging, sendersFromConfig } from '@pincer/channels';
import type { PincerConfig } from '@pincer/config';
import type { PrismaClient } from '@pincer/db';
import type { ChatAccessSettings } from '@pincer/engine';
import type { Capability, NodeServices } from '@pincer/nodes';
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
  /** Stops what the services started (containers, model, browsers); called on shutdown. */
  close(): Promise<void>;
}

/**
 * Builds what nodes get from this worker process. Each capability adds its service here, started
 * only when this process serves the capability's queue.
 */
export async function createServices(options: ServicesOptions): Promise<RunningServices> {
  const { config, db } = options;
  const services: NodeServices = {
    artifacts: createArtifactStore({ db, dir: config.artifacts.dir, maxBytes: config.artifacts.maxBytes }),
  };
  const closers: (() => Promise<void>)[] = [];
  if (options.capabilities.includes('messaging')) {
    const messaging = createMessaging({
      senders: sendersFromConfig(config.channels),
      ...(services.artifacts ? { artifacts: services.artifacts } : {}),
      publicUrl: config.server.publicUrl,
    });
    services.messaging = messaging;
    closers.push(() => messaging.close());
  }
  return {
    services,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

/** Who may talk to the assistant and what chat may run, from pincer.yaml's `channels`. */
export function chatAccessSettings(config: PincerConfig): ChatAccessSettings {
  return accessSettingsOf(config.channels);
}
