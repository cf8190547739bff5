import type { BrowserScriptRequest, BrowserScriptResult, BrowserService } from '@pincer/nodes';
import { NodeError } from '@pincer/nodes';
import type { Browser } from 'playwright-core';
import { AutomationSession, launchChromium } from './session.ts';

export interface BrowserPoolOptions {
  /** The Chromium binary (browser.executablePath); auto-detected when absent. */
  executablePath?: string | undefined;
  /** Browser processes kept (browser.poolSize). */
  size?: number;
  /** Steps running at once (browser.maxConcurrentSteps); the rest wait their turn. */
  maxConcurrent?: number;
}

/**
 * Chromium processes shared by the steps of a worker: each step gets a fresh context in the least
 * busy one. Processes start on first use and are started again when one crashes.
 */
export class BrowserPool {
  private readonly slots: { browser?: Promise<Browser>; active: number }[];
  private readonly maxConcurrent: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: BrowserPoolOptions = {}) {
    this.slots = Array.from({ length: Math.max(1, options.size ?? 1) }, () => ({ active: 0 }));
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
  }

  /** Starts every process now (the first step then pays no launch). */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.browserOf(slot)));
  }

  /** A browser to open a context in; call `release` when the context is closed. */
  async acquire(signal?: AbortSignal): Promise<{ browser: Browser; release(): void }> {
    if (this.closed)
      throw new NodeError('browser_unavailable', 'browser: the browser pool is shut down', {
        retryable: true,
      });
    if (this.running >= this.maxConcurrent) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(
            new NodeError('browser_cancelled', 'browser: cancelled while waiting for a browser', {
              retryable: false,
            }),
          );
        };
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.running += 1;
    const slot = this.slots.reduce((best, slot) => (slot.active < best.active ? slot : best));
    slot.active += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.active -= 1;
      this.running -= 1;
      this.waiting.shift()?.();
    };
    try {
      return { browser: await this.browserOf(slot), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private browserOf(slot: { browser?: Promise<Browser> }): Promise<Browser> {
    if (!slot.browser) {
      const launching = launchChromium(this.options.executablePath);
      slot.browser = launching;
      launching.then(
        (browser) =>
          browser.on('disconnected', () => {
            if (slot.browser === launching) delete slot.browser;
          }),
        () => {
          if (slot.browser === launching) delete slot.browser;
        },
      );
    }
    return slot.browser;
  }

  /** How many browser processes are up. */
  async processes(): Promise<number> {
    const browsers = await Promise.all(this.slots.map((slot) => slot.browser?.catch(() => undefined)));
    return browsers.filter((browser) => browser?.isConnected()).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const browser = await slot.browser?.catch(() => undefined);
        delete slot.browser;
        await browser?.close().catch(() => undefined);
      }),
    );
  }
}

export interface BrowserServiceOptions extends BrowserPoolOptions {
  /** browser.allowHosts: private hosts every step may reach, besides nodes.allowPrivateHosts. */
  allowHosts?: readonly string[];
  actionTimeoutMs?: number;
  retries?: number;
  maxDownloadBytes?: number;
  allowEvaluate?: boolean;
  /** Start the browser processes now rather than on the first step. */
  warm?: boolean;
}

export interface RunningBrowserService {
  service: BrowserService;
  pool: BrowserPool;
  close(): Promise<void>;
}

/** The `browser` capability of a worker: runs step scripts in fresh contexts of a pool of Chromium processes. */
export async function createBrowserService(
  options: BrowserServiceOptions = {},
): Promise<RunningBrowserService> {
  const pool = new BrowserPool(options);
  if (options.warm) await pool.warm();
  const service: BrowserService = {
    async run(request: BrowserScriptRequest): Promise<BrowserScriptResult> {
      const { browser, release } = await pool.acquire(request.signal);
      let session: AutomationSession | undefined;
      let timedOut = false;
      const stop = () => void session?.close();
      // The step's own deadline: give up a little before Temporal does, so the failure is ours.
      const deadline = setTimeout(
        () => {
          timedOut = true;
          stop();
        },
        Math.max(1000, request.timeoutMs - 1000),
      );
      request.signal.addEventListener('abort', stop, { once: true });
      try {
        session = await AutomationSession.start({
          browser,
          allowPrivateHosts: [...request.allowPrivateHosts, ...(options.allowHosts ?? [])],
          ...(options.actionTimeoutMs !== undefined ? { actionTimeoutMs: options.actionTimeoutMs } : {}),
          ...(options.retries !== undefined ? { retries: options.retries } : {}),
          ...(options.maxDownloadBytes !== undefined ? { maxDownloadBytes: options.maxDownloadBytes } : {}),
          allowEvaluate: options.allowEvaluate ?? false,
          ...(request.storageState ? { storageState: request.storageState } : {}),
          ...(request.viewport ? { viewport: request.viewport } : {}),
          saveFile: (file) => request.saveArtifact(file),
          ...(request.readArtifact ? { readArtifact: request.readArtifact } : {}),
          log: request.log,
        });
        if (request.signal.aborted) stop();
        return await session.run(request.actions, {
          afterAction: (index) => request.heartbeat({ action: index }),
        });
      } catch (error) {
        if (request.signal.aborted) {
          throw new NodeError('browser_cancelled', 'browser: the step was cancelled', {
            retryable: false,
            cause: error,
          });
        }
        if (timedOut) {
          throw new NodeError(
            'browser_step_timeout',
            `browser: the script did not finish within the step's timeout (${request.timeoutMs} ms); raise the step's timeout or shorten the script`,
            { retryable: false, cause: error },
          );
        }
        throw error;
      } finally {
        clearTimeout(deadline);
        request.signal.removeEventListener('abort', stop);
        await session?.close();
        release();
      }
    },
  };
  return { service, pool, close: () => pool.close() };
}
