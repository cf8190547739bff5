/**
 * bench:quality: how right the assistant's answers are, on Pincer's own eval set (cases.ts),
 * through the llm steps' own code (each node's config schema and run(), as the worker's activity
 * calls them) on the real model. Each technique is measured against the configuration without it
 * in the same run; every score comes with its 95 % Wilson interval.
 *
 *   npm run bench:quality [-- --models smollm2-135m,gemma3-270m --models-dir DIR
 *                            --tasks extraction,classification,tools,summaries,facts --quick]
 *
 * `--models` takes catalog names, GGUF paths, or `openai:<model>@<baseUrl>` for an
 * OpenAI-compatible endpoint, its key from PINCER_LLM_API_KEY (likelihood scoring falls back to
 * constrained generation there).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import {
  createLocalInference,
  createOpenAiInference,
  DEFAULT_MODEL,
  defaultThreads,
  fetchModel,
  type LocalInferenceOptions,
  locateModel,
  modelsDirectory,
} from '@pincer/inference';
import {
  type InferenceService,
  llmChat,
  llmClassify,
  llmExtract,
  llmSummarize,
  type NodeContext,
  type NodeDefinition,
} from '@pincer/nodes';
import { writeBenchResults, writeDocsSection } from '../lib/output.ts';
import {
  CLASSIFICATION,
  EVAL_SET_VERSION,
  EXTRACTION,
  FACTS,
  SUMMARIES,
  TOOL_CASES,
  TOOLS,
} from './cases.ts';
import { admitsNotKnowing, formatScore, matches, type Score, wilson } from './score.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
};
const MODELS = option('models', `${DEFAULT_MODEL},gemma3-270m`).split(',');
const TASKS = new Set(option('tasks', 'extraction,classification,tools,summaries,facts').split(','));
/** Where catalog models are looked for and fetched to (default: the cache's models directory). */
const MODELS_DIR = option('models-dir', '');
/** Cases run side by side, one per sequence of the model's context. */
const PARALLEL = 2;
const SEED = 7;

/** `--quick`: only each task's baseline and the configuration the steps use by default. */
const QUICK = args.includes('--quick');

function selected<T extends Variant & { final?: boolean }>(variants: T[]): T[] {
  return QUICK ? variants.filter((variant, index) => index === 0 || variant.final) : variants;
}

/** One configuration of a task's step, and what it measures. */
interface Variant {
  name: string;
  /** The technique this variant adds to the one before it ('' for the baseline). */
  adds: string;
}

interface VariantResult extends Variant {
  scores: Record<string, Score>;
  seconds: number;
  failures: string[];
}

function context(inference: InferenceService, stepName: string): NodeContext {
  return {
    runId: 'bench-quality',
    stepName,
    attempt: 1,
    timeoutMs: 600_000,
    signal: new AbortController().signal,
    heartbeat() {},
    log() {},
    secret: async (name) => {
      throw new Error(`bench:quality has no secret ${name}`);
    },
    settings: { allowPrivateHosts: [] },
    services: { inference },
  };
}

/** Validates the config as a saved workflow would, then runs the step like the worker's activity. */
async function runStep<Output>(
  node: NodeDefinition,
  raw: Record<string, unknown>,
  inference: InferenceService,
  stepName: string,
): Promise<Output> {
  const config = node.config.parse(raw);
  if (!node.run) throw new Error(`${node.type} has no run()`);
  return (await node.run(config, context(inference, stepName))) as Output;
}

/** Runs `work` over the items, PARALLEL at a time, in order of the items in the results. */
async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let index = next++; index < items.length; index = next++) {
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

async function timedVariant(
  variant: Variant,
  measure: (failures: string[]) => Promise<Record<string, Score>>,
): Promise<VariantResult> {
  const started = performance.now();
  const failures: string[] = [];
  const scores = await measure(failures);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const result = { ...variant, scores, seconds, failures };
  const shown = Object.entries(scores)
    .map(([name, score]) => `${name} ${formatScore(score)}`)
    .join('; ');
  console.log(`    ${variant.name.padEnd(38)} ${shown} [${seconds} s]`);
  for (const failure of failures.slice(0, 3)) console.log(`      ${failure}`);
  return result;
}

/**
 * The schema as a user writes it who does not describe fields (`none`: no `description`, no
 * `examples`), or who describes them without examples (`descriptions`), or with both (`all`).
 */
function undescribed(schema: Record<string, unknown>, keep: string): Record<string, unknown> {
  if (keep === 'all') return schema;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  return {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, field]) => {
        const { description, examples: _examples, ...rest } = field;
        return [name, keep === 'descriptions' && description ? { ...rest, description } : rest];
      }),
    ),
  };
}

async function extraction(inference: InferenceService): Promise<VariantResult[]> {
  const variants = [
    { name: 'schema without descriptions', adds: '', describe: 'none', verify: 'off', copy: false },
    {
      name: '+ field descriptions',
      adds: 'field descriptions',
      describe: 'descriptions',
      verify: 'off',
      copy: false,
    },
    { name: '+ field examples', adds: 'field examples', describe: 'all', verify: 'off', copy: false },
    {
      name: '+ verification against the text',
      adds: 'verification retry',
      describe: 'all',
      verify: 'retry',
      copy: false,
    },
    {
      name: '+ values copied from the text',
      final: true,
      adds: 'copy from text',
      describe: 'all',
      verify: 'retry',
      copy: true,
    },
  ];
  const results: VariantResult[] = [];
  for (const variant of selected(variants)) {
    results.push(
      await timedVariant(variant, async (failures) => {
        let right = 0;
        let total = 0;
        let valid = 0;
        const outcomes = await inParallel(EXTRACTION, async (item) => {
          try {
            const output = await runStep<{ data: Record<string, unknown> }>(
              llmExtract,
              {
                text: item.text,
                schema: undescribed(item.schema, variant.describe),
                ...(item.instructions ? { instructions: item.instructions } : {}),
                verify: variant.verify,
                copy_from_text: variant.copy,
                temperature: 0,
                seed: SEED,
                max_tokens: 256,
              },
              inference,
              `extract_${item.id}`,
            );
            return { item, data: output.data };
          } catch (error) {
            return { item, error: error instanceof Error ? error.message : String(error) };
          }
        });
        for (const outcome of outcomes) {
          const fields = Object.entries(outcome.item.expected);
          total += fields.length;
          if ('error' in outcome) {
            failures.push(`${outcome.item.id}: ${outcome.error}`);
            continue;
          }
          valid += 1;
          for (const [field, expected] of fields) {
            if (matches(outcome.data[field], expected)) right += 1;
            else failures.push(`${outcome.item.id}.${field}: ${JSON.stringify(outcome.data[field])}`);
          }
        }
        return { fields: wilson(right, total), valid_json: wilson(valid, EXTRACTION.length) };
      }),
    );
  }
  return results;
}

async function classification(inference: InferenceService): Promise<VariantResult[]> {
  const variants = [
    { name: 'generate, labels only', adds: '', method: 'generate', guide: 'none' },
    {
      name: 'generate + descriptions + examples',
      adds: 'label guide (generate)',
      method: 'generate',
      guide: 'all',
    },
    { name: 'likelihood, labels only', adds: 'label likelihood', method: 'likelihood', guide: 'none' },
    { name: '+ calibration', adds: 'calibration', method: 'calibrated', guide: 'none' },
    { name: '+ label descriptions', adds: 'label descriptions', method: 'calibrated', guide: 'descriptions' },
    {
      name: '+ few-shot examples',
      adds: 'few-shot examples',
      method: 'calibrated',
      guide: 'all',
      final: true,
    },
    { name: 'likelihood + descriptions + examples', adds: '', method: 'likelihood', guide: 'all' },
    { name: 'channel, labels only', adds: 'channel scoring', method: 'channel', guide: 'none' },
    { name: '+ label descriptions', adds: 'label descriptions', method: 'channel', guide: 'descriptions' },
    { name: '+ few-shot examples', adds: 'few-shot examples', method: 'channel', guide: 'all', final: true },
  ];
  const cases = CLASSIFICATION.flatMap((task) => task.cases.map((item) => ({ task, ...item })));
  const results: VariantResult[] = [];
  for (const variant of selected(variants)) {
    results.push(
      await timedVariant(variant, async (failures) => {
        const answers = await inParallel(cases, async (item) => {
          try {
            const output = await runStep<{ label: string }>(
              llmClassify,
              {
                text: item.text,
                labels: item.task.labels,
                instructions: item.task.instructions,
                method: variant.method,
                ...(variant.guide !== 'none' ? { descriptions: item.task.descriptions } : {}),
                ...(variant.guide === 'all' ? { examples: item.task.examples } : {}),
                temperature: 0,
                seed: SEED,
              },
              inference,
              `classify_${item.task.id}`,
            );
            return output.label;
          } catch (error) {
            return `error: ${error instanceof Error ? error.message : String(error)}`;
          }
        });
        let right = 0;
        const perTask: Record<string, { right: number; total: number }> = {};
        for (const [index, item] of cases.entries()) {
          const tally = perTask[item.task.id] ?? { right: 0, total: 0 };
          perTask[item.task.id] = tally;
          tally.total += 1;
          if (answers[index] === item.label) {
            right += 1;
            tally.right += 1;
          } else
            failures.push(
              `${item.task.id} "${item.text.slice(0, 40)}…": ${answers[index]} (want ${item.label})`,
            );
        }
        return {
          accuracy: wilson(right, cases.length),
          ...Object.fromEntries(Object.entries(perTask).map(([id, t]) => [id, wilson(t.right, t.total)])),
        };
      }),
    );
  }
  return results;
}

async function tools(inference: InferenceService, spec: string): Promise<VariantResult[]> {
  const variants = [
    { name: 'tool picked by the grammar', adds: '', selection: 'grammar' as const },
    { name: 'tool picked by likelihood', adds: 'tool likelihood', selection: 'likelihood' as const },
    {
      name: 'tool picked by channel scoring',
      adds: 'tool channel',
      selection: 'channel' as const,
      final: true,
    },
  ];
  const results: VariantResult[] = [];
  for (const variant of selected(variants)) {
    // The local provider's selection is a setting of the service: each variant gets its own.
    const endpoint = spec.startsWith('openai:');
    if (endpoint && variant.selection !== 'grammar') continue;
    const own = endpoint
      ? undefined
      : (await openModel(spec, { toolSelection: variant.selection })).inference;
    const service = own ?? inference;
    results.push(
      await timedVariant(variant, async (failures) => {
        let valid = 0;
        let rightTool = 0;
        let argsRight = 0;
        let argsTotal = 0;
        const answers = await inParallel(TOOL_CASES, async (item) => {
          try {
            return await service.complete({
              messages: [{ role: 'user', content: item.prompt }],
              tools: TOOLS,
              toolChoice: 'required',
              temperature: 0,
              seed: SEED,
              maxTokens: 96,
            });
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        });
        for (const [index, item] of TOOL_CASES.entries()) {
          const answer = answers[index];
          argsTotal += Object.keys(item.arguments).length;
          if (!answer || answer instanceof Error) {
            failures.push(`${item.id}: ${answer?.message}`);
            continue;
          }
          const call = answer.toolCalls?.[0];
          const tool = TOOLS.find((candidate) => candidate.name === call?.name);
          if (!call || !tool) {
            failures.push(`${item.id}: no call (${answer.finishReason}) ${answer.text.slice(0, 80)}`);
            continue;
          }
          valid += 1;
          if (call.name !== item.tool) {
            failures.push(`${item.id}: called ${call.name} (want ${item.tool})`);
            continue;
          }
          rightTool += 1;
          const given = (call.arguments ?? {}) as Record<string, unknown>;
          for (const [name, expected] of Object.entries(item.arguments)) {
            if (matches(given[name], expected)) argsRight += 1;
            else failures.push(`${item.id}.${name}: ${JSON.stringify(given[name])}`);
          }
        }
        return {
          valid_calls: wilson(valid, TOOL_CASES.length),
          right_tool: wilson(rightTool, TOOL_CASES.length),
          arguments: wilson(argsRight, argsTotal),
        };
      }),
    );
    await own?.close();
  }
  return results;
}

async function summaries(inference: InferenceService): Promise<VariantResult[]> {
  const outputs = await inParallel(SUMMARIES, async (item) => {
    try {
      return await runStep<{ summary: string; cut: boolean }>(
        llmSummarize,
        { text: item.text, max_words: item.maxWords, temperature: 0, seed: SEED, max_tokens: 200 },
        inference,
        `summarize_${item.id}`,
      );
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
  // One run gives both: the model's own answer was within the limit exactly when nothing was cut.
  const words = (text: string) => text.match(/\S+/g)?.length ?? 0;
  const measure = (hardLimit: boolean) => async (failures: string[]) => {
    let within = 0;
    for (const [index, item] of SUMMARIES.entries()) {
      const output = outputs[index];
      if (!output || output instanceof Error) {
        failures.push(`${item.id}: ${output?.message}`);
        continue;
      }
      const ok = hardLimit ? words(output.summary) <= item.maxWords : !output.cut;
      if (ok) within += 1;
      else failures.push(`${item.id}: over ${item.maxWords} words`);
      if (hardLimit)
        failures.push(`${item.id} (${words(output.summary)}/${item.maxWords}): ${output.summary}`);
    }
    return { within_max_words: wilson(within, SUMMARIES.length) };
  };
  return [
    await timedVariant({ name: "the model's own length", adds: '' }, measure(false)),
    await timedVariant({ name: '+ max_words as a hard limit', adds: 'hard word limit' }, measure(true)),
  ];
}

async function facts(inference: InferenceService): Promise<VariantResult[]> {
  const variants = [
    { name: 'no system prompt', adds: '', admit: false },
    { name: '+ "say I don\'t know" system prompt', adds: 'honesty prompt', admit: true, final: true },
  ];
  const results: VariantResult[] = [];
  for (const variant of selected(variants)) {
    results.push(
      await timedVariant(variant, async (failures) => {
        const answers = await inParallel(FACTS, async (item) => {
          try {
            const output = await runStep<{ text: string }>(
              llmChat,
              {
                prompt: item.question,
                admit_unknown: variant.admit,
                temperature: 0,
                seed: SEED,
                max_tokens: 48,
              },
              inference,
              `chat_${item.id}`,
            );
            return output.text;
          } catch (error) {
            return `error: ${error instanceof Error ? error.message : String(error)}`;
          }
        });
        let known = 0;
        let unknown = 0;
        const answerable = FACTS.filter((item) => item.answer);
        for (const [index, item] of FACTS.entries()) {
          const answer = answers[index] ?? '';
          const ok = item.answer
            ? !admitsNotKnowing(answer) &&
              item.answer.some((word) => answer.toLowerCase().includes(word.toLowerCase()))
            : admitsNotKnowing(answer);
          if (ok) {
            if (item.answer) known += 1;
            else unknown += 1;
          } else failures.push(`${item.id}: ${answer.replace(/\s+/g, ' ').slice(0, 90)}`);
        }
        return {
          right: wilson(known + unknown, FACTS.length),
          answerable_right: wilson(known, answerable.length),
          unknowable_declined: wilson(unknown, FACTS.length - answerable.length),
        };
      }),
    );
  }
  return results;
}

const TASK_RUNNERS = { extraction, classification, tools, summaries, facts } as const;

async function openModel(
  spec: string,
  settings: Pick<LocalInferenceOptions, 'toolSelection'> = {},
): Promise<{ name: string; inference: InferenceService & { close(): Promise<void> } }> {
  const endpoint = /^openai:(.+)@(https?:\/\/.+)$/.exec(spec);
  if (endpoint) {
    const [, model = '', baseUrl = ''] = endpoint;
    // The key pincer.yaml would use (PINCER_LLM_API_KEY), if any.
    const { apiKey } = loadConfig().llm.openai;
    return {
      name: `${model} (OpenAI-compatible)`,
      inference: createOpenAiInference({
        baseUrl,
        model,
        defaultMaxTokens: 256,
        ...(apiKey ? { apiKey } : {}),
      }),
    };
  }
  const location = locateModel(spec, MODELS_DIR || modelsDirectory(loadConfig().cacheDir));
  const { file } = await fetchModel(location, (message) => console.log(`  model: ${message}`));
  const inference = createLocalInference({
    location: locateModel(file, path.dirname(file)),
    contextSize: 2048,
    sequences: PARALLEL,
    gpu: 'off',
    defaultMaxTokens: 256,
    ...settings,
  });
  await inference.ready;
  return { name: spec, inference };
}

async function main() {
  const started = performance.now();
  console.log(
    `bench:quality, eval set v${EVAL_SET_VERSION}, ${defaultThreads()} thread(s) of ${os.availableParallelism()} cores, load ${(os.loadavg()[0] ?? 0).toFixed(1)}`,
  );
  const models: { model: string; seconds: number; tasks: Record<string, VariantResult[]> }[] = [];
  for (const spec of MODELS) {
    const modelStarted = performance.now();
    const { name, inference } = await openModel(spec);
    console.log(`\n${name}`);
    const tasks: Record<string, VariantResult[]> = {};
    try {
      for (const [task, run] of Object.entries(TASK_RUNNERS)) {
        if (!TASKS.has(task)) continue;
        console.log(`  ${task}`);
        tasks[task] = await run(inference, spec);
      }
    } finally {
      await inference.close();
    }
    models.push({ model: name, seconds: Math.round((performance.now() - modelStarted) / 1000), tasks });
  }
  const results = {
    evalSetVersion: EVAL_SET_VERSION,
    machine: { cores: os.availableParallelism(), threads: defaultThreads(), loadAverage: os.loadavg()[0] },
    cases: {
      extraction: `${EXTRACTION.length} documents, ${EXTRACTION.reduce((n, item) => n + Object.keys(item.expected).length, 0)} fields`,
      classification: `${CLASSIFICATION.reduce((n, task) => n + task.cases.length, 0)} messages in ${CLASSIFICATION.length} tasks`,
      tools: `${TOOL_CASES.length} requests, ${TOOLS.length} tools`,
      summaries: `${SUMMARIES.length} texts`,
      facts: `${FACTS.length} questions, ${FACTS.filter((item) => !item.answer).length} of them unanswerable`,
    },
    seconds: Math.round((performance.now() - started) / 1000),
    models: await mergedWithEarlier(models),
  };
  const file = await writeBenchResults('quality', results);
  console.log(`\nresults: ${file} (${results.seconds} s)`);
  if (MODELS.every((spec) => !spec.startsWith('openai:'))) {
    const docs = await writeDocsSection('quality', docsSection(results));
    console.log(`docs: ${docs}`);
  }
}

type ModelResults = { model: string; seconds: number; tasks: Record<string, VariantResult[]> };

/**
 * This run's models and tasks over those of the last run of the same eval set, so one model or
 * one task can be measured again without running everything.
 */
async function mergedWithEarlier(models: ModelResults[]): Promise<ModelResults[]> {
  const file = path.join(import.meta.dirname, '..', 'results', 'quality.json');
  const earlier = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as { evalSetVersion: number; models: ModelResults[] })
    .catch(() => undefined);
  if (earlier?.evalSetVersion !== EVAL_SET_VERSION) return models;
  const merged = earlier.models.map((model) => {
    const now = models.find((candidate) => candidate.model === model.model);
    return now ? { ...now, tasks: { ...model.tasks, ...now.tasks } } : model;
  });
  for (const model of models) {
    if (!merged.some((candidate) => candidate.model === model.model)) merged.push(model);
  }
  return merged;
}

function docsSection(results: {
  seconds: number;
  cases: Record<string, string>;
  machine: { cores: number; threads: number };
  models: { model: string; seconds: number; tasks: Record<string, VariantResult[]> }[];
}): string {
  const percent = (score: Score) =>
    `${Math.round(score.rate * 100)} % (${Math.round(score.low * 100)}–${Math.round(score.high * 100)})`;
  const lines = [
    '<!-- bench:quality:start -->',
    '## Answer quality (`npm run bench:quality`)',
    '',
    `Eval set v${EVAL_SET_VERSION} (bench/quality/cases.ts, written for Pincer): ${Object.entries(
      results.cases,
    )
      .map(([task, about]) => `${task}: ${about}`)
      .join('; ')}. Each case runs through the step's own config validation and run() on the real model, at`,
    `temperature 0, ${results.machine.threads} thread(s) on ${results.machine.cores} cores; the last run took ${results.seconds} s.`,
    'Each row adds one technique to the row above it (rows without a "+" start again from the baseline);',
    'percentages are followed by their 95 % Wilson interval. Raw numbers: bench/results/quality.json.',
    '',
  ];
  for (const model of results.models) {
    lines.push(
      `### ${model.model} (${model.seconds} s)`,
      '',
      '| task | configuration | score |',
      '| --- | --- | --- |',
    );
    for (const [task, variants] of Object.entries(model.tasks)) {
      for (const variant of variants) {
        const scores = Object.entries(variant.scores)
          .map(([name, score]) => `${name.replace(/_/g, ' ')} ${percent(score)}`)
          .join('; ');
        lines.push(`| ${task} | ${variant.name} | ${scores} |`);
      }
    }
    lines.push('');
  }
  lines.push('<!-- bench:quality:end -->');
  return lines.join('\n');
}

await main();
