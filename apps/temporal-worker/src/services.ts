import path from 'node:path';
import { createArtifactStore } from '@pincer/artifacts';
import { createBrowserService } from '@pincer/browser';
import { accessSettingsOf, createMessaging, sendersFromConfig } from '@pincer/channels';
import type { PincerConfig } from '@pincer/config';
import type { PrismaClient } from '@pincer/db';
import type { ChatAccessSettings } from '@pincer/engine';
import { createInference } from '@pincer/inference';
import type { Capability, ModelStatus, NodeServices } from '@pincer/nodes';
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

/**
 * Builds what nodes get from this worker process. Each capability adds its service here, started
 * only when this process serves the capability's queue.
 */
export async function createServices(options: ServicesOptions): Promise<RunningServices> {
  const { config, db } = options;
  const artifacts = createArtifactStore({ db, ...config.artifacts });
  // A missing bucket or refused credentials stop the worker here, with the fix, not at the first file.
  await artifacts.check();
  const services: NodeServices = { artifacts };
  const closers: (() => Promise<void>)[] = [];
  const { log } = options;
  if (options.capabilities.includes('sandbox')) {
    const podmanDir = path.join(config.cacheDir, 'podman');
    const sandbox = createSandboxService({
      podmanDir,
      workDir: path.join(config.dataDir, 'sandbox'),
      settings: config.sandbox,
      onLog: (line) => log.debug({ podman: true }, line),
    });
    services.sandbox = sandbox;
    closers.push(() => sandbox.close());
    // Connect now so the warm pool is ready before the first step; a failure is reported here and
    // again, with its fix, by every step until the engine works.
    void sandbox.status().then((status) => {
      if (status.ready) log.info({ sandbox: status.detail }, 'sandbox ready');
      else log.warn({ sandbox: status.detail }, 'sandbox unavailable: shell and python steps will fail');
    });
  }
  if (options.capabilities.includes('browser')) {
    const { browser } = options.config;
    const running = await createBrowserService({
      executablePath: browser.executablePath,
      size: browser.poolSize,
      maxConcurrent: browser.maxConcurrentSteps,
      allowHosts: browser.allowHosts,
      actionTimeoutMs: browser.actionTimeoutMs,
      maxDownloadBytes: browser.maxDownloadBytes,
      allowEvaluate: browser.allowEvaluate,
    });
    services.browser = running.service;
    closers.push(running.close);
    options.log.info(
      {
        chromium: findChromium({ executablePath: browser.executablePath }) ?? 'not found',
        pool: browser.poolSize,
      },
      'browser service ready (Chromium starts on the first browser step)',
    );
  }
  if (options.capabilities.includes('llm')) {
    // The model loads in the background: the worker polls at once and status() says `loading`.
    const inference = createInference(options.config.llm, options.config.cacheDir, (level, message, fields) =>
      options.log[level]({ ...fields }, message),
    );
    services.inference = inference;
    closers.push(() => inference.close());
  }
  if (options.capabilities.includes('messaging')) {
    const messaging = createMessaging({
      senders: sendersFromConfig(config.channels),
      ...(services.artifacts ? { artifacts: services.artifacts } : {}),
      publicUrl: config.server.publicUrl,
      maxAttachmentBytes: config.channels.maxAttachmentBytes,
    });
    services.messaging = messaging;
    closers.push(() => messaging.close());
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
