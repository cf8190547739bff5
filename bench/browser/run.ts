/**
 * bench/browser: what Pincer's browser automation costs over driving Chromium with bare
 * playwright-core, in the same run, on the same Chromium process and the same local pages.
 *
 * - per-step overhead: from "a step starts" to its first action done. Pincer: the pool hands out
 *   a browser, AutomationSession.start (fresh context, the network policy on every request, a
 *   page) and a navigate action (validated, policy-checked). Bare: browser.newContext(),
 *   newPage(), page.goto(). Both close their context afterwards (not timed).
 * - actions/s: a script of fill / click / extract_text / wait_for_selector on a loaded page.
 *   Pincer: the actions through AutomationSession (schema, retries wrapper, history); bare: the
 *   same calls on the page.
 *
 * Rounds alternate Pincer and bare so drift on a shared machine hits both alike.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { AutomationSession, BrowserPool, launchChromium } from '@pincer/browser';
import { findChromium } from '@pincer/provision';
import type { Browser, Page } from 'playwright-core';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';

const ROUNDS = Number(process.argv[2] ?? 30);
const ACTIONS_PER_SCRIPT = 40;

const PAGE = `<!doctype html><html><head><title>Bench</title></head><body>
<input id="name"><input id="email"><button id="go" onclick="document.getElementById('out').textContent = document.getElementById('name').value">go</button>
<p id="out"></p><ul>${Array.from({ length: 20 }, (_, i) => `<li class="row">row ${i}</li>`).join('')}</ul>
<link rel="stylesheet" href="/style.css"><script src="/app.js"></script></body></html>`;

function startSite(): Promise<{ base: string; close(): void }> {
  const server = createServer((request, response) => {
    if (request.url === '/style.css')
      return response.writeHead(200, { 'content-type': 'text/css' }).end('p{color:#333}');
    if (request.url === '/app.js')
      return response.writeHead(200, { 'content-type': 'text/javascript' }).end('window.ready=1');
    response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p90: at(0.9), min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

/** One script's actions, as Pincer actions and as the same bare playwright calls. */
async function pincerScript(s: AutomationSession): Promise<void> {
  for (let i = 0; i < ACTIONS_PER_SCRIPT / 4; i++) {
    await s.perform({ action: 'fill', selector: '#name', value: `name ${i}` });
    await s.perform({ action: 'click', selector: '#go' });
    await s.perform({ action: 'wait_for_selector', selector: '#out' });
    await s.perform({ action: 'extract_text', selector: '#out', as: 'out' });
  }
}

async function bareScript(page: Page): Promise<void> {
  for (let i = 0; i < ACTIONS_PER_SCRIPT / 4; i++) {
    await page.locator('#name').fill(`name ${i}`);
    await page.locator('#go').click();
    await page.locator('#out').first().waitFor({ state: 'visible' });
    // biome-ignore lint/performance/useDomNodeTextContent: what extract_text reads, for a like-for-like baseline.
    await page.locator('#out').first().innerText();
  }
}

async function main() {
  const chromium = findChromium();
  if (!chromium) throw new Error('no Chromium: apt-get install -y chromium, or set browser.executablePath');
  const site = await startSite();
  const pool = new BrowserPool({ size: 1, maxConcurrent: 1 });
  const launchStarted = performance.now();
  await pool.warm();
  const launchMs = performance.now() - launchStarted;
  // The bare baseline drives its own Chromium, launched the same way, so neither shares a cache.
  const bareBrowser: Browser = await launchChromium();
  const url = `${site.base}/`;
  const samples = {
    pincerStep: [] as number[],
    bareStep: [] as number[],
    pincerActions: [] as number[],
    bareActions: [] as number[],
  };
  const loadStart = os.loadavg()[0] ?? 0;

  const pincerRound = async () => {
    const t0 = performance.now();
    const { browser, release } = await pool.acquire();
    const s = await AutomationSession.start({ browser, allowPrivateHosts: ['127.0.0.1'] });
    await s.perform({ action: 'navigate', url });
    samples.pincerStep.push(performance.now() - t0);
    const t1 = performance.now();
    await pincerScript(s);
    samples.pincerActions.push((ACTIONS_PER_SCRIPT * 1000) / (performance.now() - t1));
    await s.close();
    release();
  };
  const bareRound = async () => {
    const t0 = performance.now();
    const context = await bareBrowser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    await page.goto(url);
    samples.bareStep.push(performance.now() - t0);
    const t1 = performance.now();
    await bareScript(page);
    samples.bareActions.push((ACTIONS_PER_SCRIPT * 1000) / (performance.now() - t1));
    await context.close();
  };

  // Warm-up, not recorded.
  await pincerRound();
  await bareRound();
  for (const key of Object.keys(samples) as (keyof typeof samples)[]) samples[key].length = 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      await pincerRound();
      await bareRound();
    } else {
      await bareRound();
      await pincerRound();
    }
    process.stdout.write(`\r  round ${round + 1}/${ROUNDS}`);
  }
  process.stdout.write('\n');
  await pool.close();
  await bareBrowser.close();
  site.close();

  const step = { pincer: stats(samples.pincerStep), bare: stats(samples.bareStep) };
  const actions = { pincer: stats(samples.pincerActions), bare: stats(samples.bareActions) };
  const ratios = {
    stepOverhead: step.pincer.median / step.bare.median,
    stepOverheadMs: step.pincer.median - step.bare.median,
    actionsPerSecond: actions.pincer.median / actions.bare.median,
  };
  const cpus = os.cpus();
  const machine = {
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    loadAverage: { start: Number(loadStart.toFixed(1)), end: Number((os.loadavg()[0] ?? 0).toFixed(1)) },
  };
  const results = {
    measuredAt: new Date().toISOString(),
    machine,
    chromium,
    rounds: ROUNDS,
    actionsPerScript: ACTIONS_PER_SCRIPT,
    launchMs,
    stepMs: step,
    actionsPerSecond: actions,
    ratios,
  };
  const f = (n: number) => n.toFixed(1);
  console.log(`\n  Chromium launch (pool warm-up): ${f(launchMs)} ms`);
  console.log('  step start → first action done (median / p90 ms)');
  console.log(
    `    Pincer ${f(step.pincer.median)} / ${f(step.pincer.p90)}   bare playwright-core ${f(step.bare.median)} / ${f(step.bare.p90)}`,
  );
  console.log(`    ratio ${ratios.stepOverhead.toFixed(2)}× (+${f(ratios.stepOverheadMs)} ms)`);
  console.log('  actions/s (median / p90 of rounds)');
  console.log(
    `    Pincer ${f(actions.pincer.median)} / ${f(actions.pincer.p90)}   bare ${f(actions.bare.median)} / ${f(actions.bare.p90)}`,
  );
  console.log(`    ratio ${ratios.actionsPerSecond.toFixed(2)}× of bare`);
  const file = await writeBenchResults('browser', results);
  console.log(`  wrote ${file}`);

  const { start, end } = docsMarks('browser');
  const section = `${start}
## Browser automation

\`npm run bench:browser\` (\`bench/browser/\`, about a minute) drives a local page served by the
benchmark on 127.0.0.1, ${ROUNDS} rounds alternating Pincer and bare \`playwright-core\` (each on its
own Chromium, launched the same way; one warm-up round each not counted).

- **step start → first action**: Pincer takes a browser from its pool, \`AutomationSession.start\`
  (its guard proxy, a fresh context sending everything through it, the network policy routing
  every request, a page) and runs \`navigate\` (schema check, the policy's address check of each
  request, then the proxy's at connect time). Bare: \`browser.newContext()\`, \`newPage()\`,
  \`page.goto()\`. The context is closed after each round (not timed).
- **actions/s**: ${ACTIONS_PER_SCRIPT} actions on the loaded page (fill, click, wait_for_selector,
  extract_text, repeated) through \`AutomationSession\` vs the same locator calls on a bare page.

Measured ${results.measuredAt} on ${machine.cpus}, ${machine.memoryGb} GB, Node ${machine.node}
(load average ${machine.loadAverage.start} → ${machine.loadAverage.end}; shared machine), ${chromium}.
Raw numbers: [bench/results/browser.json](../bench/results/browser.json).

|  | Pincer median | Pincer p90 | bare median | bare p90 | ratio (medians) |
| --- | ---: | ---: | ---: | ---: | ---: |
| step start → first action done | ${f(step.pincer.median)} ms | ${f(step.pincer.p90)} ms | ${f(step.bare.median)} ms | ${f(step.bare.p90)} ms | ${ratios.stepOverhead.toFixed(2)}× (+${f(ratios.stepOverheadMs)} ms) |
| actions per second | ${f(actions.pincer.median)} | ${f(actions.pincer.p90)} | ${f(actions.bare.median)} | ${f(actions.bare.p90)} | ${ratios.actionsPerSecond.toFixed(2)}× |

Chromium launch (once per worker, when the pool warms up): ${f(launchMs)} ms.
${end}`;
  await writeDocsSection('browser', section);
  console.log('  rewrote the browser section of docs/benchmarks.md');
}

await main();
