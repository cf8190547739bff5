import { createArtifactStore } from '@pincer/artifacts';
import { createBrowserService } from '@pincer/browser';
import type { PincerConfig } from '@pincer/config';
import type { PrismaClient } from '@pincer/db';
import type { Capability, NodeServices } from '@pincer/nodes';
import { findChromium } from '@pincer/provision';
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
  return {
    services,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
