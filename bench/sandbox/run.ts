// npm run bench:sandbox — per-run latency of `python3 -c 'print(1)'` through Pincer's sandbox
// (warm pool, all limits on) against the raw `podman run` CLI and raw dockerode
// create→start→wait→remove on the same image and engine, in one run; then runs/s at concurrency 4.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@pincer/config';
import {
  connectEngine,
  createSandboxService,
  defaultImage,
  imageExists,
  podmanEnv,
  podmanPaths,
  type SandboxService,
} from '@pincer/sandbox';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const PLAN = { warmup: 3, sequential: 30, concurrent: 40, concurrency: 4 };
const CODE = "python3 -c 'print(1)'";

const config = loadConfig({ cwd: repoRoot, env: {} });
const podmanDir = path.join(config.cacheDir, 'podman');
const image = config.sandbox.image ?? defaultImage();

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function timed(task: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

async function sequential(label: string, task: () => Promise<void>): Promise<number[]> {
  for (let index = 0; index < PLAN.warmup; index++) await task();
  const samples: number[] = [];
  for (let index = 0; index < PLAN.sequential; index++) samples.push(await timed(task));
  const summary = stats(samples);
  console.log(`${label.padEnd(34)} p50 ${summary.p50.toFixed(0)} ms · p95 ${summary.p95.toFixed(0)} ms`);
  return samples;
}

async function throughput(label: string, task: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < PLAN.concurrent) {
      next++;
      await task();
    }
  };
  await Promise.all(Array.from({ length: PLAN.concurrency }, lane));
  const perSecond = PLAN.concurrent / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(34)} ${perSecond.toFixed(2)} runs/s at concurrency ${PLAN.concurrency}`);
  return perSecond;
}

const engine = await connectEngine({ podmanDir, env: {} });
const workDir = await mkdtemp(path.join(os.tmpdir(), 'pincer-bench-sandbox-'));
let sandbox: SandboxService | undefined;
try {
  if (!(await imageExists(engine.docker, image))) {
    throw new Error(`${image} is not built: run \`node apps/cli/bin/pincer.mjs sandbox build-image\` first`);
  }
  sandbox = createSandboxService({ podmanDir, workDir, settings: config.sandbox, engine });
  const service = sandbox;
  const pincer = async () => {
    const result = await service.run({
      runId: 'bench',
      stepName: 'print',
      interpreter: ['/bin/sh'],
      code: CODE,
      timeoutMs: 60_000,
    });
    if (result.stdout !== '1\n') throw new Error(`unexpected output ${JSON.stringify(result)}`);
  };
  const env = podmanEnv(podmanPaths(podmanDir));
  const cli = async () => {
    const { stdout } = await run(
      'podman',
      ['run', '--rm', '--network', 'none', '--user', '1000:1000', image, 'python3', '-c', 'print(1)'],
      { env },
    );
    if (stdout !== '1\n') throw new Error(`unexpected output ${stdout}`);
  };
  const dockerode = async () => {
    const container = await engine.docker.createContainer({
      Image: image,
      User: '1000:1000',
      Cmd: ['python3', '-c', 'print(1)'],
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    await container.wait();
    await container.remove({ force: true });
  };

  const loadBefore = os.loadavg()[0] ?? 0;
  console.log(`Sandbox latency, ${PLAN.sequential} runs each after ${PLAN.warmup} warm-up runs (${image})`);
  const latency = {
    pincer: await sequential('Pincer sandbox (warm pool)', pincer),
    podmanCli: await sequential('raw `podman run --rm` CLI', cli),
    dockerode: await sequential('raw dockerode create→start→wait→rm', dockerode),
  };
  await service.settle();
  const perSecond = {
    pincer: await throughput('Pincer sandbox', pincer),
    podmanCli: await throughput('raw `podman run --rm` CLI', cli),
  };
  const loadAfter = os.loadavg()[0] ?? 0;
  const summary = {
    pincer: stats(latency.pincer),
    podmanCli: stats(latency.podmanCli),
    dockerode: stats(latency.dockerode),
  };
  const ratios = {
    p50VsPodmanCli: summary.pincer.p50 / summary.podmanCli.p50,
    p95VsPodmanCli: summary.pincer.p95 / summary.podmanCli.p95,
    p50VsDockerode: summary.pincer.p50 / summary.dockerode.p50,
    throughputVsPodmanCli: perSecond.pincer / perSecond.podmanCli,
  };
  console.log(
    `ratio Pincer ÷ podman CLI: p50 ${ratios.p50VsPodmanCli.toFixed(2)} · p95 ${ratios.p95VsPodmanCli.toFixed(2)} · runs/s ${ratios.throughputVsPodmanCli.toFixed(2)}`,
  );
  const measuredAt = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`;
  const results = {
    measuredAt,
    machine,
    load: { before: loadBefore, after: loadAfter },
    engine: engine.description,
    image,
    plan: PLAN,
    latencyMs: summary,
    runsPerSecond: perSecond,
    ratios,
    samplesMs: latency,
  };
  const resultsFile = await writeBenchResults('sandbox', results);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const row = (label: string, value: ReturnType<typeof stats>) =>
    `| ${label} | ${ms(value.p50)} | ${ms(value.p95)} | ${ms(value.min)} | ${ms(value.max)} | ${value.runs} |`;
  const { start, end } = docsMarks('sandbox');
  const section = [
    start,
    '## Sandbox',
    '',
    "`npm run bench:sandbox` (`bench/sandbox/run.ts`) times one `python3 -c 'print(1)'` from the",
    'call to its result, on the default image and Pincer’s podman, in one run:',
    '',
    '- **Pincer**: `SandboxService.run` with the default settings (warm pool of 2, read-only root,',
    '  no capabilities, memory/CPU/pids limits, no network, inputs over stdin, output capped, /out',
    '  collected); the used container is removed off the critical path.',
    '- **podman CLI** (the baseline): `podman run --rm --network none --user 1000:1000 IMAGE python3 -c …`.',
    '- **dockerode**: create → start → wait → remove through the same API, no limits.',
    '',
    `Measured ${measuredAt} on ${machine} (load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}; shared machine).`,
    `Raw numbers: [bench/results/sandbox.json](../bench/results/sandbox.json).`,
    '',
    '|  | p50 | p95 | min | max | runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('Pincer sandbox (warm pool)', summary.pincer),
    row('raw `podman run --rm` CLI', summary.podmanCli),
    row('raw dockerode create→start→wait→remove', summary.dockerode),
    '',
    `Runs/s at concurrency ${PLAN.concurrency} (${PLAN.concurrent} runs): Pincer ${perSecond.pincer.toFixed(2)}, podman CLI ${perSecond.podmanCli.toFixed(2)}.`,
    '',
    `**Ratio Pincer ÷ podman CLI**: p50 ${ratios.p50VsPodmanCli.toFixed(2)}, p95 ${ratios.p95VsPodmanCli.toFixed(2)}, runs/s ${ratios.throughputVsPodmanCli.toFixed(2)} (target: p50 ≤ 1).`,
    end,
  ].join('\n');
  const docsFile = await writeDocsSection('sandbox', section);
  console.log(`results: ${path.relative(repoRoot, resultsFile)}, ${path.relative(repoRoot, docsFile)}`);
} finally {
  await sandbox?.close();
  await engine.stop();
  await rm(workDir, { recursive: true, force: true });
}
