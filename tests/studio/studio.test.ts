import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { publishTriggers, requestPairing, setCredential } from '@pincer/engine';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramPeer } from '../peers/telegram.ts';
import { repoRoot } from '../support/pincer.ts';
import { PASSWORD, startTestStudio, type TestStudio } from '../support/studio.ts';

const WAIT = { timeout: 120_000, interval: 250 };
const SHOTS = path.join(repoRoot, '.pincer', 'screenshots');

let studio: TestStudio;
let owner: Page;
let telegram: TelegramPeer;

beforeAll(async () => {
  // A Telegram channel whose token the (stand-in) Bot API refuses: the channels page shows why.
  telegram = await TelegramPeer.start();
  studio = await startTestStudio({
    channels: { telegram: { token: '999:not-the-bot-token', apiRoot: telegram.apiRoot } },
  });
  owner = (await studio.signIn('owner')).page;
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await studio?.stop();
  await telegram?.close();
});

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: WAIT.timeout });
}

async function centerOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Does a pointer gesture until it shows in `count`: a loaded machine can drop one (the pointer
 * events land before React Flow has laid out the canvas). At most three tries, each given 45 s to
 * show; a broken feature fails every one.
 */
async function gesture(act: () => Promise<void>, count: () => Promise<number>): Promise<void> {
  const before = await count();
  for (let attempt = 0; attempt < 3; attempt++) {
    await act();
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      if ((await count()) > before) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await expect.poll(count, WAIT).toBeGreaterThan(before);
}

const edgeCount = (page: Page) => () => page.locator('.react-flow__edge').count();
const nodeCount = (page: Page) => () => page.locator('.react-flow__node').count();

/** Connects two steps and waits for the edge (see `gesture`). */
async function connectSteps(page: Page, from: string, to: string, port?: string): Promise<void> {
  await gesture(() => connect(page, from, to, port), edgeCount(page));
}

/** Drops a transform step from the palette at `at` and waits for it (see `gesture`). */
async function dropTransform(page: Page, at: { x: number; y: number }): Promise<void> {
  await gesture(
    () =>
      page.locator('[data-node-type="transform"]').dragTo(page.locator('.react-flow__pane'), {
        targetPosition: at,
      }),
    nodeCount(page),
  );
}

/**
 * Drags a connection from one step's output port (its bottom `main` handle unless named) to
 * another's top handle, as a person does.
 */
async function connect(page: Page, from: string, to: string, port?: string): Promise<void> {
  const handle = port ? `[data-handleid="${port}"]` : '.source';
  const source = await centerOf(
    page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle${handle}`).first(),
  );
  const target = await centerOf(
    page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`),
  );
  await page.mouse.move(source.x, source.y);
  await page.mouse.down();
  await page.mouse.move(target.x, target.y, { steps: 15 });
  await page.mouse.up();
}

/**
 * Appends an `archive` step to the workflow in the YAML tab and waits until the canvas has taken
 * it; leaves the YAML tab open.
 */
async function appendArchiveInYaml(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'YAML' }).click();
  const yaml = page.getByLabel('Workflow YAML');
  await expect.poll(() => yaml.inputValue(), WAIT).toMatch(/name: send_notification/);
  const text = await yaml.inputValue();
  await yaml.fill(`${text.trimEnd()}\n    - name: archive\n      type: transform\n      value: archived\n`);
  await expect.poll(() => page.getByTestId('yaml-state').textContent(), WAIT).toBe('Applied to the canvas.');
}

/** Drops a palette entry on the canvas, selects the new step, names it and fills its value. */
async function addStep(
  page: Page,
  at: { x: number; y: number },
  name: string,
  fill: (value: Locator) => Promise<void>,
) {
  const before = await nodeCount(page)();
  await dropTransform(page, at);
  await expect.poll(nodeCount(page), WAIT).toBe(before + 1);
  const panel = page.getByRole('complementary', { name: 'Step settings' });
  const stepName = panel.locator('input[name="step-name"]');
  await stepName.fill(name);
  await stepName.press('Enter');
  await visible(page.locator(`.react-flow__node[data-id="${name}"]`));
  await fill(panel.locator('input[name="config.value"]'));
}

/**
 * Every procedure of the studio's tRPC router with its kind. Imported at run time by path: the
 * web app's types (Next's globals) stay out of the test project's type check.
 */
async function studioProcedures(): Promise<[string, string][]> {
  const routerFile = path.join(repoRoot, 'apps/web/src/lib/trpc/router.ts');
  const loaded: unknown = await import(routerFile);
  const procedures = readPath(loaded, ['appRouter', '_def', 'procedures']);
  if (procedures === null || typeof procedures !== 'object') throw new Error('no procedures in the router');
  return Object.entries(procedures).map(([name, procedure]) => [
    name,
    String(readPath(procedure, ['_def', 'type'])),
  ]);
}

function readPath(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

/** How far the page scrolls sideways (0 when it fits). A string: the test project has no DOM types. */
async function horizontalOverflow(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
}

/** Whether every step lies wholly inside the visible canvas. */
async function allStepsInView(page: Page): Promise<boolean> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('the canvas has no box');
  return page.locator('.react-flow__node').evaluateAll(
    (nodes, within) =>
      nodes.every((node) => {
        const box = node.getBoundingClientRect();
        return (
          box.left >= within.x &&
          box.top >= within.y &&
          box.right <= within.x + within.width &&
          box.bottom <= within.y + within.height
        );
      }),
    pane,
  );
}

/** Whether the steps' boxes lie one under the other in this order, on one column. */
async function topToBottom(page: Page, steps: string[]): Promise<boolean> {
  const boxes = await Promise.all(
    steps.map((step) => page.locator(`.react-flow__node[data-id="${step}"]`).boundingBox()),
  );
  return boxes.every(
    (box, index) =>
      box !== null &&
      (index === 0 ||
        (boxes[index - 1] !== null &&
          box.y >= (boxes[index - 1]?.y ?? 0) + (boxes[index - 1]?.height ?? 0) &&
          Math.abs(box.x - (boxes[index - 1]?.x ?? 0)) < 2)),
  );
}

/** The steps on the canvas that an element matching `selector` covers, even in part. */
async function stepsCoveredBy(page: Page, selector: string): Promise<string[]> {
  const covers = await page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    }),
  );
  const steps = await page.locator('.react-flow__node').evaluateAll((nodes) =>
    nodes.map((node) => {
      const { x, y, width, height } = node.getBoundingClientRect();
      return { id: node.getAttribute('data-id') ?? '', x, y, width, height };
    }),
  );
  return steps
    .filter((a) =>
      covers.some(
        (b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height,
      ),
    )
    .map((step) => step.id);
}

/** Whether a step lies wholly inside the visible canvas. */
async function stepInView(page: Page, step: string): Promise<boolean> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  const box = await page.locator(`.react-flow__node[data-id="${step}"]`).boundingBox();
  if (!pane || !box) return false;
  return (
    box.x >= pane.x &&
    box.y >= pane.y &&
    box.x + box.width <= pane.x + pane.width &&
    box.y + box.height <= pane.y + pane.height
  );
}

/** Whether any two steps on the canvas cover each other. */
async function overlappingNodes(page: Page): Promise<boolean> {
  const boxes = await page.locator('.react-flow__node').evaluateAll((nodes) =>
    nodes.map((node) => {
      const { x, y, width, height } = node.getBoundingClientRect();
      return { x, y, width, height };
    }),
  );
  return boxes.some((a, i) =>
    boxes.some(
      (b, j) =>
        i < j && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height,
    ),
  );
}

const ROUTING = `
workflow:
  name: routing
  steps:
    - name: order
      type: transform
      value: { plan: premium, total: 3 }
    - name: route
      type: switch
      needs: [order]
      value: "{{ steps.order.output.plan }}"
      cases:
        - { name: premium, equals: premium }
        - { name: basic, equals: basic }
    - name: vip
      type: transform
      needs: []
      value: vip
`;

const HOOKED = `
workflow:
  name: hooked
  triggers:
    - type: webhook
      name: github_push
    - type: schedule
      cron: "0 9 * * *"
      timezone: Europe/Paris
  steps:
    - name: note
      type: transform
      value: pushed
`;

/** The hour and minute of an instant on Paris clocks. */
function parisTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/**
 * A workflow with a webhook and a schedule, published as the Publish button does; resolves to the
 * webhook's first secret (shown once, at publish).
 */
let hooked: Promise<string> | undefined;
function publishHooked(): Promise<string> {
  hooked ??= (async () => {
    const { engine } = studio.server;
    await engine.save(HOOKED);
    const published = await publishTriggers(engine.db, engine.client, 'hooked', 'test');
    const secret = published.webhooks[0]?.secret;
    if (!secret) throw new Error('the new webhook came without its secret');
    return secret;
  })();
  return hooked;
}

const FLAKY = `
workflow:
  name: flaky
  tags: [ops]
  steps:
    - name: stamp
      type: transform
      value: stamped
    - name: deliver
      type: transform
      value: "{{ secrets.LATE_KEY }}"
`;

const GATED = `
workflow:
  name: gated
  steps:
    - name: ask
      type: approval
      message: Ship it?
    - name: ship
      type: transform
      value: shipped
`;

describe('the studio', () => {
  it('leads a newcomer from the address `npm start` prints to the styled sign-in page, then to the workflows', async () => {
    const root = await fetch(`${studio.server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(307);
    expect(new URL(root.headers.get('location') ?? '', studio.server.url).pathname).toBe('/signin');
    const health = await fetch(`${studio.server.url}/api/health`);
    expect(health.headers.get('content-type')).toContain('application/json');

    const context = await studio.browser.newContext({ baseURL: studio.server.url });
    try {
      const page = await context.newPage();
      await page.goto('/');
      await page.waitForURL(/\/signin$/);
      await visible(page.getByRole('heading', { name: 'Sign in to Pincer' }));
      // Styled: the form sits on a card (the studio's CSS is loaded here too), not on a bare page.
      const style = await page.locator('.signin-card').evaluate((element) => {
        const computed = (
          globalThis as unknown as { getComputedStyle(of: unknown): Record<string, string> }
        ).getComputedStyle(element);
        return { border: computed.borderTopStyle, radius: computed.borderRadius };
      });
      expect(style).toEqual({ border: 'solid', radius: '10px' });
      expect(await page.locator('body').textContent()).not.toContain('npm run doctor');
      await page.screenshot({ path: path.join(SHOTS, 'signin.png') });

      // The address people guess goes to the same place.
      await page.goto('/login');
      await page.waitForURL(/\/signin$/);

      await page.getByLabel('E-mail').fill('owner@api.test');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/workflows$/);
      // Signed in, the root is the workflows list.
      await page.goto('/');
      await page.waitForURL(/\/workflows$/);
      // The owner finds the dependencies' health under Status.
      await page.getByRole('link', { name: 'Status' }).click();
      await page.waitForURL(/\/status$/);
      await visible(page.getByRole('heading', { name: 'Dependencies' }));
    } finally {
      await context.close();
    }
  });

  it('refuses every tRPC procedure without a session', async () => {
    const procedures = await studioProcedures();
    expect(procedures.length).toBeGreaterThan(20);
    for (const [name, type] of procedures) {
      const url = `${studio.server.url}/api/trpc/${name}`;
      const response =
        type === 'mutation'
          ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
          : await fetch(`${url}?input=${encodeURIComponent('{}')}`, {
              headers: { cookie: 'next-auth.session-token=forged' },
            });
      const body = await response.text();
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(body).toContain('Sign in to the studio first');
    }
    // Pages send people without a session to the sign-in page.
    const page = await fetch(`${studio.server.url}/workflows`, { redirect: 'manual' });
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toContain('/signin');
  });

  it('builds daily_report by drag-and-drop, publishes it, runs it live and shows each step output', async () => {
    const page = owner;
    await visible(page.getByText('No workflows yet'));
    await page.getByLabel('New workflow name').fill('daily_report');
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.waitForURL(/\/workflows\/daily_report$/);
    await visible(page.locator('.react-flow__pane'));

    await addStep(page, { x: 300, y: 80 }, 'fetch_logs', (value) => value.fill('ERROR disk full'));
    await addStep(page, { x: 300, y: 230 }, 'analyze_data', async (value) => {
      // Expression completion offers the upstream step's output once it is connected.
      await connectSteps(page, 'fetch_logs', 'analyze_data');
      await expect.poll(edgeCount(page), WAIT).toBe(1);
      await page.locator('.react-flow__node[data-id="analyze_data"]').click();
      await value.fill('{{');
      await page.getByRole('option', { name: 'steps.fetch_logs.output' }).click();
      await expect.poll(() => value.inputValue(), WAIT).toBe('{{ steps.fetch_logs.output }}');
      await value.fill('{{ $uppercase(steps.fetch_logs.output) }}');
    });
    await addStep(page, { x: 300, y: 380 }, 'send_notification', (value) =>
      value.fill('sent: {{ steps.analyze_data.output }}'),
    );
    // Not connected yet: the compile error shows on the step that reads analyze_data's output.
    const lastStep = page.locator('.step-node[data-step="send_notification"]');
    await expect
      .poll(() => lastStep.locator('.step-node-issue').textContent(), WAIT)
      .toContain('does not run after it');
    await connectSteps(page, 'analyze_data', 'send_notification');
    await expect.poll(edgeCount(page), WAIT).toBe(2);
    await expect.poll(() => page.locator('.step-node-issue').count(), WAIT).toBe(0);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await expect.poll(() => overlappingNodes(page), WAIT).toBe(false);
    // Top to bottom, in the order the steps run, each with its type's icon.
    const chain = ['fetch_logs', 'analyze_data', 'send_notification'];
    await expect.poll(() => topToBottom(page, chain), WAIT).toBe(true);
    for (const step of chain) {
      const node = page.locator(`.step-node[data-step="${step}"]`);
      expect(await node.locator('.node-icon svg path').count()).toBe(1);
      expect(await node.getAttribute('data-category')).toBe('data');
    }
    // Neither the minimap nor the zoom controls cover a step; choosing the lowest step opens the
    // side panel beside it, not over it.
    expect(await stepsCoveredBy(page, '.react-flow__minimap, .react-flow__controls')).toEqual([]);
    await page.locator('.react-flow__node[data-id="send_notification"]').click();
    await visible(page.getByRole('complementary', { name: 'Step settings' }));
    await expect.poll(() => stepInView(page, 'send_notification'), WAIT).toBe(true);
    expect(await stepsCoveredBy(page, '.side-panel, .react-flow__minimap, .react-flow__controls')).toEqual(
      [],
    );
    await page.screenshot({ path: path.join(SHOTS, 'canvas.png') });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    const notice = page.locator('.notice').first();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => notice.textContent(), WAIT).toContain('Draft saved.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => notice.textContent(), WAIT).toContain('Published version 1.');

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('button', { name: 'Start run' }).click();
    for (const step of ['fetch_logs', 'analyze_data', 'send_notification']) {
      await expect
        .poll(() => page.locator(`.step-node[data-step="${step}"]`).getAttribute('data-status'), WAIT)
        .toBe('succeeded');
    }
    await page.screenshot({ path: path.join(SHOTS, 'live-run.png') });

    await page.getByRole('link', { name: 'Open run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
    // The run on its graph: each step's status and how long it took.
    for (const step of chain) {
      const node = page.locator(`.run-graph .step-node[data-step="${step}"]`);
      await expect.poll(() => node.getAttribute('data-status'), WAIT).toBe('succeeded');
      expect(await node.locator('.step-node-duration').textContent()).toMatch(/^\d+(\.\d)? (ms|s)$/);
    }
    await expect
      .poll(() => page.getByTestId('output-fetch_logs').textContent(), WAIT)
      .toContain('ERROR disk full');
    await expect
      .poll(() => page.getByTestId('output-analyze_data').textContent(), WAIT)
      .toContain('ERROR DISK FULL');
    await expect
      .poll(() => page.getByTestId('output-send_notification').textContent(), WAIT)
      .toContain('sent: ERROR DISK FULL');
    // A file a step saved (here the canvas screenshot) is listed on the run page with a preview.
    const runId = page.url().split('/').pop() ?? '';
    await studio.server.engine.artifacts.save({
      runId,
      stepName: 'fetch_logs',
      name: 'canvas.png',
      mediaType: 'image/png',
      data: await readFile(path.join(SHOTS, 'canvas.png')),
    });
    await page.reload();
    const files = page.getByTestId('artifacts');
    await visible(files.getByRole('link', { name: 'canvas.png' }));
    const preview = files.getByRole('img', { name: 'canvas.png from fetch_logs' });
    await expect
      .poll(async () => Number(await preview.evaluate((image) => Reflect.get(image, 'naturalWidth'))), WAIT)
      .toBeGreaterThan(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'run-detail.png'), fullPage: true });
  }, 240_000);

  it('applies YAML tab edits to the canvas', async () => {
    const page = owner;
    await page.goto('/workflows/daily_report');
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    await appendArchiveInYaml(page);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await visible(page.locator('.react-flow__node[data-id="archive"]'));
    await expect.poll(edgeCount(page), WAIT).toBe(3);
  }, 240_000);

  it('refuses a connection that would make a cycle', async () => {
    const page = owner;
    const edges = await edgeCount(page)();
    await gesture(
      () => connect(page, 'send_notification', 'fetch_logs'),
      () => page.getByText(/would make a cycle/).count(),
    );
    expect(await edgeCount(page)()).toBe(edges);
  }, 240_000);

  it('lets a viewer watch but not edit', async () => {
    const { page, context } = await studio.signIn('viewer');
    await page.goto('/workflows/daily_report');
    await visible(page.locator('.react-flow__node[data-id="fetch_logs"]'));
    await visible(page.getByText('read-only (viewer)'));
    expect(await page.getByRole('complementary', { name: 'Palette' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    // The server refuses it too, whatever the page shows.
    const attempt = await page.request.post('/api/trpc/workflows.publish', {
      data: { json: { name: 'daily_report' } },
    });
    expect(attempt.status()).toBe(403);
    expect(await attempt.text()).toContain('needs editor');
    await context.close();
  }, 240_000);

  it('asks for an approval on the run page and carries on once approved', async () => {
    await studio.server.engine.save(GATED);
    const runId = await studio.server.engine.start('gated');
    const page = owner;
    await page.goto(`/runs/${runId}`);
    const ask = page.locator('.step-row[data-step="ask"]');
    await expect.poll(() => ask.getAttribute('data-status'), WAIT).toBe('waiting_approval');
    await ask.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.locator('.step-row[data-step="ship"]').getAttribute('data-status'), WAIT)
      .toBe('succeeded');
    await expect.poll(() => page.getByTestId('output-ship').textContent(), WAIT).toContain('shipped');

    // The audit log says who changed, published, ran and approved what.
    await page.goto('/audit');
    const rows = page.locator('tbody tr');
    await visible(rows);
    const owned = (await rows.allTextContents()).filter((row) => row.includes('owner@api.test'));
    for (const action of [
      'workflow.draft_saved',
      'workflow.version.created',
      'run.started',
      'approval.approved',
    ])
      expect(owned.some((row) => row.includes(action))).toBe(true);
    await page.getByLabel('Action').fill('approval.');
    await expect
      .poll(() => rows.allTextContents(), WAIT)
      .toEqual([expect.stringContaining('approval.approved')]);
  }, 240_000);

  it('lets only the approvers a step names decide it, in the studio as over the API', async () => {
    await studio.server.engine.save(
      GATED.replace('name: gated', 'name: gated_named').replace(
        'message: Ship it?',
        'message: Ship it?\n      approvers: [finance@api.test]',
      ),
    );
    const runId = await studio.server.engine.start('gated_named');
    await expect
      .poll(
        async () =>
          (await studio.server.engine.db.stepRun.findFirst({ where: { runId, stepName: 'ask' } }))?.status,
        WAIT,
      )
      .toBe('waiting_approval');
    const refused = await owner.request.post('/api/trpc/runs.decide', {
      data: { json: { id: runId, step: 'ask', approved: true } },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('may only be approved by finance@api.test');
    const step = await studio.server.engine.db.stepRun.findFirst({ where: { runId, stepName: 'ask' } });
    expect(step?.status).toBe('waiting_approval');
  }, 240_000);

  it('follows runs on a phone-width screen', async () => {
    const { page, context } = await studio.signIn('viewer', { width: 390, height: 844 });
    await page.goto('/runs');
    await visible(page.getByRole('link', { name: /^[0-9a-f]{8}$/ }));
    await page
      .getByRole('link', { name: /^[0-9a-f]{8}$/ })
      .first()
      .click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
    await visible(page.locator('.step-row'));
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'run-phone.png'), fullPage: true });
    // A run that does not exist is an error that says so, not an endless spinner.
    await page.goto('/runs/00000000-0000-4000-8000-000000000000');
    await expect
      .poll(() => page.locator('.state.error').textContent(), WAIT)
      .toMatch(/Something went wrong\.\s+No run/);
    await context.close();
  }, 240_000);

  it('undoes and redoes a change on the canvas', async () => {
    const page = owner;
    await page.goto('/workflows/daily_report');
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    await dropTransform(page, { x: 600, y: 120 });
    await expect.poll(nodeCount(page), WAIT).toBe(4);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(nodeCount(page), WAIT).toBe(4);
    // The keyboard does the same once the canvas has the focus.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    // Copy and paste a step (it gets a free name), then delete the copy.
    await page.locator('.react-flow__node[data-id="fetch_logs"]').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await visible(page.locator('.react-flow__node[data-id="fetch_logs_2"]'));
    expect(await nodeCount(page)()).toBe(4);
    await page.keyboard.press('Delete');
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    expect(await page.locator('.react-flow__node[data-id="fetch_logs_2"]').count()).toBe(0);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.locator('.notice').first().textContent(), WAIT).toContain('Draft saved.');

    // The minimap draws every step; zoom-to-fit brings them all back into view after zooming in.
    await expect.poll(() => page.locator('.react-flow__minimap-node').count(), WAIT).toBe(3);
    const zoomIn = page.getByRole('button', { name: 'Zoom In' });
    for (let i = 0; i < 10 && (await zoomIn.isEnabled()); i++) await zoomIn.click();
    await expect.poll(() => allStepsInView(page), WAIT).toBe(false);
    await page.getByRole('button', { name: 'Fit View' }).click();
    await expect.poll(() => allStepsInView(page), WAIT).toBe(true);
  }, 240_000);

  it('diffs two published versions and rolls back to the first', async () => {
    const page = owner;
    await page.goto('/workflows/daily_report');
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    await appendArchiveInYaml(page);
    const notice = page.locator('.notice').first();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => notice.textContent(), WAIT).toContain('Draft saved.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => notice.textContent(), WAIT).toContain('Published version 2.');

    await page.getByRole('tab', { name: 'Versions' }).click();
    const diff = page.locator('.versions .diff');
    // The added step shows as added lines (its neighbours may move: their positions change too).
    await expect
      .poll(async () => (await diff.locator('.added').allTextContents()).join('\n'), WAIT)
      .toMatch(/\+\s+- name: archive/);
    expect((await diff.locator('.removed').allTextContents()).join('\n')).not.toContain('name:');
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await visible(page.getByRole('cell', { name: 'v3', exact: true }));
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await expect.poll(nodeCount(page), WAIT).toBe(3);
    expect(await page.locator('.react-flow__node[data-id="archive"]').count()).toBe(0);
    // v3 is v1 again: runs started now have no archive step.
    const published = await studio.server.engine.db.workflowVersion.findMany({
      where: { workflow: { name: 'daily_report' } },
      orderBy: { version: 'asc' },
    });
    expect(published.map((version) => version.version)).toEqual([1, 2, 3]);
    expect(published[2]?.checksum).toBe(published[0]?.checksum);
  }, 240_000);

  it("draws a switch's cases as ports, connects one and writes it to the YAML", async () => {
    const { engine } = studio.server;
    await engine.save(ROUTING);
    // A run gives the studio the shape of each step's output for completion.
    expect((await engine.run('routing')).status).toBe('succeeded');
    const page = owner;
    await page.goto('/workflows/routing');
    const route = page.locator('.react-flow__node[data-id="route"]');
    for (const port of ['premium', 'basic', 'default'])
      await visible(route.locator(`.react-flow__handle[data-handleid="${port}"]`));
    await expect.poll(edgeCount(page), WAIT).toBe(1);
    await connectSteps(page, 'route', 'vip', 'premium');
    await expect.poll(edgeCount(page), WAIT).toBe(2);
    await page.getByRole('tab', { name: 'YAML' }).click();
    await expect
      .poll(() => page.getByLabel('Workflow YAML').inputValue(), WAIT)
      .toMatch(/name: vip\n\s+type: transform\n\s+needs:\s*(\[\s*|\n\s*- )route\.premium\b/);
    await page.getByRole('tab', { name: 'Canvas' }).click();

    // Completion offers the fields the upstream step's output had, inside the path being typed.
    await route.click();
    const value = page
      .getByRole('complementary', { name: 'Step settings' })
      .locator('input[name="config.value"]');
    await value.fill('{{ steps.order.output.');
    const completions = page.getByRole('listbox', { name: 'Expression completions' });
    await expect
      .poll(() => completions.getByRole('option').allTextContents(), WAIT)
      .toEqual(['steps.order.output.plan', 'steps.order.output.total']);
    await completions.getByRole('option', { name: 'steps.order.output.total' }).click();
    await expect.poll(() => value.inputValue(), WAIT).toBe('{{ steps.order.output.total }}');
  }, 240_000);

  it('shows cron schedules with their time zone and next 5 fire times', async () => {
    await publishHooked();
    const page = owner;
    await page.goto('/schedules');
    const row = page.locator('tr[data-schedule="hooked"]');
    await visible(row.getByText('Europe/Paris'));
    await expect.poll(() => row.locator('time').count(), WAIT).toBe(5);
    const times = await row
      .locator('time')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
    expect(times.map(parisTime)).toEqual(['09:00', '09:00', '09:00', '09:00', '09:00']);
    const instants = times.map((time) => Date.parse(time));
    expect(instants[0]).toBeGreaterThan(Date.now());
    expect(instants.every((instant, i) => i === 0 || instant > (instants[i - 1] ?? 0))).toBe(true);
  }, 240_000);

  it('keeps credentials write-only: a saved value is never shown again', async () => {
    const page = owner;
    const value = 'hunter2-do-not-show';
    await page.goto('/credentials');
    await visible(page.getByText('No credentials yet'));
    await page.getByLabel('Credential name').fill('DEPLOY_KEY');
    await page.getByLabel('Credential value').fill(value);
    await page.getByRole('button', { name: 'Save credential' }).click();
    await visible(page.getByRole('cell', { name: 'DEPLOY_KEY' }));
    expect(await page.getByLabel('Credential value').inputValue()).toBe('');
    await page.reload();
    await visible(page.getByRole('cell', { name: 'DEPLOY_KEY' }));
    await visible(page.getByText('(write-only)'));
    expect(await page.content()).not.toContain(value);
    const listed = await page.request.get('/api/trpc/credentials.list');
    expect(listed.status()).toBe(200);
    expect(await listed.text()).not.toContain(value);
  }, 240_000);

  it('filters runs, and re-runs a failed run from its failed step keeping the earlier outputs', async () => {
    const { engine } = studio.server;
    await engine.save(FLAKY);
    const failed = await engine.run('flaky');
    expect(failed.status).toBe('failed');
    const page = owner;
    await page.goto('/runs');
    const rows = page.locator('tbody tr');
    await visible(rows);
    await page.getByLabel('Workflow').selectOption('flaky');
    await page.getByLabel('Status').selectOption('failed');
    await expect.poll(() => rows.allTextContents(), WAIT).toEqual([expect.stringContaining('flaky')]);
    await page.getByLabel('Trigger').selectOption('schedule');
    await visible(page.getByText('No runs here'));
    await page.getByLabel('Trigger').selectOption('');
    await rows.getByRole('link', { name: failed.id.slice(-8) }).click();
    await page.waitForURL(new RegExp(`/runs/${failed.id}$`));

    // The cause is fixed (the credential exists now): run again from the failed step.
    await setCredential(engine.db, engine.secretKey, { name: 'LATE_KEY', value: 'late', actor: 'test' });
    await page.getByRole('button', { name: 'Re-run from deliver' }).click();
    await page.waitForURL(
      (url) => /\/runs\/[0-9a-f-]+$/.test(url.pathname) && !url.pathname.endsWith(failed.id),
    );
    await expect
      .poll(() => page.locator('.step-row[data-step="deliver"]').getAttribute('data-status'), WAIT)
      .toBe('succeeded');
    const stamp = page.locator('.step-row[data-step="stamp"]');
    expect(await stamp.getAttribute('data-status')).toBe('succeeded');
    expect(await stamp.locator('.step-io').textContent()).toContain(`"kept_from_run": "${failed.id}"`);
    await expect.poll(() => page.getByTestId('output-stamp').textContent(), WAIT).toContain('stamped');

    // The time filter: the failed run, moved two days back, drops out of the last 24 hours.
    await engine.db.run.update({
      where: { id: failed.id },
      data: { createdAt: new Date(Date.now() - 2 * 86_400_000) },
    });
    await page.goto('/runs');
    await visible(rows);
    await page.getByLabel('Workflow').selectOption('flaky');
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    await page.getByLabel('Time').selectOption('24h');
    await expect.poll(() => rows.allTextContents(), WAIT).toEqual([expect.stringContaining('succeeded')]);

    // The workflows list finds it by search and by tag, with its last run's status.
    await page.goto('/workflows');
    await visible(rows);
    await page.getByLabel('Search workflows').fill('flak');
    await expect
      .poll(() => rows.allTextContents(), WAIT)
      .toEqual([expect.stringMatching(/^flaky.*ops.*succeeded/)]);
    await page.getByLabel('Search workflows').fill('');
    await page.getByLabel('Tag').selectOption('ops');
    await expect.poll(() => rows.allTextContents(), WAIT).toEqual([expect.stringMatching(/^flaky/)]);
  }, 240_000);

  it('gathers triggers, channels and pairings on one page; a viewer only reads it', async () => {
    const firstSecret = await publishHooked();
    const { engine } = studio.server;
    await requestPairing(engine.db, { platform: 'telegram', userId: '4242', chatId: '4242', name: 'Ada' });

    const { page: viewer, context } = await studio.signIn('viewer');
    await viewer.goto('/triggers');
    await visible(viewer.getByLabel('Webhook URL of hooked github_push'));
    // Pairing codes approve people: a viewer sees neither them nor who asked (issue 13, finding 13).
    await visible(viewer.getByText('Pairings and their codes are shown to owners'));
    expect(await viewer.locator('tr[data-pairing]').count()).toBe(0);
    const codes = await viewer.request.get(
      `/api/trpc/channels.pairings?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
    );
    expect(codes.status()).toBe(403);
    expect(await viewer.getByRole('button', { name: /Rotate secret|Pause|Approve|Reject/ }).count()).toBe(0);
    const refused = await viewer.request.post('/api/trpc/channels.decidePairing', {
      data: { json: { code: 'ABC', approved: true } },
    });
    expect(refused.status()).toBe(403);
    // The gateway is not started yet: the page says so and how to start it.
    await visible(viewer.getByText(/The gateway is not reachable at .*it starts with `npm start`/));
    await context.close();
    await studio.startGateway();

    const page = owner;
    await page.goto('/triggers');
    // The webhook's URL, and a new secret shown once that the webhook then accepts.
    const url = await page.getByLabel('Webhook URL of hooked github_push').inputValue();
    expect(url).toMatch(new RegExp(`^${studio.server.url}/api/v1/hooks/[0-9a-f-]{36}$`));
    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .locator('tr[data-webhook="github_push"]')
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const secret = (await page.getByTestId('new-secret').locator('code').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);
    const hook = await fetch(url, { method: 'POST', headers: { 'x-pincer-secret': secret } });
    expect(hook.status).toBe(202);
    for (const stale of [firstSecret, 'guess']) {
      const refusedHook = await fetch(url, { method: 'POST', headers: { 'x-pincer-secret': stale } });
      expect(refusedHook.status).toBe(404);
    }

    // Schedules pause and resume from here too.
    const schedule = page.locator('tr[data-schedule="hooked"]');
    await schedule.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => schedule.getByTestId('schedule-state').textContent(), WAIT).toBe('paused');
    await schedule.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => schedule.getByTestId('schedule-state').textContent(), WAIT).toBe('active');

    // The channel's live state comes from the gateway: Telegram refused the token.
    const channel = page.locator('tr[data-channel="telegram"]');
    await expect
      .poll(() => channel.getByTestId('channel-state').getAttribute('data-state'), WAIT)
      .toBe('refused');
    expect(await channel.getByTestId('channel-error').textContent()).toContain('refused the bot token');

    // An owner approves the pairing; the sender may talk to the assistant from now on.
    await page
      .locator('tr[data-pairing]')
      .filter({ hasText: 'Ada' })
      .getByRole('button', { name: 'Approve' })
      .click();
    await visible(page.getByText('Nobody is waiting.'));
    const pairing = await engine.db.chatPairing.findFirst({ where: { userId: '4242' } });
    expect(pairing?.status).toBe('approved');
    await page.reload();
    await visible(page.getByLabel('Webhook URL of hooked github_push'));
    expect(await page.content()).not.toContain(secret);
  }, 240_000);

  it('teaches how to add a chat channel when none is configured', async () => {
    const bare = await studio.startBare('viewer');
    try {
      await bare.page.goto('/triggers');
      await visible(bare.page.getByText('No chat channels'));
      await visible(bare.page.getByText(/Add a channel\s+to pincer\.yaml/));
      expect(await bare.page.locator('tr[data-channel]').count()).toBe(0);
    } finally {
      await bare.stop();
    }
  }, 240_000);
});
