import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PincerConfigInput } from '@pincer/config';
import { hashPassword, type Role } from '@pincer/db';
import { chromiumStep, consoleReporter, findChromium, freePort, provision } from '@pincer/provision';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { startTestServer, type TestServer } from './api.ts';
import { cleanEnv, eventually, Job } from './pincer.ts';

export const PASSWORD = 'correct horse battery staple';

export interface TestStudio {
  server: TestServer;
  browser: Browser;
  /** A fresh browser session signed in as the user with `role` (owner@api.test, ...). */
  signIn(
    role: Role,
    viewport?: { width: number; height: number },
  ): Promise<{ context: BrowserContext; page: Page }>;
  /**
   * Starts the chat gateway as `npm start` does, on the studio's pincer.yaml (its `channels`), and
   * waits until it serves its health; the studio reads that health. Stopped with the studio.
   */
  startGateway(): Promise<Job>;
  /**
   * A second studio (its own database, a pincer.yaml without chat channels) in this browser,
   * signed in as `role`; `stop` ends it and leaves the suite's studio running.
   */
  startBare(role: Role): Promise<{ page: Page; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** A fresh browser session on the studio at `baseURL`, signed in as `<role>@api.test`. */
async function signInTo(
  browser: Browser,
  baseURL: string,
  role: Role,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(120_000);
  context.setDefaultNavigationTimeout(120_000);
  const page = await context.newPage();
  await page.goto('/workflows');
  await page.waitForURL(/\/signin/);
  await page.getByLabel('E-mail').fill(`${role}@api.test`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/workflows$/);
  return { context, page };
}

export interface TestStudioOptions {
  /** The studio's pincer.yaml `channels` section (the gateway started by `startGateway` reads it too). */
  channels?: NonNullable<PincerConfigInput['channels']>;
}

/**
 * The studio as `npm start` serves it (built Next app + real workers on a fresh database) and one
 * headless Chromium for the suite. Chromium is provisioned like `npm start` does (apt when missing).
 */
export async function startTestStudio(options: TestStudioOptions = {}): Promise<TestStudio> {
  await provision([chromiumStep()], consoleReporter());
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium after provisioning');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-studio-'));
  const configFile = path.join(scratch, 'pincer.yaml');
  const healthPort = await freePort();
  await writeFile(
    configFile,
    stringify({
      dataDir: path.join(scratch, 'data'),
      channels: { ...options.channels, webhookPort: await freePort() },
    }),
  );
  // The studio and the gateway read the same pincer.yaml, and the studio finds the gateway's health.
  const shared = { PINCER_CONFIG: configFile, PINCER_GATEWAY_HEALTH_PORT: String(healthPort) };
  const server = await startTestServer({ env: shared });
  let gateway: Job | undefined;
  const passwordHash = await hashPassword(PASSWORD);
  await server.engine.db.user.updateMany({ data: { passwordHash } });
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    server,
    browser,
    signIn(role, viewport = { width: 1280, height: 800 }) {
      return signInTo(browser, server.url, role, viewport);
    },
    async startBare(role) {
      const bareConfig = path.join(scratch, 'bare.yaml');
      await writeFile(bareConfig, stringify({ dataDir: path.join(scratch, 'bare-data') }));
      const bare = await startTestServer({ env: { PINCER_CONFIG: bareConfig } });
      try {
        await bare.engine.db.user.updateMany({ data: { passwordHash } });
        const { context, page } = await signInTo(browser, bare.url, role, { width: 1280, height: 800 });
        return {
          page,
          async stop() {
            await context.close();
            await bare.stop();
          },
        };
      } catch (error) {
        await bare.stop();
        throw error;
      }
    },
    async startGateway() {
      const job = new Job(process.execPath, ['--import', 'tsx', 'apps/gateway/src/main.ts'], {
        ...cleanEnv(),
        ...shared,
        PINCER_LOG_LEVEL: 'info',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: server.engine.namespace,
      });
      gateway = job;
      await job.waitFor(/gateway ready/, 120_000);
      await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${healthPort}/health`).catch(() => undefined);
        return response ? true : undefined;
      }, 120_000);
      return job;
    },
    async stop() {
      await browser.close();
      if (gateway) {
        gateway.interrupt();
        await Promise.race([gateway.exit, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        gateway.forceKill();
      }
      await server.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
