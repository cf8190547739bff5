import { z } from 'zod';
import { browserActionSchema } from '../browser-actions.ts';
import { type BrowserScriptResult, defineNode } from '../define.ts';
import { NodeError } from '../errors.ts';

const config = z.strictObject({
  actions: z
    .array(browserActionSchema)
    .min(1, 'give at least one action')
    .max(500)
    .describe(
      'What to do, in order, e.g. [{ action: navigate, url: "https://example.com/login" }, { action: fill, selector: "#username", value: "{{ input.user }}" }, { action: click, selector: "#submit" }, { action: screenshot }]. Each action has timeout_ms and retries.',
    ),
  profile: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'a credential name: letters, digits and _')
    .optional()
    .describe(
      'A credential holding a browser profile (Playwright storage state JSON: cookies and local storage) to start with, e.g. a logged-in session. Cookies never come from anywhere else.',
    ),
  viewport: z
    .strictObject({
      width: z.int().min(200).max(4000).describe('Page width in CSS pixels (200–4000).'),
      height: z.int().min(200).max(4000).describe('Page height in CSS pixels (200–4000).'),
    })
    .default({ width: 1280, height: 800 })
    .describe('The page size in CSS pixels.'),
});
export type BrowserConfig = z.output<typeof config>;

export const browser = defineNode({
  type: 'browser',
  title: 'Browser',
  description:
    'Runs a script of actions (navigate, click, fill, extract, screenshot, pdf, download…) in headless Chromium; outputs { data, artifacts, url, title }.',
  category: 'browser',
  capability: 'browser',
  execution: 'activity',
  sideEffects: 'external',
  config,
  docs: {
    example: `
workflow:
  name: dashboard_snapshot
  steps:
    - name: snapshot
      type: browser
      timeout: 2m
      actions:
        - { action: navigate, url: "https://shop.example.com/login" }
        - { action: fill, selector: "#username", value: "{{ trigger.username }}" }
        - { action: fill, selector: "#password", value: "{{ secrets.shop_password }}" }
        - { action: click, selector: "role=button[name=\\"Sign in\\"]" }
        - { action: wait_for_selector, selector: .dashboard, timeout_ms: 15000 }
        - { action: screenshot, name: dashboard.png }
        - { action: extract_table, selector: "#orders", as: orders }
    - name: count
      type: transform
      value: "{{ $count(steps.snapshot.output.data.orders) }}"
`,
    notes:
      'Every action has `timeout_ms` (default `browser.actionTimeoutMs`, 30 s) and `retries` (default 2, ' +
      'with backoff); a failing action fails the step with the action, its selector, `failure-screenshot.png` ' +
      'and `failure-page.html` kept as artifacts. Each step gets a fresh browser context, closed afterwards; ' +
      'cookies come only from `profile`. Private addresses are refused unless `nodes.allowPrivateHosts` or ' +
      '`browser.allowHosts` allows them; `evaluate` needs `browser.allowEvaluate`. See docs/browser.md.',
    minimal: { actions: [{ action: 'navigate', url: 'https://example.com/' }] },
  },
  outputs: ['main'],
  defaults: {
    timeoutMs: 300_000,
    // Each action retries on its own; a second attempt covers a worker lost mid-step.
    retry: { maximumAttempts: 2, initialIntervalMs: 2000, backoffCoefficient: 2 },
  },
  async run(config, context): Promise<BrowserScriptResult> {
    const service = context.services.browser;
    if (!service) {
      throw new NodeError(
        'browser_unavailable',
        'browser: this worker has no browser: serve the browser capability (worker.capabilities includes "browser") on a machine with Chromium (npm start installs it when root, or set browser.executablePath)',
        { retryable: false },
      );
    }
    const artifacts = context.services.artifacts;
    const storageState = config.profile ? await readProfile(config.profile, context.secret) : undefined;
    return service.run({
      actions: config.actions,
      allowPrivateHosts: context.settings.allowPrivateHosts,
      ...(storageState ? { storageState } : {}),
      viewport: config.viewport,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      heartbeat: (details) => context.heartbeat(details),
      log: (message, fields) => context.log(message, fields),
      async saveArtifact(file) {
        if (!artifacts) {
          throw new NodeError(
            'artifacts_unavailable',
            'browser: this worker has no artifact store to keep screenshots, PDFs and downloads in',
            { retryable: false },
          );
        }
        return artifacts.save({ runId: context.runId, stepName: context.stepName, ...file });
      },
      ...(artifacts
        ? {
            async readArtifact(id: string) {
              const found = await artifacts.read(id);
              return found
                ? { name: found.ref.name, mediaType: found.ref.mediaType, data: found.data }
                : null;
            },
          }
        : {}),
    });
  },
});

/** A browser-profile credential: Playwright storage state JSON ({ cookies: [...], origins: [...] }). */
async function readProfile(name: string, secret: (name: string) => Promise<string>): Promise<string> {
  const text = await secret(name);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const cookies = (value as { cookies?: unknown } | undefined)?.cookies;
  if (typeof value !== 'object' || value === null || !Array.isArray(cookies)) {
    throw new NodeError(
      'browser_profile_invalid',
      `browser: credential "${name}" is not a browser profile: store Playwright storage state JSON ({ "cookies": [...], "origins": [...] }), e.g. from AutomationSession.storageState()`,
      { retryable: false },
    );
  }
  return text;
}
