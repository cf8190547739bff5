import { chown, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ArtifactRef,
  type BrowserAction,
  type BrowserActionInput,
  type BrowserScriptResult,
  browserActionSchema,
  NodeError,
} from '@pincer/nodes';
import { findChromium } from '@pincer/provision';
import {
  type Browser,
  type BrowserContext,
  chromium,
  errors,
  type Locator,
  type Page,
} from 'playwright-core';
import { describeUrl, NetworkPolicy } from './network.ts';
import { GuardProxy } from './proxy.ts';
import { rootLauncher } from './sandbox-user.ts';

/** Chromium flags for a quiet headless browser that phones nowhere. */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
];

/** A file an action produced; `ref` is set when the session keeps files in an artifact store. */
export interface SessionFile {
  name: string;
  mediaType: string;
  data: Buffer;
  ref?: ArtifactRef;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface SessionOptions {
  /** A browser of a pool; when absent the session launches (and on close stops) its own Chromium. */
  browser?: Browser;
  /** For a session's own browser: the Chromium binary (auto-detected when absent). */
  executablePath?: string;
  /** Private hosts/CIDRs the page may reach (everything private is refused otherwise). */
  allowPrivateHosts?: readonly string[];
  /** Default timeout of one try of an action, in ms (30 s). */
  actionTimeoutMs?: number;
  /** Default tries after the first (2). */
  retries?: number;
  /** First backoff between tries, in ms (doubles each try; 250). */
  backoffMs?: number;
  /** Allow `evaluate` (arbitrary JavaScript in the page); off by default. */
  allowEvaluate?: boolean;
  /** Largest download kept, in bytes (50 MiB). */
  maxDownloadBytes?: number;
  /** Playwright storage state (cookies, local storage), as JSON text or an object. */
  storageState?: string | object;
  viewport?: { width: number; height: number };
  /** Where files go; without it they stay in memory and are returned by the actions. */
  saveFile?(file: { name: string; mediaType: string; data: Uint8Array }): Promise<ArtifactRef>;
  /** Resolves `upload` files given as `artifact: <id>`. */
  readArtifact?(id: string): Promise<{ name: string; mediaType: string; data: Uint8Array } | null>;
  log?: Log;
}

/** Why an action failed, with the evidence captured before the context closed. */
export interface FailureEvidence {
  screenshot?: SessionFile;
  html?: SessionFile;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_DOWNLOAD = 50 * 1024 * 1024;
const EVIDENCE_TIMEOUT_MS = 5000;
const NAVIGATIONS = new Set(['navigate', 'reload', 'go_back']);

/**
 * Browser automation for scripts and for `browser` steps: one fresh browser context and page,
 * every action with a timeout and retries with backoff, every request through the network
 * policy. A failing action throws a NodeError naming the action and selector, after saving a
 * screenshot and the page HTML.
 *
 *     const s = await AutomationSession.start();
 *     await s.perform({ action: 'navigate', url: 'https://example.com/login' });
 *     await s.perform({ action: 'fill', selector: '#username', value: user });
 *     await s.perform({ action: 'click', selector: '#submit' });
 *     const png = await s.perform({ action: 'screenshot' });
 *     await s.close();
 */
export class AutomationSession {
  readonly policy: NetworkPolicy;
  /** Files the actions produced, in order. */
  readonly files: SessionFile[] = [];
  /** Extracted values by `as`. */
  readonly data: Record<string, unknown> = {};
  /** One entry per action run. */
  readonly history: BrowserScriptResult['actions'] = [];
  private closed = false;
  private screenshotCount = 0;

  private constructor(
    readonly context: BrowserContext,
    private currentPage: Page,
    private readonly options: SessionOptions,
    policy: NetworkPolicy,
    private readonly ownBrowser: Browser | undefined,
    /** The forward proxy every request of the context goes through. */
    readonly proxy: GuardProxy,
  ) {
    this.policy = policy;
  }

  static async start(options: SessionOptions = {}): Promise<AutomationSession> {
    let own: Browser | undefined;
    let proxy: GuardProxy | undefined;
    let browser = options.browser;
    if (!browser) {
      own = await launchChromium(options.executablePath);
      browser = own;
    }
    try {
      const storageState =
        typeof options.storageState === 'string' ? JSON.parse(options.storageState) : options.storageState;
      const policy = new NetworkPolicy(options.allowPrivateHosts ?? []);
      proxy = await GuardProxy.start(policy.guard);
      const context = await browser.newContext({
        // Chromium resolves no names itself: the proxy connects only to addresses it checked.
        proxy: { server: proxy.url, bypass: '<-loopback>' },
        acceptDownloads: true,
        serviceWorkers: 'block',
        viewport: options.viewport ?? { width: 1280, height: 800 },
        ...(storageState ? { storageState } : {}),
      });
      await policy.install(context, options.log);
      const page = await context.newPage();
      return new AutomationSession(context, page, options, policy, own, proxy);
    } catch (error) {
      await proxy?.close();
      await own?.close().catch(() => undefined);
      throw error;
    }
  }

  /** The cookies and local storage now, as JSON: store it as a browser-profile credential. */
  async storageState(): Promise<string> {
    return JSON.stringify(await this.context.storageState());
  }

  /**
   * Runs a script of actions (a `browser` step). On failure the evidence is saved and the error
   * rethrown; the caller closes the session.
   */
  async run(actions: readonly BrowserAction[], hooks: { afterAction?(index: number): void } = {}) {
    for (const [index, action] of actions.entries()) {
      await this.perform(action, index);
      hooks.afterAction?.(index);
    }
    return {
      data: this.data,
      artifacts: this.files.flatMap((file) => (file.ref ? [file.ref] : [])),
      url: this.page.url(),
      title: await this.page.title().catch(() => ''),
      actions: this.history,
    } satisfies BrowserScriptResult;
  }

  /** Closes the context (and the session's own browser); nothing of it reaches the next session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.close().catch(() => undefined);
    await this.proxy.close();
    await this.ownBrowser?.close().catch(() => undefined);
  }

  /** The page the actions drive (replaced when a navigation is stuck and retried). */
  get page(): Page {
    return this.currentPage;
  }

  /**
   * A page whose navigation timed out keeps loading and aborts the next one: retry on a new page
   * of the same context (cookies and storage stay).
   */
  private async replaceStuckPage(): Promise<void> {
    const stuck = this.currentPage;
    this.currentPage = await this.context.newPage();
    await stuck.close({ runBeforeUnload: false }).catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ── the machinery ──────────────────────────────────────────────────────────────────────────

  /** Validates an action, runs it with its timeout and retries, and captures evidence on failure. */
  async perform(input: BrowserActionInput | BrowserAction, index = this.history.length): Promise<unknown> {
    const parsed = browserActionSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new NodeError(
        'browser_action_invalid',
        `browser: action ${index + 1} (${String((input as { action?: unknown }).action)}): ${issue?.path.join('.') || 'action'}: ${issue?.message}`,
        { retryable: false },
      );
    }
    const action = parsed.data;
    const timeoutMs = action.timeout_ms ?? this.options.actionTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const retries = action.retries ?? this.options.retries ?? DEFAULT_RETRIES;
    const backoff = this.options.backoffMs ?? 250;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await this.execute(action, timeoutMs);
        this.history.push({
          action: action.action,
          ...selectorOf(action),
          attempts: attempt,
          ms: Date.now() - started,
        });
        return value;
      } catch (error) {
        const retryable = !this.closed && isRetryable(error);
        if (retryable && attempt <= retries) {
          this.options.log?.('browser action failed, trying again', {
            action: action.action,
            attempt,
            error: firstLine(error),
          });
          if (NAVIGATIONS.has(action.action) && error instanceof errors.TimeoutError)
            await this.replaceStuckPage();
          await sleep(backoff * 2 ** (attempt - 1));
          continue;
        }
        this.history.push({
          action: action.action,
          ...selectorOf(action),
          attempts: attempt,
          ms: Date.now() - started,
        });
        throw await this.failure(action, index, attempt, error);
      }
    }
  }

  private async failure(
    action: BrowserAction,
    index: number,
    attempts: number,
    error: unknown,
  ): Promise<NodeError> {
    const what = describeAction(action);
    const evidence = this.closed ? {} : await this.captureEvidence();
    const refs = {
      ...(evidence.screenshot?.ref ? { screenshot: evidence.screenshot.ref } : {}),
      ...(evidence.html?.ref ? { html: evidence.html.ref } : {}),
    };
    const see = Object.values(refs).length
      ? `; see ${Object.values(refs)
          .map((ref) => ref.name)
          .join(' and ')}`
      : '';
    const tries = `${attempts} ${attempts === 1 ? 'try' : 'tries'}`;
    const details = {
      action_index: index,
      action: action.action,
      ...selectorOf(action),
      attempts,
      url: describeUrl(this.closed ? '' : this.page.url()),
      ...refs,
    };
    const own = error instanceof NodeError ? error : undefined;
    const code = own?.code ?? errorCode(error, this.policy);
    const reason = own ? own.message.replace(/^browser: /, '') : explain(error, this.policy);
    const result = new NodeError(
      code,
      `browser: action ${index + 1} (${what}) failed after ${tries}: ${reason}${see}`,
      {
        retryable: false,
        details: { ...own?.details, ...details },
        cause: error,
      },
    );
    (result as NodeError & { evidence?: FailureEvidence }).evidence = evidence;
    return result;
  }

  /** A screenshot and the HTML of the page as it was when the action failed. */
  async captureEvidence(): Promise<FailureEvidence> {
    const evidence: FailureEvidence = {};
    try {
      const png = await this.page.screenshot({ timeout: EVIDENCE_TIMEOUT_MS });
      evidence.screenshot = await this.keep({
        name: 'failure-screenshot.png',
        mediaType: 'image/png',
        data: png,
      });
    } catch (error) {
      this.options.log?.('browser could not take the failure screenshot', { error: firstLine(error) });
    }
    try {
      // A page still loading answers content() only when it is done: do not wait for that.
      const html = Buffer.from(
        await withTimeout(this.page.content(), EVIDENCE_TIMEOUT_MS, 'page HTML'),
        'utf8',
      );
      evidence.html = await this.keep({ name: 'failure-page.html', mediaType: 'text/html', data: html });
    } catch (error) {
      this.options.log?.('browser could not read the page HTML', { error: firstLine(error) });
    }
    return evidence;
  }

  private async keep(file: { name: string; mediaType: string; data: Buffer }): Promise<SessionFile> {
    const kept: SessionFile = { ...file };
    if (this.options.saveFile) kept.ref = await this.options.saveFile(file);
    this.files.push(kept);
    return kept;
  }

  private locate(selector: string): Locator {
    return this.page.locator(normalizeSelector(selector));
  }

  private async execute(action: BrowserAction, timeout: number): Promise<unknown> {
    const page = this.page;
    switch (action.action) {
      case 'navigate': {
        const url = checkNavigableUrl(action.url);
        const response = await page.goto(url, { timeout, waitUntil: action.wait_until });
        return { status: response?.status() ?? null, url: describeUrl(page.url()) };
      }
      case 'click':
        return this.locate(action.selector).click({
          timeout,
          button: action.button,
          clickCount: action.click_count,
        });
      case 'fill':
        return this.locate(action.selector).fill(action.value, { timeout });
      case 'type': {
        const locator = this.locate(action.selector);
        await locator.focus({ timeout });
        // Typing goes after what the field holds, not where focusing put the caret.
        await locator.evaluate((element) => {
          const field = element as { value?: unknown; setSelectionRange?(start: number, end: number): void };
          if (typeof field.value !== 'string' || !field.setSelectionRange) return;
          try {
            field.setSelectionRange(field.value.length, field.value.length);
          } catch {
            // Inputs like type=email have no selection.
          }
        });
        return withTimeout(this.page.keyboard.type(action.text, { delay: action.delay_ms }), timeout, 'type');
      }
      case 'select': {
        const values = Array.isArray(action.value) ? action.value : [action.value];
        const locator = this.locate(action.selector);
        // Accept option values or labels, as people write either.
        const options = await locator.evaluate(
          (element, wanted) =>
            Array.from((element as SelectLike).options ?? []).flatMap((option) =>
              wanted.includes(option.value) || wanted.includes(option.label) ? [option.value] : [],
            ),
          values,
          { timeout },
        );
        if (options.length < values.length) {
          throw new NodeError(
            'browser_option_missing',
            `browser: ${action.selector} has no option with value or label ${values.map((v) => JSON.stringify(v)).join(', ')}`,
            { retryable: false },
          );
        }
        return locator.selectOption(options, { timeout });
      }
      case 'check':
        return this.locate(action.selector).check({ timeout });
      case 'uncheck':
        return this.locate(action.selector).uncheck({ timeout });
      case 'hover':
        return this.locate(action.selector).hover({ timeout });
      case 'press':
        if (action.selector) return this.locate(action.selector).press(action.key, { timeout });
        return page.keyboard.press(action.key);
      case 'scroll':
        if (action.selector) return this.locate(action.selector).scrollIntoViewIfNeeded({ timeout });
        return page.evaluate(
          ([x, y]) =>
            (globalThis as unknown as { scrollBy(x: number, y: number): void }).scrollBy(x ?? 0, y ?? 0),
          [action.x, action.y],
        );
      case 'wait_for_selector':
        await this.locate(action.selector).first().waitFor({ state: action.state, timeout });
        return undefined;
      case 'wait_for_url':
        return page.waitForURL(urlMatcher(action.url), { timeout });
      case 'extract_text': {
        const locator = this.locate(action.selector);
        // innerText waits for the first match itself; a list needs one to be there first.
        if (action.all) await locator.first().waitFor({ state: 'attached', timeout });
        const value = action.all
          ? (await locator.allInnerTexts()).map((text) => text.trim())
          : // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees, as rendered.
            (await locator.first().innerText({ timeout })).trim();
        if (action.as !== '_') this.data[action.as] = value;
        return value;
      }
      case 'extract_attribute': {
        const locator = this.locate(action.selector);
        if (action.all) await locator.first().waitFor({ state: 'attached', timeout });
        const value = action.all
          ? await locator.evaluateAll(
              (elements, name) => elements.map((element) => element.getAttribute(name)),
              action.attribute,
            )
          : await locator.first().getAttribute(action.attribute, { timeout });
        if (action.as !== '_') this.data[action.as] = value;
        return value;
      }
      case 'extract_table': {
        const locator = this.locate(action.selector).first();
        await locator.waitFor({ state: 'attached', timeout });
        const rows = await locator.evaluate(readTable, undefined, { timeout });
        if (action.as !== '_') this.data[action.as] = rows;
        return rows;
      }
      case 'screenshot': {
        this.screenshotCount += 1;
        const data = action.selector
          ? await this.locate(action.selector).first().screenshot({ timeout })
          : await page.screenshot({ timeout, fullPage: action.full_page });
        return this.keep({
          name: action.name ?? `screenshot-${this.screenshotCount}.png`,
          mediaType: 'image/png',
          data,
        });
      }
      case 'pdf': {
        const data = await withTimeout(
          page.pdf({ format: action.format, printBackground: true }),
          timeout,
          'pdf',
        );
        return this.keep({ name: action.name ?? 'page.pdf', mediaType: 'application/pdf', data });
      }
      case 'upload': {
        const files = await Promise.all(action.files.map((file) => this.uploadFile(file)));
        return this.locate(action.selector).setInputFiles(files, { timeout });
      }
      case 'download':
        return this.downloadFrom(action.selector, action.name, timeout);
      case 'go_back':
        return void (await page.goBack({ timeout }));
      case 'reload':
        return void (await page.reload({ timeout }));
      case 'evaluate': {
        if (!this.options.allowEvaluate) {
          throw new NodeError(
            'browser_evaluate_disabled',
            'browser: evaluate runs arbitrary JavaScript and is off; set browser.allowEvaluate: true in pincer.yaml to allow it',
            { retryable: false },
          );
        }
        const value: unknown = await withTimeout(page.evaluate(action.script), timeout, 'evaluate');
        if (action.as) this.data[action.as] = value;
        return value;
      }
    }
  }

  private async uploadFile(file: Extract<BrowserAction, { action: 'upload' }>['files'][number]) {
    if (file.artifact !== undefined) {
      const found = await this.options.readArtifact?.(file.artifact);
      if (!found) {
        throw new NodeError(
          'browser_upload_missing',
          `browser: upload: no artifact ${file.artifact} in this run`,
          {
            retryable: false,
          },
        );
      }
      return { name: file.name, mimeType: found.mediaType, buffer: Buffer.from(found.data) };
    }
    const buffer = Buffer.from(file.content ?? '', file.encoding === 'base64' ? 'base64' : 'utf8');
    return { name: file.name, mimeType: file.media_type, buffer };
  }

  /** Clicks and keeps what downloads, cancelling it when it grows past the size cap. */
  private async downloadFrom(
    selector: string,
    name: string | undefined,
    timeout: number,
  ): Promise<SessionFile> {
    const cap = this.options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD;
    const [download] = await Promise.all([
      this.page.waitForEvent('download', { timeout }),
      this.locate(selector).click({ timeout }),
    ]);
    const tooLarge = () =>
      new NodeError(
        'browser_download_too_large',
        `browser: the download ${describeUrl(download.url())} is larger than ${cap} bytes; raise browser.maxDownloadBytes if you need it`,
        { retryable: false, details: { max_download_bytes: cap } },
      );
    // Playwright writes the file under the browser's downloads directory while it arrives: watch it.
    const dir = downloadsDirOf(this.context);
    const before = dir ? new Set(await readdir(dir).catch(() => [])) : new Set<string>();
    let exceeded = false;
    let finished = false;
    const watch = (async () => {
      while (!finished && dir) {
        for (const entry of await readdir(dir).catch(() => [])) {
          if (before.has(entry)) continue;
          const size = (await stat(path.join(dir, entry)).catch(() => undefined))?.size ?? 0;
          if (size > cap) {
            exceeded = true;
            await download.cancel().catch(() => undefined);
            return;
          }
        }
        await sleep(50);
      }
    })();
    try {
      const file = await withTimeout(download.path(), timeout, 'download');
      if (exceeded) throw tooLarge();
      const size = (await stat(file)).size;
      if (size > cap) throw tooLarge();
      const data = await readFile(file);
      return await this.keep({
        name: name ?? download.suggestedFilename(),
        mediaType: mediaTypeOf(name ?? download.suggestedFilename()),
        data,
      });
    } catch (error) {
      if (exceeded) throw tooLarge();
      throw error;
    } finally {
      finished = true;
      await watch;
      await download.delete().catch(() => undefined);
    }
  }
}

/** Launches a headless Chromium (the configured or auto-detected one). */
export async function launchChromium(executablePath?: string, downloadsPath?: string): Promise<Browser> {
  const binary = findChromium({ executablePath });
  if (!binary) {
    throw new NodeError(
      'browser_unavailable',
      'browser: no Chromium found: install it (Debian: apt-get install -y chromium; `npm start` does it when root) or set browser.executablePath in pincer.yaml',
      { retryable: false },
    );
  }
  const dir = downloadsPath ?? path.join(os.tmpdir(), `pincer-downloads-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const launcher = await rootLauncher(binary);
  if (launcher) await chown(dir, launcher.uid, launcher.gid);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: launcher?.executable ?? binary,
      headless: true,
      args: CHROMIUM_ARGS,
      // Chromium's own sandbox (Playwright turns it off unless asked): renderers get no access to
      // the worker's files, processes or network beyond what the browser process gives them.
      chromiumSandbox: true,
      // Not the worker's environment: it holds DATABASE_URL and the credentials key.
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        ...(launcher ? {} : { HOME: process.env.HOME ?? os.tmpdir() }),
      },
      downloadsPath: dir,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new NodeError(
      'browser_unavailable',
      `browser: Chromium did not start with its sandbox (${reason}); it needs unprivileged user namespaces (in Docker: a seccomp profile that allows them)`,
      { retryable: false, cause: error },
    );
  }
  DOWNLOAD_DIRS.set(browser, dir);
  browser.on('disconnected', () => void rm(dir, { recursive: true, force: true }));
  return browser;
}

const DOWNLOAD_DIRS = new WeakMap<Browser, string>();

function downloadsDirOf(context: BrowserContext): string | undefined {
  const browser = context.browser();
  return browser ? DOWNLOAD_DIRS.get(browser) : undefined;
}

/** `//div` and `(//div)[2]` are XPath; everything else is a Playwright selector (CSS by default). */
export function normalizeSelector(selector: string): string {
  const trimmed = selector.trim();
  if (trimmed.startsWith('//') || trimmed.startsWith('(//')) return `xpath=${trimmed}`;
  return trimmed;
}

function urlMatcher(pattern: string): string | RegExp {
  const regex = /^\/(.+)\/([dgimsuy]*)$/.exec(pattern);
  if (!regex?.[1]) return pattern;
  try {
    return new RegExp(regex[1], regex[2]);
  } catch {
    throw new NodeError(
      'browser_action_invalid',
      `browser: wait_for_url: ${pattern} is not a valid regular expression`,
      {
        retryable: false,
      },
    );
  }
}

function checkNavigableUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NodeError(
      'browser_action_invalid',
      `browser: navigate: "${url.slice(0, 100)}" is not a URL; write it with http:// or https://`,
      {
        retryable: false,
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NodeError(
      'browser_action_invalid',
      `browser: navigate: only http:// and https:// URLs can be opened, not ${parsed.protocol}`,
      {
        retryable: false,
      },
    );
  }
  return url;
}

/** The parts of the DOM the in-page functions use (this package compiles without the DOM library). */
interface CellLike {
  tagName: string;
  textContent: string | null;
}
interface RowLike {
  cells: ArrayLike<CellLike>;
  parentElement: { tagName: string } | null;
}
interface TableLike {
  rows?: ArrayLike<RowLike>;
  tHead?: { rows: ArrayLike<RowLike> } | null;
}
interface SelectLike {
  options?: ArrayLike<{ value: string; label: string }>;
}

/**
 * Runs in the page: a table's rows as objects keyed by its header cells (or lists without one).
 * Functions that run in the page declare no named helpers: tsx (esbuild's keepNames) wraps those in
 * a `__name` call that exists only in Node, and the page answers `ReferenceError: __name is not defined`.
 */
function readTable(element: unknown): Record<string, string>[] | string[][] {
  const table = element as TableLike;
  const rows = Array.from(table.rows ?? []);
  const texts = rows.map((row) => Array.from(row.cells).map((cell) => (cell.textContent ?? '').trim()));
  const first = rows[0];
  const headerRow =
    table.tHead?.rows[0] ??
    (first && Array.from(first.cells).every((cell) => cell.tagName === 'TH') ? first : undefined);
  const body = rows.flatMap((row, index) =>
    row !== headerRow && row.parentElement?.tagName !== 'THEAD' ? [texts[index] ?? []] : [],
  );
  const headerTexts = headerRow ? texts[rows.indexOf(headerRow)] : undefined;
  if (!headerTexts) return body;
  const headers = headerTexts.map((header, index) => header || `column_${index + 1}`);
  return body.map((cells) =>
    Object.fromEntries(cells.map((cell, index) => [headers[index] ?? `column_${index + 1}`, cell])),
  );
}

function selectorOf(action: BrowserAction): { selector?: string } {
  return 'selector' in action && action.selector ? { selector: action.selector } : {};
}

function describeAction(action: BrowserAction): string {
  if ('selector' in action && action.selector) return `${action.action} ${JSON.stringify(action.selector)}`;
  if (action.action === 'navigate' || action.action === 'wait_for_url')
    return `${action.action} ${describeUrl(action.url)}`;
  if (action.action === 'press') return `press ${action.key}`;
  return action.action;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof NodeError) return error.retryable;
  if (error instanceof errors.TimeoutError) return true;
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('ERR_BLOCKED_BY_CLIENT')) return false;
  // Network trouble while loading a page may pass.
  return /net::ERR_(CONNECTION|TIMED_OUT|EMPTY_RESPONSE|NETWORK_CHANGED|ABORTED|INTERNET_DISCONNECTED|NAME_NOT_RESOLVED)/.test(
    message,
  );
}

function errorCode(error: unknown, policy: NetworkPolicy): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('ERR_BLOCKED_BY_CLIENT') && policy.refused.length > 0)
    return 'browser_private_address';
  if (error instanceof errors.TimeoutError) return 'browser_timeout';
  if (/Unknown engine|is not a valid selector|Unexpected token|strict mode violation/.test(message))
    return 'browser_selector_invalid';
  if (message.includes('net::')) return 'browser_network';
  return 'browser_action_failed';
}

function explain(error: unknown, policy: NetworkPolicy): string {
  const message = firstLine(error);
  if (message.includes('ERR_BLOCKED_BY_CLIENT')) {
    const refusal = policy.refused.at(-1);
    if (refusal) {
      return `${refusal.url} refused: ${refusal.reason}; allow it with nodes.allowPrivateHosts or browser.allowHosts in pincer.yaml`;
    }
  }
  return message;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Playwright appends a call log after the first lines; the first says what happened.
  return (message.split('\n')[0] ?? message)
    .replace(/^\w+\.\w+: /, '')
    .trim()
    .replace(/\.$/, '');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new errors.TimeoutError(`${what}: Timeout ${ms}ms exceeded`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
  '.zip': 'application/zip',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function mediaTypeOf(name: string): string {
  return MEDIA_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}
