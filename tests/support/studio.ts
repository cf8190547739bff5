import { hashPassword, type Role } from '@pincer/db';
import { chromiumStep, consoleReporter, findChromium, provision } from '@pincer/provision';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './api.ts';

export const PASSWORD = 'correct horse battery staple';

export interface TestStudio {
  server: TestServer;
  browser: Browser;
  /** A fresh browser session signed in as the user with `role` (owner@api.test, ...). */
  signIn(
    role: Role,
    viewport?: { width: number; height: number },
  ): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/**
 * The studio as `npm start` serves it (built Next app + real workers on a fresh database) and one
 * headless Chromium for the suite. Chromium is provisioned like `npm start` does (apt when missing).
 */
export async function startTestStudio(): Promise<TestStudio> {
  await provision([chromiumStep()], consoleReporter());
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium after provisioning');
  const server = await startTestServer();
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
    async signIn(role, viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ baseURL: server.url, viewport });
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
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}
