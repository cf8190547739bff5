// npm run bench:studio — how the studio's canvas copes with big workflows, against the same page
// with a one-step workflow measured in the same run: time until the canvas is drawn and answers,
// and frame times while panning and dragging a step (requestAnimationFrame deltas in Chromium).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, hashPassword, migrateDatabase } from '@pincer/db';
import {
  chromiumStep,
  consoleReporter,
  embeddedPostgresStep,
  findChromium,
  freePort,
  provision,
  startEmbeddedPostgres,
  stopGroup,
} from '@pincer/provision';
import { chromium, type Page } from 'playwright-core';
import { writeBenchResults, writeDocsSection } from '../lib/output.ts';
import { machine } from '../startup/report.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const SIZES = [1, 50, 300];
const REPEATS = 3;
const PASSWORD = 'bench password 123';

interface Sample {
  readyMs: number;
  pan: FrameStats;
  drag: FrameStats;
}

interface FrameStats {
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const median = (values: number[]) => quantile(values, 0.5);

/** A chain of `size` transform steps without positions: the canvas lays it out itself, as after an import. */
function definition(size: number) {
  return {
    name: `bench_${size}`,
    steps: Array.from({ length: size }, (_, index) => ({
      name: `step_${index + 1}`,
      type: 'transform',
      value: index === 0 ? 'start' : `{{ steps.step_${index}.output }}`,
    })),
  };
}

async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/api/v1/openapi.json`, { signal: AbortSignal.timeout(5000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('the studio did not start');
}

/** Frame-to-frame times while `act` runs. */
async function frameTimes(page: Page, act: () => Promise<void>): Promise<FrameStats> {
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => { window.__frames.push(now - last); last = now; if (window.__recording) requestAnimationFrame(tick); };
    window.__recording = true;
    requestAnimationFrame(tick);
  })()`);
  await act();
  const raw: unknown = await page.evaluate(
    '(() => { window.__recording = false; return window.__frames; })()',
  );
  const frames = Array.isArray(raw) ? raw.map(Number).slice(1) : [];
  return {
    frames: frames.length,
    medianMs: median(frames),
    p95Ms: quantile(frames, 0.95),
    maxMs: Math.max(0, ...frames),
  };
}

async function measure(page: Page, size: number): Promise<Sample> {
  await page.goto(`/workflows/bench_${size}`);
  await page.waitForFunction(`document.querySelectorAll('.react-flow__node').length >= ${size}`, undefined, {
    polling: 'raf',
    timeout: 120_000,
  });
  // Ready: every step drawn and the main thread free for the next frame, in ms since navigation start.
  const readyMs = Number(
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(performance.now())))'),
  );
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas');
  const pan = await frameTimes(page, async () => {
    await page.mouse.move(pane.x + 20, pane.y + pane.height - 20);
    await page.mouse.down();
    await page.mouse.move(pane.x + 220, pane.y + pane.height - 220, { steps: 40 });
    await page.mouse.up();
  });
  const node = await page.locator('.react-flow__node').first().boundingBox();
  if (!node) throw new Error('no node');
  const drag = await frameTimes(page, async () => {
    await page.mouse.move(node.x + node.width / 2, node.y + 10);
    await page.mouse.down();
    await page.mouse.move(node.x + node.width / 2 + 150, node.y + 90, { steps: 40 });
    await page.mouse.up();
  });
  return { readyMs, pan, drag };
}

async function main(): Promise<void> {
  const started = machine();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-bench-studio-'));
  await chmod(scratch, 0o711);
  const pgDir = path.join(scratch, 'postgres');
  const pgPort = await freePort();
  await provision([embeddedPostgresStep({ dir: pgDir, port: pgPort }), chromiumStep()], consoleReporter());
  const postgres = await startEmbeddedPostgres({ dir: pgDir, port: pgPort });
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'apps/web/src/server.ts'], {
    cwd: repoRoot,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PINCER_PORT: String(port),
      PINCER_DATA_DIR: path.join(scratch, 'data'),
      PINCER_LOG_LEVEL: 'warn',
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      PINCER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    },
  });
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    await migrateDatabase(postgres.url);
    const db = createDb(postgres.url);
    await db.user.create({
      data: { email: 'bench@pincer.local', role: 'owner', passwordHash: await hashPassword(PASSWORD) },
    });
    for (const size of SIZES)
      await db.workflow.create({ data: { name: `bench_${size}`, definition: definition(size) } });
    await db.$disconnect();
    const url = `http://127.0.0.1:${port}`;
    await waitForServer(url);
    const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(120_000);
    const page = await context.newPage();
    await page.goto('/signin');
    await page.getByLabel('E-mail').fill('bench@pincer.local');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/workflows$/);
    await measure(page, 1); // warm-up: compiles nothing, but fills caches and the JIT
    const samples: Record<number, Sample[]> = Object.fromEntries(SIZES.map((size) => [size, []]));
    for (let round = 0; round < REPEATS; round += 1)
      for (const size of SIZES) samples[size]?.push(await measure(page, size));
    const summary = SIZES.map((size) => {
      const runs = samples[size] ?? [];
      return {
        steps: size,
        readyMs: median(runs.map((run) => run.readyMs)),
        panMedianMs: median(runs.map((run) => run.pan.medianMs)),
        panP95Ms: median(runs.map((run) => run.pan.p95Ms)),
        dragMedianMs: median(runs.map((run) => run.drag.medianMs)),
        dragP95Ms: median(runs.map((run) => run.drag.p95Ms)),
      };
    });
    const baseline = summary[0];
    if (!baseline) throw new Error('no baseline');
    const results = {
      machine: { ...started, loadAverage: { ...started.loadAverage, end: os.loadavg()[0] } },
      date: new Date().toISOString(),
      notes: [
        'baseline: the same canvas page with a one-step workflow, measured in the same run.',
        'ready: navigation start until every step is in the DOM and the next animation frame ran (includes the session check, the tRPC queries, dagre layout and React Flow render).',
        'frame times: requestAnimationFrame deltas while the mouse pans the pane (40 moves) and drags a step (40 moves); 60 Hz is 16.7 ms.',
      ],
      samples,
      summary,
    };
    await writeBenchResults('studio', results);
    const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '–');
    const rows = summary.map(
      (row) =>
        `| ${row.steps} | ${row.readyMs.toFixed(0)} ms (${ratio(row.readyMs, baseline.readyMs)}) | ${row.panMedianMs.toFixed(1)} / ${row.panP95Ms.toFixed(1)} ms | ${row.dragMedianMs.toFixed(1)} / ${row.dragP95Ms.toFixed(1)} ms |`,
    );
    const table = [
      '| steps | canvas ready (vs 1 step) | pan frame median / p95 | drag frame median / p95 |',
      '| ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n');
    console.log(table);
    await writeDocsSection(
      'studio',
      `<!-- bench:studio:start -->
## Studio canvas

\`npm run bench:studio\` (\`bench/studio/\`) serves the built studio on an embedded PostgreSQL and opens
workflows of ${SIZES.join(', ')} chained transform steps (no saved positions, so the canvas lays
them out) in headless Chromium at 1280×800, ${REPEATS} rounds, medians shown. **Baseline**: the same
page with the 1-step workflow. *Canvas ready* is navigation start until every step is drawn and the
next frame ran; frame times are requestAnimationFrame deltas while panning and dragging a step
(16.7 ms = 60 fps; headless Chromium without a GPU).

Measured ${results.date} on ${started.cpus} × ${started.model}, Node ${started.node} (load average ${started.loadAverage.start} → ${results.machine.loadAverage.end?.toFixed(1)}). Raw numbers: [bench/results/studio.json](../bench/results/studio.json).

${table}
<!-- bench:studio:end -->`,
    );
  } finally {
    await browser.close();
    if (server.pid) await stopGroup(server.pid, 'SIGTERM', 5000).catch(() => undefined);
    await postgres.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
