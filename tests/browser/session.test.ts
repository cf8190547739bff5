import { connect } from 'node:net';
import { AutomationSession, GuardProxy, launchChromium, type SessionFile } from '@pincer/browser';
import { NodeError, privateAddressGuard } from '@pincer/nodes';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestSite, type TestSite } from './site.ts';

// One Chromium for the file; every test gets a fresh context from it.
let browser: Browser;
let site: TestSite;
const LOCAL = ['127.0.0.1'];

beforeAll(async () => {
  site = await startTestSite();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function session(options: Parameters<typeof AutomationSession.start>[0] = {}) {
  return AutomationSession.start({ browser, allowPrivateHosts: LOCAL, ...options });
}

async function failure(
  promise: Promise<unknown>,
): Promise<NodeError & { evidence?: { screenshot?: { data: Buffer }; html?: { data: Buffer } } }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

/** The file a screenshot, pdf or download action produced. */
async function fileOf(result: Promise<unknown>): Promise<SessionFile> {
  return (await result) as SessionFile;
}

const isPng = (data: Buffer) =>
  data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

describe('AutomationSession', () => {
  it('logs in, waits for the dashboard, takes a screenshot and reads a number', async () => {
    const s = await session();
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/login` });
      await s.perform({ action: 'fill', selector: '#username', value: 'ada' });
      await s.perform({ action: 'fill', selector: '#password', value: PASSWORD });
      await s.perform({ action: 'click', selector: '#submit' });
      await s.perform({ action: 'wait_for_selector', selector: '.dashboard' });
      await s.perform({ action: 'wait_for_url', url: '**/dashboard?user=ada' });
      const shot = await fileOf(s.perform({ action: 'screenshot' }));
      expect(isPng(shot.data)).toBe(true);
      expect(
        await s.perform({ action: 'extract_text', selector: '.dashboard .open-orders', as: 'value' }),
      ).toBe('42');
      expect(await s.perform({ action: 'extract_text', selector: 'h1', as: 'value' })).toBe('Welcome, ada');
    } finally {
      await s.close();
    }
  });

  it('runs every kind of action, with CSS, XPath, text and role selectors', async () => {
    const s = await session();
    const value = (selector: string) => s.page.locator(selector).inputValue();
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/controls` });
      await s.perform({ action: 'fill', selector: '#name', value: 'new' });
      expect(await value('#name')).toBe('new');
      await s.perform({ action: 'type', selector: '#typed', text: 'cd' });
      expect(await value('#typed')).toBe('abcd');
      await s.perform({ action: 'select', selector: '#fruit', value: 'Banana' }); // by label
      expect(await value('#fruit')).toBe('b');
      await s.perform({ action: 'select', selector: '#fruit', value: 'c' }); // by value
      expect(await value('#fruit')).toBe('c');
      await s.perform({ action: 'select', selector: '#many', value: ['x', 'Z'] });
      expect(
        await s.page
          .locator('#many')
          .evaluate((el) =>
            Array.from(
              (el as unknown as { selectedOptions: { value: string }[] }).selectedOptions,
              (o) => o.value,
            ),
          ),
      ).toEqual(['x', 'z']);
      await s.perform({ action: 'check', selector: '#agree' });
      await s.perform({ action: 'uncheck', selector: '#news' });
      expect(await s.page.locator('#agree').isChecked()).toBe(true);
      expect(await s.page.locator('#news').isChecked()).toBe(false);
      await s.perform({ action: 'hover', selector: '#hover-target' });
      expect(await s.perform({ action: 'extract_text', selector: '#hovered', as: 'value' })).toBe('yes');
      await s.perform({ action: 'press', key: 'Enter', selector: '#keys' });
      expect(await s.perform({ action: 'extract_text', selector: '#pressed', as: 'value' })).toBe('Enter');
      await s.perform({ action: 'click', selector: 'role=button[name="Save settings"]' });
      expect(await s.perform({ action: 'extract_text', selector: '#saved', as: 'value' })).toBe('saved');
      expect(await s.perform({ action: 'extract_text', selector: 'text=Two', as: 'value' })).toBe('Two');
      expect(await s.perform({ action: 'extract_text', selector: '//li[@data-sku="s3"]', as: 'value' })).toBe(
        'Three',
      );
      expect(await s.perform({ action: 'extract_text', selector: 'xpath=//li[1]', as: 'value' })).toBe('One');
      expect(await s.perform({ action: 'extract_text', selector: '.item', as: 'value', all: true })).toEqual([
        'One',
        'Two',
        'Three',
      ]);
      const sku = {
        action: 'extract_attribute',
        selector: '.item',
        attribute: 'data-sku',
        as: 'value',
      } as const;
      expect(await s.perform(sku)).toBe('s1');
      expect(await s.perform({ ...sku, all: true })).toEqual(['s1', 's2', 's3']);
      expect(await s.perform({ action: 'extract_table', selector: '#prices', as: 'value' })).toEqual([
        { Product: 'Pen', Price: '1.50' },
        { Product: 'Book', Price: '12.00' },
      ]);
      // Without a header row, each row is a list; a header row of <th> cells names the columns.
      expect(await s.perform({ action: 'extract_table', selector: '#grid', as: 'value' })).toEqual([
        ['a1', 'b1'],
        ['a2', 'b2'],
      ]);
      expect(await s.perform({ action: 'extract_table', selector: '#headed', as: 'value' })).toEqual([
        { Name: 'Ada', column_2: 'x' },
      ]);
      await s.perform({ action: 'scroll', selector: '#bottom' });
      expect(
        await s.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY),
      ).toBeGreaterThan(1000);
      await s.perform({ action: 'scroll', y: -10_000 });
      expect(await s.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
      const element = await fileOf(
        s.perform({ action: 'screenshot', selector: '#prices', name: 'prices.png' }),
      );
      expect(element.name).toBe('prices.png');
      expect(isPng(element.data)).toBe(true);
      const pdf = await fileOf(s.perform({ action: 'pdf' }));
      expect(pdf.data.subarray(0, 5).toString()).toBe('%PDF-');
      const report = await fileOf(s.perform({ action: 'download', selector: '#report' }));
      expect(report.name).toBe('report.csv');
      expect(report.data.toString()).toBe('product,price\nPen,1.50\n');

      await s.perform({ action: 'click', selector: '#later' });
      await s.perform({ action: 'wait_for_selector', selector: '#later-page' });
      await s.perform({ action: 'go_back' });
      await s.perform({ action: 'wait_for_url', url: '/controls$/' });
      await s.perform({ action: 'fill', selector: '#name', value: 'changed' });
      await s.perform({ action: 'reload' });
      expect(await value('#name')).toBe('old');

      await s.perform({
        action: 'upload',
        selector: '#file',
        files: [{ name: 'note.txt', content: 'hello upload' }],
      });
      await s.perform({ action: 'click', selector: '#send' });
      await s.perform({ action: 'wait_for_selector', selector: '#uploaded' });
      expect(site.uploads.at(-1)).toEqual({ name: 'note.txt', content: 'hello upload' });
      expect(s.history.every((entry) => entry.attempts === 1)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('refuses evaluate unless it is allowed', async () => {
    const off = await session();
    try {
      await off.perform({ action: 'navigate', url: `${site.base}/controls` });
      const error = await failure(off.perform({ action: 'evaluate', script: 'document.title' }));
      expect(error.code).toBe('browser_evaluate_disabled');
      expect(error.message).toContain('browser.allowEvaluate');
    } finally {
      await off.close();
    }
    const on = await session({ allowEvaluate: true });
    try {
      await on.perform({ action: 'navigate', url: `${site.base}/controls` });
      expect(await on.perform({ action: 'evaluate', script: 'document.title' })).toBe('Controls');
    } finally {
      await on.close();
    }
  });

  it('fails a missing selector with the action, the selector, a screenshot and the page HTML', async () => {
    const s = await session({ retries: 0 });
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/login` });
      const error = await failure(
        s.perform({ action: 'click', selector: '#does-not-exist', timeout_ms: 500 }),
      );
      expect(error.code).toBe('browser_timeout');
      expect(error.message).toContain('click "#does-not-exist"');
      expect(error.details).toMatchObject({ action: 'click', selector: '#does-not-exist' });
      expect(isPng(error.evidence?.screenshot?.data ?? Buffer.alloc(0))).toBe(true);
      expect(error.evidence?.html?.data.toString()).toContain('id="username"');
    } finally {
      await s.close();
    }
  });

  it('retries a slow page with backoff and then succeeds', async () => {
    const s = await session({ backoffMs: 100 });
    try {
      const before = site.hits.get('/slow') ?? 0;
      // The first request never gets an answer: that try times out, a later one gets the page.
      await s.perform({ action: 'navigate', url: `${site.base}/slow`, timeout_ms: 3000, retries: 4 });
      expect(await s.perform({ action: 'extract_text', selector: '#ready', as: 'value' })).toBe('ready');
      expect(site.hits.get('/slow')).toBeGreaterThanOrEqual(before + 2);
      expect(s.history[0]?.action).toBe('navigate');
      expect(s.history[0]?.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await s.close();
    }
  });

  it('refuses private addresses by default, for pages and for what they load', async () => {
    const strict = await AutomationSession.start({ browser });
    try {
      const error = await failure(strict.perform({ action: 'navigate', url: `${site.base}/login` }));
      expect(error.code).toBe('browser_private_address');
      expect(error.message).toContain('127.0.0.1 is a loopback address');
      expect(error.message).toContain('nodes.allowPrivateHosts');
      expect(site.hits.get('/never')).toBeUndefined();
    } finally {
      await strict.close();
    }
    // Allowed to reach the test site, not the cloud metadata address the page fetches.
    const s = await session();
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/reaches-private` });
      await s.perform({ action: 'wait_for_selector', selector: 'text=refused' });
      expect(s.policy.refused.map((refusal) => refusal.url)).toContain(
        'http://169.254.169.254/latest/meta-data/',
      );
    } finally {
      await s.close();
    }
  });

  it('connects only through its proxy, which checks each address again when it connects', async () => {
    const s = await session();
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/login` });
      expect(s.proxy.handled).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
    // Past the first check (as a name re-resolving to a private address would be), the proxy
    // still refuses to connect to a private address that is not allowed.
    const proxy = await GuardProxy.start(privateAddressGuard([]));
    try {
      const { port } = new URL(site.base);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(proxy.url).port), '127.0.0.1', () =>
          socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`),
        );
        socket.once('data', (data) => {
          resolve(data.toString().split('\r\n')[0] ?? '');
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(answer).toBe('HTTP/1.1 403 Forbidden');
      const plain = await fetch(`${proxy.url}/`, { headers: {} }).then((r) => r.status);
      expect(plain).toBe(403);
    } finally {
      await proxy.close();
    }
  });

  it('caps downloads', async () => {
    const s = await session({ maxDownloadBytes: 1024 * 1024, retries: 0 });
    try {
      await s.perform({ action: 'navigate', url: `${site.base}/controls` });
      const error = await failure(s.perform({ action: 'download', selector: '#huge' }));
      expect(error.code).toBe('browser_download_too_large');
      expect(error.message).toContain('browser.maxDownloadBytes');
    } finally {
      await s.close();
    }
  });

  it('starts every session clean, with cookies only from the given profile', async () => {
    const first = await session();
    let profile: string;
    try {
      await first.perform({ action: 'navigate', url: `${site.base}/login` });
      await first.page.context().addCookies([{ name: 'sid', value: 'secret-session', url: site.base }]);
      profile = await first.storageState();
    } finally {
      await first.close();
    }
    expect(first.isClosed).toBe(true);
    const cookies = async (s: AutomationSession) => (await s.page.context().cookies()).map((c) => c.name);
    const clean = await session();
    try {
      await clean.perform({ action: 'navigate', url: `${site.base}/login` });
      expect(await cookies(clean)).toEqual([]);
    } finally {
      await clean.close();
    }
    const restored = await session({ storageState: profile });
    try {
      await restored.perform({ action: 'navigate', url: `${site.base}/login` });
      expect(await cookies(restored)).toEqual(['sid']);
    } finally {
      await restored.close();
    }
  });
});
