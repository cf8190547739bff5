/**
 * bench/inference: the local model through Pincer's inference service vs a bare node-llama-cpp
 * script with the same settings, in one run on the default model (SmolLM2 135M):
 * - single stream: tokens/s and time to first token (target: Pincer ≥ 0.95× bare);
 * - aggregate tokens/s of 8 concurrent requests vs 1 (target ≥ 2×), through Pincer and bare, per
 *   wall-clock second and per CPU second of the process (the second barely moves with the load of
 *   a shared machine, the first does);
 * - resident memory of the process after loading.
 *
 *   npm run bench:inference [-- --rounds 5 --tokens 64 --threads N]
 */
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import {
  createLocalInference,
  DEFAULT_MODEL,
  defaultThreads,
  fetchModel,
  type LocalInference,
  locateModel,
  modelsDirectory,
} from '@pincer/inference';
import type { LlmResult } from '@pincer/nodes';
import { getLlama, LlamaChat, LlamaLogLevel } from 'node-llama-cpp';
import { writeBenchResults, writeDocsSection } from '../lib/output.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const ROUNDS = option('rounds', 5);
const TOKENS = option('tokens', 64);
const CONCURRENCY = 8;
const CONTEXT = 1024;
const threads = option('threads', defaultThreads());
const PROMPT = 'Write a long story about a cat who learns to sail.';

interface Sample {
  tokens: number;
  firstTokenMs: number;
  totalMs: number;
  tokensPerSecond: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

/** The bare baseline: node-llama-cpp used directly, as a script would, with Pincer's settings. */
async function bareModel(file: string, sequences: number) {
  const llama = await getLlama({
    build: 'never',
    gpu: false,
    maxThreads: threads,
    logLevel: LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath: file });
  const context = await model.createContext({ sequences, contextSize: CONTEXT, threads });
  const chats = Array.from(
    { length: sequences },
    () => new LlamaChat({ contextSequence: context.getSequence(), autoDisposeSequence: false }),
  );
  async function once(chat: LlamaChat, seed: number): Promise<Sample> {
    const started = performance.now();
    let first: number | undefined;
    let tokens = 0;
    await chat.generateResponse(
      [
        { type: 'user', text: promptFor(seed) },
        { type: 'model', response: [] },
      ],
      {
        maxTokens: TOKENS,
        temperature: 0.7,
        seed,
        onToken(chunk) {
          first ??= performance.now();
          tokens += chunk.length;
        },
      },
    );
    const end = performance.now();
    const generationMs = first === undefined ? 0 : end - first;
    return {
      tokens,
      firstTokenMs: (first ?? end) - started,
      totalMs: end - started,
      tokensPerSecond: tokens > 1 ? (tokens - 1) / (generationMs / 1000) : 0,
    };
  }
  return {
    single: (seed: number) => once(chats[0] as LlamaChat, seed),
    concurrent: (seed: number) => Promise.all(chats.map((chat, index) => once(chat, seed + index))),
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

function pincerSample(result: LlmResult): Sample {
  return {
    tokens: result.usage.completionTokens,
    firstTokenMs: result.timings.firstTokenMs,
    totalMs: result.timings.totalMs,
    tokensPerSecond: result.timings.tokensPerSecond,
  };
}

async function pincerModel(file: string, sequences: number): Promise<LocalInference> {
  const service = createLocalInference({
    location: locateModel(file, path.dirname(file)),
    contextSize: CONTEXT,
    sequences,
    threads,
    gpu: 'off',
    defaultMaxTokens: TOKENS,
  });
  await service.ready;
  return service;
}

const ask = (service: LocalInference, seed: number) =>
  service.complete({
    messages: [{ role: 'user', content: promptFor(seed) }],
    maxTokens: TOKENS,
    temperature: 0.7,
    seed,
  });

/**
 * A prompt that differs from the previous one in its first words: both sides keep a sequence's
 * tokens between requests (as a chat would), so a repeated prompt would skip its evaluation.
 */
function promptFor(seed: number): string {
  return `Story number ${seed}. ${PROMPT}`;
}

/** One answer, with the tokens per CPU second of the process while it was generated. */
type TimedSample = Sample & { tokensPerCpuSecond: number };

async function timed(run: () => Promise<Sample>): Promise<TimedSample> {
  const cpu = process.cpuUsage();
  const sample = await run();
  const { user, system } = process.cpuUsage(cpu);
  return { ...sample, tokensPerCpuSecond: sample.tokens / ((user + system) / 1e6) };
}

interface Aggregate {
  /** All the requests' tokens over the wall time until the last one ends. */
  tokensPerSecond: number;
  /** The same tokens over the CPU time the process spent meanwhile (all its threads). */
  tokensPerCpuSecond: number;
}

async function aggregate(run: () => Promise<Sample[]>): Promise<Aggregate> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const samples = await run();
  const wall = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const tokens = samples.reduce((sum, sample) => sum + sample.tokens, 0);
  return { tokensPerSecond: tokens / (wall / 1000), tokensPerCpuSecond: tokens / ((user + system) / 1e6) };
}

async function main() {
  const config = loadConfig();
  const location = locateModel(DEFAULT_MODEL, modelsDirectory(config.cacheDir));
  const { file } = await fetchModel(location, (message) => console.log(`  model: ${message}`));
  console.log(`bench:inference on ${file}, ${threads} thread(s) of ${os.availableParallelism()} cores`);
  const loadAtStart = os.loadavg()[0] ?? 0;
  console.log(`  ${ROUNDS} rounds, ${TOKENS} tokens per answer, load average ${loadAtStart.toFixed(1)}`);

  const rssBefore = process.memoryUsage().rss;
  const pincer1 = await pincerModel(file, 1);
  const rssLoaded = process.memoryUsage().rss;
  const bare1 = await bareModel(file, 1);

  // Single stream, alternating who goes first each round.
  const single = { pincer: [] as TimedSample[], bare: [] as TimedSample[] };
  await ask(pincer1, 0);
  await bare1.single(0);
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 100 + round;
    if (round % 2 === 0) {
      single.pincer.push(await timed(async () => pincerSample(await ask(pincer1, seed))));
      single.bare.push(await timed(() => bare1.single(seed)));
    } else {
      single.bare.push(await timed(() => bare1.single(seed)));
      single.pincer.push(await timed(async () => pincerSample(await ask(pincer1, seed))));
    }
  }
  const residentBytes = pincer1.status().residentBytes;
  await pincer1.close();
  await bare1.close();

  // 8 concurrent vs 1, on contexts of 8 sequences (the default), through Pincer and bare.
  const pincer8 = await pincerModel(file, CONCURRENCY);
  const bare8 = await bareModel(file, CONCURRENCY);
  const concurrency = {
    pincer1: [] as Aggregate[],
    pincer8: [] as Aggregate[],
    bare1: [] as Aggregate[],
    bare8: [] as Aggregate[],
  };
  const pincerAll = (seed: number) =>
    Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => ask(pincer8, seed + i))).then((results) =>
      results.map(pincerSample),
    );
  // Warm-up: every sequence of both contexts has evaluated once before anything is measured.
  await pincerAll(190);
  await bare8.concurrent(190);
  // The 1-request measurement asks with the same prompt and seed as the first of the 8; Pincer and
  // bare take turns going first.
  const measure = {
    pincer: async (seed: number) => {
      concurrency.pincer1.push(await aggregate(async () => [pincerSample(await ask(pincer8, seed))]));
      concurrency.pincer8.push(await aggregate(() => pincerAll(seed)));
    },
    bare: async (seed: number) => {
      concurrency.bare1.push(await aggregate(async () => [await bare8.single(seed)]));
      concurrency.bare8.push(await aggregate(() => bare8.concurrent(seed)));
    },
  };
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 200 + round * 10;
    const order = round % 2 === 0 ? [measure.pincer, measure.bare] : [measure.bare, measure.pincer];
    for (const step of order) await step(seed);
  }
  const rssPeak = process.memoryUsage().rss;
  await pincer8.close();
  await bare8.close();

  const results = {
    machine: {
      cores: os.availableParallelism(),
      threads,
      loadAverageAtStart: round1(loadAtStart),
      loadAverageAtEnd: round1(os.loadavg()[0] ?? 0),
    },
    model: { name: location.name, file },
    settings: { rounds: ROUNDS, tokens: TOKENS, contextSize: CONTEXT, prompt: PROMPT },
    single: {
      pincer: {
        tokensPerSecond: round1(median(single.pincer.map((s) => s.tokensPerSecond))),
        firstTokenMs: round1(median(single.pincer.map((s) => s.firstTokenMs))),
        tokensPerCpuSecond: round1(median(single.pincer.map((s) => s.tokensPerCpuSecond))),
      },
      bare: {
        tokensPerSecond: round1(median(single.bare.map((s) => s.tokensPerSecond))),
        firstTokenMs: round1(median(single.bare.map((s) => s.firstTokenMs))),
        tokensPerCpuSecond: round1(median(single.bare.map((s) => s.tokensPerCpuSecond))),
      },
    },
    concurrency: {
      pincer: {
        one: round1(median(concurrency.pincer1.map((a) => a.tokensPerSecond))),
        eight: round1(median(concurrency.pincer8.map((a) => a.tokensPerSecond))),
        onePerCpu: round1(median(concurrency.pincer1.map((a) => a.tokensPerCpuSecond))),
        eightPerCpu: round1(median(concurrency.pincer8.map((a) => a.tokensPerCpuSecond))),
      },
      bare: {
        one: round1(median(concurrency.bare1.map((a) => a.tokensPerSecond))),
        eight: round1(median(concurrency.bare8.map((a) => a.tokensPerSecond))),
        onePerCpu: round1(median(concurrency.bare1.map((a) => a.tokensPerCpuSecond))),
        eightPerCpu: round1(median(concurrency.bare8.map((a) => a.tokensPerCpuSecond))),
      },
    },
    memory: {
      processRssBeforeMb: round1(rssBefore / 2 ** 20),
      processRssLoadedMb: round1(rssLoaded / 2 ** 20),
      processRssPeakMb: round1(rssPeak / 2 ** 20),
      modelResidentMb: round1((residentBytes ?? 0) / 2 ** 20),
    },
    raw: { single, concurrency },
  };
  const ratios = {
    singleTokensPerSecond: round2(
      results.single.pincer.tokensPerSecond / results.single.bare.tokensPerSecond,
    ),
    singleTokensPerCpuSecond: round2(
      results.single.pincer.tokensPerCpuSecond / results.single.bare.tokensPerCpuSecond,
    ),
    // Lower is better for TTFT: bare / Pincer, so ≥ 0.95 means Pincer is at most ~5% slower.
    firstToken: round2(results.single.bare.firstTokenMs / results.single.pincer.firstTokenMs),
    pincerEightVsOne: round2(results.concurrency.pincer.eight / results.concurrency.pincer.one),
    bareEightVsOne: round2(results.concurrency.bare.eight / results.concurrency.bare.one),
    pincerEightVsOnePerCpu: round2(
      results.concurrency.pincer.eightPerCpu / results.concurrency.pincer.onePerCpu,
    ),
    bareEightVsOnePerCpu: round2(results.concurrency.bare.eightPerCpu / results.concurrency.bare.onePerCpu),
  };
  const output = { ...results, ratios };
  const file1 = await writeBenchResults('inference', output);
  console.log(
    JSON.stringify(
      { single: results.single, concurrency: results.concurrency, memory: results.memory, ratios },
      null,
      2,
    ),
  );
  await writeDocsSection('inference', docsSection(output));
  console.log(`results: ${file1}, docs/benchmarks.md`);
}

function reading(ratios: {
  singleTokensPerSecond: number;
  singleTokensPerCpuSecond: number;
  pincerEightVsOne: number;
  bareEightVsOne: number;
  pincerEightVsOnePerCpu: number;
  bareEightVsOnePerCpu: number;
}): string {
  const overhead =
    ratios.singleTokensPerSecond >= 0.95 && ratios.singleTokensPerCpuSecond >= 0.95
      ? 'Single stream: Pincer keeps up with the bare library (same batches, same sampling).'
      : `Single stream: Pincer reached ${ratios.singleTokensPerSecond}× the bare library's tokens/s and ${ratios.singleTokensPerCpuSecond}× its tokens per CPU second in this run; the 0.95× target is met only where both are.`;
  const batching =
    ratios.pincerEightVsOne >= 2
      ? '8 concurrent requests reached the 2× aggregate target in wall-clock tokens/s.'
      : `8 concurrent vs 1 stays below the 2× target through Pincer (${ratios.pincerEightVsOne}×) and for the bare library with equal settings (${ratios.bareEightVsOne}×).`;
  return `${overhead} ${batching} Per CPU second, which a busy machine disturbs far less, 8 vs 1 is ${ratios.pincerEightVsOnePerCpu}× through Pincer and ${ratios.bareEightVsOnePerCpu}× bare: on this CPU a decode step costs CPU in proportion to the tokens in it (below).`;
}

/**
 * Why 8 concurrent requests stay near 1× on this machine: probes of 2026-11-25 on the same 2-core
 * box (load average 9–40 from other work), bare node-llama-cpp 3.22.1 with the default model, 8
 * sequences, 64 tokens per answer, CPU time from the process and per thread (/proc). Fixed text:
 * the bench does not repeat these probes.
 */
const INVESTIGATION = `What limits batching here (probes on the same machine, bare node-llama-cpp 3.22.1, 8 sequences,
64 tokens per answer; not repeated by the bench):

- **Batches are full, less one.** Counted at the llama.cpp binding, 8 concurrent answers of 64 tokens
  take one prompt batch (~170 tokens) and ~71 decodes of 7 tokens, through Pincer and bare alike:
  Pincer's queue hands all 8 requests to the context at once. The eighth sequence's next token is
  sampled just after the library dispatches a batch, so it rides in the next one. A dispatch
  schedule that waited up to 5 ms for it (\`batching.dispatchSchedule\`) changed nothing.
- **A decode step costs CPU in proportion to its tokens.** 1 token ≈ 14 ms of CPU, 7 tokens ≈ 96 ms
  (13.7 ms each), a 168-token prompt batch ≈ 1.07 s (6.3 ms each). So tokens per CPU second are the
  same for 1 and 8 requests (≈ 68 and ≈ 71): with one llama.cpp thread, batching can raise the
  aggregate only where a step's cost does not grow with its tokens, and on this CPU it does.
- **Not the cause:** sampling (greedy decoding costs the same), flash attention (same tokens per CPU
  second), the batch size (only prompts fill it), the quantization: Q8_0 and Q4_0 copies of the
  same weights (requantized from the Q4_1 file) decode faster alone (≈ 90 and ≈ 106 tokens per CPU
  second against ≈ 68 for Q4_1) but scale the same way (≈ 80 and ≈ 110 with 8 concurrent).
- **Threads.** 2 threads on the 2 cores did not finish four 64-token answers in 150 s while the
  machine was oversubscribed (llama.cpp's threads wait for each other at every step), where 1
  thread takes 1–3 s per answer; threads stay at cores − 1. On a quiet machine a second thread
  would be expected to speed up 1 and 8 requests alike rather than change their ratio (not
  measured: this machine was never quiet).
- **Wall-clock ratios on a busy machine** measure the scheduler more than the model: the share of
  a contended CPU the process gets changes from one measurement to the next, and with how many of
  its threads are runnable (sampling runs in libuv's pool). An earlier run gave Pincer 1.4× and bare 0.56× this
  way; the per-CPU-second rows are the figures to compare.`;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function docsSection(r: {
  machine: { cores: number; threads: number; loadAverageAtStart: number; loadAverageAtEnd: number };
  settings: { rounds: number; tokens: number };
  single: {
    pincer: { tokensPerSecond: number; firstTokenMs: number; tokensPerCpuSecond: number };
    bare: { tokensPerSecond: number; firstTokenMs: number; tokensPerCpuSecond: number };
  };
  concurrency: {
    pincer: { one: number; eight: number; onePerCpu: number; eightPerCpu: number };
    bare: { one: number; eight: number; onePerCpu: number; eightPerCpu: number };
  };
  memory: { processRssLoadedMb: number; processRssPeakMb: number; modelResidentMb: number };
  ratios: {
    singleTokensPerSecond: number;
    singleTokensPerCpuSecond: number;
    firstToken: number;
    pincerEightVsOne: number;
    bareEightVsOne: number;
    pincerEightVsOnePerCpu: number;
    bareEightVsOnePerCpu: number;
  };
}): string {
  return `<!-- bench:inference:start -->
## Inference

\`npm run bench:inference\` (\`bench/inference/\`) loads the default model (SmolLM2 135M Q4_1) through
Pincer's inference service and with a bare node-llama-cpp script using the same settings (threads =
cores − 1, context 1024 per sequence, temperature 0.7, ${r.settings.tokens} tokens per answer), and
compares them in one process, median of ${r.settings.rounds} rounds. Both contexts are warmed up first; the
1-request measurement uses the prompt and seed of the first of the 8; Pincer and bare take turns
going first. Last run: ${r.machine.cores} cores, ${r.machine.threads} llama.cpp thread(s), load average
${r.machine.loadAverageAtStart} at the start and ${r.machine.loadAverageAtEnd} at the end (on ${r.machine.cores} cores: ${
    r.machine.loadAverageAtStart > r.machine.cores
      ? 'a shared, busy machine; wall-clock figures are mostly that load'
      : 'a quiet machine'
  }).

| | Pincer | bare node-llama-cpp | ratio | target |
|---|---|---|---|---|
| single stream, tokens/s | ${r.single.pincer.tokensPerSecond} | ${r.single.bare.tokensPerSecond} | ${r.ratios.singleTokensPerSecond}× | ≥ 0.95× |
| single stream, tokens per CPU second | ${r.single.pincer.tokensPerCpuSecond} | ${r.single.bare.tokensPerCpuSecond} | ${r.ratios.singleTokensPerCpuSecond}× | ≥ 0.95× |
| time to first token, ms | ${r.single.pincer.firstTokenMs} | ${r.single.bare.firstTokenMs} | ${r.ratios.firstToken}× (bare/Pincer) | ≥ 0.95× |
| aggregate tokens/s, 1 request | ${r.concurrency.pincer.one} | ${r.concurrency.bare.one} | | |
| aggregate tokens/s, 8 concurrent | ${r.concurrency.pincer.eight} | ${r.concurrency.bare.eight} | | |
| 8 concurrent vs 1 | ${r.ratios.pincerEightVsOne}× | ${r.ratios.bareEightVsOne}× | | ≥ 2× |
| tokens per CPU second, 1 request | ${r.concurrency.pincer.onePerCpu} | ${r.concurrency.bare.onePerCpu} | | |
| tokens per CPU second, 8 concurrent | ${r.concurrency.pincer.eightPerCpu} | ${r.concurrency.bare.eightPerCpu} | | |
| 8 concurrent vs 1, per CPU second | ${r.ratios.pincerEightVsOnePerCpu}× | ${r.ratios.bareEightVsOnePerCpu}× | | |

Resident memory: the model and its context ${r.memory.modelResidentMb} MB (\`status().residentBytes\`);
the whole benchmark process ${r.memory.processRssLoadedMb} MB after loading, ${r.memory.processRssPeakMb} MB at its peak
(two copies of the model and two 8-sequence contexts).

${reading(r.ratios)}

${INVESTIGATION}
<!-- bench:inference:end -->`;
}

await main();
