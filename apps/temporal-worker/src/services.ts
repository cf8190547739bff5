import path from 'node:path';
import { createArtifactStore } from '@pincer/artifacts';
import { createBrowserService } from '@pincer/browser';
import { accessSettingsOf, createMessaging, sendersFromConfig } from '@pincer/channels';
import type { PincerConfig } from '@pincer/config';
import type { PrismaClient } from '@pincer/db';
import type { ChatAccessSettings } from '@pincer/engine';
import { createInference } from '@pincer/inference';
import { CAPABILITIES, type Capability, type ModelStatus, type NodeServices } from '@pincer/nodes';
import { findChromium } from '@pincer/provision';
import type { Logger } from '@pincer/runtime';
import { createSandboxService } from '@pincer/sandbox';

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

/** A capability's service: what it adds to NodeServices and how to stop it. */
type ServiceStarter = (
  options: ServicesOptions,
  services: NodeServices,
) => Promise<{ add: Partial<NodeServices>; close(): Promise<void> }>;

/**
 * The service each capability queue needs, started only when this process serves that queue. A
 * capability without an entry does not compile (`core` needs none beyond the artifact store).
 */
const SERVICES = {
  async sandbox({ config, log }) {
    const sandbox = createSandboxService({
      podmanDir: path.join(config.cacheDir, 'podman'),
      workDir: path.join(config.dataDir, 'sandbox'),
      settings: config.sandbox,
      onLog: (line) => log.debug({ podman: true }, line),
    });
    // Connect now so the warm pool is ready before the first step; a failure is reported here and
    // again, with its fix, by every step until the engine works.
    void sandbox.status().then((status) => {
      if (status.ready) log.info({ sandbox: status.detail }, 'sandbox ready');
      else log.warn({ sandbox: status.detail }, 'sandbox unavailable: shell and python steps will fail');
    });
    return { add: { sandbox }, close: () => sandbox.close() };
  },
  async browser({ config, log }) {
    const { browser } = config;
    const running = await createBrowserService({
      executablePath: browser.executablePath,
      size: browser.poolSize,
      maxConcurrent: browser.maxConcurrentSteps,
      allowHosts: browser.allowHosts,
      actionTimeoutMs: browser.actionTimeoutMs,
      maxDownloadBytes: browser.maxDownloadBytes,
      allowEvaluate: browser.allowEvaluate,
    });
    log.info(
      {
        chromium: findChromium({ executablePath: browser.executablePath }) ?? 'not found',
        pool: browser.poolSize,
      },
      'browser service ready (Chromium starts on the first browser step)',
    );
    return { add: { browser: running.service }, close: running.close };
  },
  async llm({ config, log }) {
    // The model loads in the background: the worker polls at once and status() says `loading`.
    const inference = createInference(config.llm, config.cacheDir, (level, message, fields) =>
      log[level]({ ...fields }, message),
    );
    return { add: { inference }, close: () => inference.close() };
  },
  async messaging({ config }, services) {
    const messaging = createMessaging({
      senders: sendersFromConfig(config.channels),
      ...(services.artifacts ? { artifacts: services.artifacts } : {}),
      publicUrl: config.server.publicUrl,
      maxAttachmentBytes: config.channels.maxAttachmentBytes,
    });
    return { add: { messaging }, close: () => messaging.close() };
  },
} satisfies Record<Exclude<Capability, 'core'>, ServiceStarter>;

/**
 * Builds what nodes get from this worker process: the artifact store, and the service of each
 * capability this process serves (SERVICES), in the order of CAPABILITIES.
 */
export async function createServices(options: ServicesOptions): Promise<RunningServices> {
  const { config, db } = options;
  const artifacts = createArtifactStore({ db, ...config.artifacts });
  // A missing bucket or refused credentials stop the worker here, with the fix, not at the first file.
  await artifacts.check();
  const services: NodeServices = { artifacts };
  const closers: (() => Promise<void>)[] = [];
  for (const capability of CAPABILITIES) {
    if (capability === 'core' || !options.capabilities.includes(capability)) continue;
    const started = await SERVICES[capability](options, services);
    Object.assign(services, started.add);
    closers.push(started.close);
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

/** Who may talk to the assistant and what chat may run, from pincer.yaml's `channels`. */
export function chatAccessSettings(config: PincerConfig): ChatAccessSettings {
  return accessSettingsOf(config.channels);
}
