import os from 'node:os';
import type {
  InferenceService,
  LlmRequest,
  LlmResult,
  LlmTool,
  LlmToolCall,
  ModelInfo,
  ModelStatus,
} from '@pincer/nodes';
import type {
  ChatHistoryItem,
  ChatModelFunctions,
  GbnfJsonSchema,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
} from 'node-llama-cpp';
import { scoreChoices, scoreLastMessage } from './choices.ts';
import { describeError, InferenceError } from './errors.ts';
import { createJsonGrammar, type JsonGrammar } from './json-grammar.ts';
import { checkModel, type ModelLocation } from './locate.ts';
import { type Measured, measureCompletion, resolveSampling, SpeedAverage } from './measure.ts';

export interface LocalInferenceOptions {
  location: ModelLocation;
  /** Tokens each conversation may hold (prompt + answer). */
  contextSize: number;
  /** Conversations evaluated side by side in one batch; more requests wait their turn. */
  sequences: number;
  /** CPU threads; defaults to the cores less one (the library's default starves a 2-core machine). */
  threads?: number;
  /** Tokens evaluated per batch; node-llama-cpp's default when absent. */
  batchSize?: number;
  /** Use a GPU when one is found (`auto`), or the CPU only (`off`). */
  gpu?: 'auto' | 'off';
  /**
   * How a call forced with `toolChoice: required` picks among several tools: `channel` (default)
   * takes the tool under whose description the user's message is likeliest; `likelihood` scores
   * the start of a call of each; `grammar` lets the constrained generation pick (bench:quality
   * compares them).
   */
  toolSelection?: 'channel' | 'likelihood' | 'grammar';
  defaultMaxTokens: number;
  onLog?(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** The threads to give llama.cpp: every core but one, and at least one. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

const MAX_CACHED_GRAMMARS = 64;
/** How many more times a JSON answer cut off by max_tokens, or invalid for its schema, is sampled again. */
const JSON_RETRIES = 2;
const JSON_RETRY_REPEAT_PENALTY = 1.15;

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  slots: Slot[];
}

/** One sequence of the shared context and the chat that drives it; keeps its conversation's tokens. */
interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  sessionKey: string | undefined;
  busy: boolean;
  lastUsed: number;
}

export interface LocalInference extends InferenceService {
  /** Settles when the model is loaded (rejects with the load error). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The local provider: loads one GGUF model with node-llama-cpp in the background and answers
 * requests on a context of N sequences, so concurrent requests are evaluated in the same batches.
 * A request with a `sessionKey` goes back to the sequence that served that key last, where the
 * conversation's evaluated prefix is still in the KV cache.
 */
export function createLocalInference(options: LocalInferenceOptions): LocalInference {
  const threads = options.threads ?? defaultThreads();
  let info: ModelInfo = { name: options.location.name, provider: 'local', contextSize: options.contextSize };
  if (options.location.kind !== 'uri') info.file = options.location.file;
  let state: ModelStatus['state'] = 'loading';
  let failure: string | undefined;
  let loaded: Loaded | undefined;
  let closed = false;
  let active = 0;
  const waiting: (() => void)[] = [];
  const speed = new SpeedAverage();
  const grammars = new Map<string, Promise<JsonGrammar>>();
  const stopAll = new AbortController();

  const ready = (async () => {
    const started = Date.now();
    const { file, facts } = await checkModel(options.location);
    info = { ...info, file, sha256: facts.sha256, sizeBytes: facts.sizeBytes };
    const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({
      build: 'never',
      gpu: options.gpu === 'off' ? false : 'auto',
      maxThreads: threads,
      logLevel: LlamaLogLevel.error,
      logger: (_level, message) => options.onLog?.('warn', `llama.cpp: ${message.trim()}`),
    });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: file });
    } catch (error) {
      await llama.dispose();
      throw new InferenceError(
        'model_load_failed',
        `llama.cpp could not load the model file ${file}: ${describeError(error)}.`,
        options.location.fix,
        { cause: error },
      );
    }
    const context = await model.createContext({
      sequences: options.sequences,
      contextSize: options.contextSize,
      threads,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    const slots = Array.from({ length: options.sequences }, (): Slot => {
      const sequence = context.getSequence();
      return {
        sequence,
        chat: new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false }),
        sessionKey: undefined,
        busy: false,
        lastUsed: 0,
      };
    });
    loaded = { llama, model, context, slots };
    info = { ...info, contextSize: context.contextSize };
    if (closed) await disposeLoaded();
    state = 'ready';
    options.onLog?.('info', 'model loaded', {
      model: info.name,
      file,
      threads,
      sequences: options.sequences,
      contextSize: context.contextSize,
      ms: Date.now() - started,
    });
  })().catch((error: unknown) => {
    state = 'failed';
    failure = describeError(error);
    options.onLog?.('error', 'model not loaded', { model: info.name, error: failure });
    throw error;
  });
  // Callers see the failure through status() and complete(); nobody has to await `ready`.
  ready.catch(() => undefined);

  async function disposeLoaded(): Promise<void> {
    const current = loaded;
    loaded = undefined;
    if (!current) return;
    for (const slot of current.slots) slot.chat.dispose({ disposeSequence: true });
    await current.context.dispose();
    await current.model.dispose();
    await current.llama.dispose();
  }

  function grammarFor(llama: Llama, schema: Record<string, unknown>): Promise<JsonGrammar> {
    const key = JSON.stringify(schema);
    let grammar = grammars.get(key);
    if (!grammar) {
      // Steps usually reuse a few schemas; a flood of distinct ones must not grow memory forever.
      if (grammars.size >= MAX_CACHED_GRAMMARS) grammars.clear();
      // The JSON Schema arrives from users as data; llama.cpp's converter rejects what it cannot express.
      grammar = createJsonGrammar(llama, schema as GbnfJsonSchema);
      grammar.catch(() => grammars.delete(key));
      grammars.set(key, grammar);
    }
    return grammar;
  }

  /** A free sequence: the conversation's own if free, else the one unused the longest. */
  function takeSlot(slots: Slot[], sessionKey: string | undefined): Slot | undefined {
    const free = slots.filter((slot) => !slot.busy);
    const own = sessionKey === undefined ? undefined : free.find((slot) => slot.sessionKey === sessionKey);
    const chosen = own ?? free.sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (chosen) chosen.busy = true;
    return chosen;
  }

  async function acquire(sessionKey: string | undefined, signal: AbortSignal): Promise<Slot | undefined> {
    for (;;) {
      if (!loaded) throw notReady();
      const slot = takeSlot(loaded.slots, sessionKey);
      if (slot) return slot;
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          const index = waiting.indexOf(wake);
          if (index >= 0) waiting.splice(index, 1);
          resolve();
        };
        waiting.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  function release(slot: Slot, sessionKey: string | undefined): void {
    slot.busy = false;
    slot.lastUsed = Date.now();
    slot.sessionKey = sessionKey;
    waiting.shift()?.();
  }

  function notReady(): InferenceError {
    if (closed) return new InferenceError('closed', 'The inference service is closed.');
    if (state === 'failed') {
      return new InferenceError('model_not_ready', `The model ${info.name} failed to load: ${failure}`);
    }
    return new InferenceError('model_not_ready', `The model ${info.name} is not loaded yet.`);
  }

  async function complete(request: LlmRequest): Promise<LlmResult> {
    if (request.messages.length === 0) {
      throw new InferenceError('request_invalid', 'An LLM request needs at least one message.');
    }
    const started = performance.now();
    if (state === 'loading') await ready.catch(() => undefined);
    if (!loaded) throw notReady();
    const sampling = resolveSampling(request, options.defaultMaxTokens);
    const limits = [stopAll.signal];
    if (request.signal) limits.push(request.signal);
    const timeout = request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
    if (timeout) limits.push(timeout);
    const signal = AbortSignal.any(limits);
    const choices = checkChoices(request.choices);
    const forced = forcedToolSchema(request);
    // Choices are scored, not generated: their enum schema is for providers that cannot score.
    const constraint = choices || request.scoreOnly ? undefined : (forced ?? request.jsonSchema);
    const grammarOf = (schema: Record<string, unknown>, llama: Llama) =>
      grammarFor(llama, schema).catch((error: unknown) => {
        throw new InferenceError(
          'request_invalid',
          `The JSON Schema cannot be turned into a grammar: ${describeError(error)}.`,
          'use types, properties, required, items, enum, const, oneOf and string formats; see docs/inference.md.',
          { cause: error },
        );
      });
    let jsonGrammar = constraint ? await grammarOf(constraint, loaded.llama) : undefined;
    active += 1;
    const slot = await acquire(request.sessionKey, signal).catch((error: unknown) => {
      active -= 1;
      throw error;
    });
    const measured: Measured = { started, firstToken: undefined, completionTokens: 0 };
    const stopped = () => (timeout?.aborted ? 'timeout' : 'cancelled');
    if (!slot) {
      active -= 1;
      return measureCompletion({
        text: '',
        finishReason: stopped(),
        info,
        sampling,
        measured,
        promptTokens: 0,
      });
    }
    const meterBefore = slot.sequence.tokenMeter.getState();
    try {
      if (request.scoreOnly) {
        const scored = await scoreLastMessage(slot.chat, slot.sequence, toHistory(request));
        const result = measureCompletion({
          text: '',
          finishReason: 'stop',
          info,
          sampling,
          measured,
          promptTokens: scored.promptTokens + scored.textTokens,
          evaluatedPromptTokens: slot.sequence.tokenMeter.diff(meterBefore).usedInputTokens,
        });
        result.logProbability = scored.score;
        return result;
      }
      if (choices) {
        const scored = await scoreChoices(slot.chat, slot.sequence, toHistory(request), choices);
        const result = measureCompletion({
          text: scored.best,
          finishReason: 'stop',
          info,
          sampling,
          measured,
          promptTokens: scored.promptTokens,
          evaluatedPromptTokens: slot.sequence.tokenMeter.diff(meterBefore).usedInputTokens,
        });
        result.json = scored.best;
        result.choiceScores = scored.scores;
        return result;
      }
      const functions = request.tools?.length && !forced ? toolFunctions(request.tools) : undefined;
      const history = toHistory(forced ? withToolInstructions(request) : request);
      const candidates = forced && request.toolChoice === 'required' ? (request.tools ?? []) : [];
      const selection = options.toolSelection ?? 'channel';
      if (candidates.length > 1 && selection !== 'grammar') {
        // The tool is chosen first, then the grammar constrains the arguments to its parameters.
        const chosen =
          selection === 'channel'
            ? await toolByChannel(slot, candidates, request)
            : await toolByLikelihood(slot, candidates, history);
        const schema = forcedToolSchema({ ...request, toolChoice: { name: chosen } });
        if (schema) jsonGrammar = await grammarOf(schema, loaded.llama);
      }
      const generate = () => {
        measured.completionTokens = 0;
        const common = {
          maxTokens: sampling.maxTokens,
          temperature: sampling.temperature,
          seed: sampling.seed,
          ...(sampling.repeatPenalty === undefined
            ? {}
            : { repeatPenalty: { penalty: sampling.repeatPenalty } }),
          signal,
          stopOnAbortSignal: true,
          onToken(tokens: readonly unknown[]) {
            measured.firstToken ??= performance.now();
            measured.completionTokens += tokens.length;
          },
          onTextChunk(text: string) {
            if (text) request.onToken?.(text);
          },
        };
        const generation = functions
          ? slot.chat.generateResponse(history, { ...common, functions })
          : slot.chat.generateResponse(history, {
              ...common,
              ...(jsonGrammar ? { grammar: jsonGrammar.grammar } : {}),
            });
        // Aborted before the first token, node-llama-cpp throws the signal's reason instead of stopping.
        return generation.catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        });
      };
      // The JSON of a finished constrained answer, or why it cannot be used.
      const check = (answer: Awaited<ReturnType<typeof generate>>) => {
        const stopReason = answer?.metadata.stopReason;
        if (!jsonGrammar || !answer || stopReason === 'abort') return undefined;
        if (stopReason === 'maxTokens') return { problem: 'cut off by max_tokens' };
        return jsonGrammar.check(answer.response);
      };
      let response = await generate();
      let answer = check(response);
      // A small model can loop inside a constrained string until max_tokens, leaving JSON that
      // cannot be parsed; an answer the grammar let through may still fail its schema. Sample again
      // with the next seed and a repeat penalty; the result records the sampling that produced it.
      for (let retry = 1; answer && 'problem' in answer && retry <= JSON_RETRIES; retry++) {
        options.onLog?.('warn', 'constrained answer sampled again', {
          model: info.name,
          seed: sampling.seed,
          problem: answer.problem,
        });
        sampling.seed = (sampling.seed + 1) % 2 ** 31;
        sampling.repeatPenalty = JSON_RETRY_REPEAT_PENALTY;
        response = await generate();
        answer = check(response);
      }
      if (!response) {
        return measureCompletion({
          text: '',
          finishReason: stopped(),
          info,
          sampling,
          measured,
          promptTokens: 0,
        });
      }
      const usage = slot.sequence.tokenMeter.diff(meterBefore);
      const stopReason = response.metadata.stopReason;
      let finishReason: LlmResult['finishReason'] =
        stopReason === 'abort'
          ? stopped()
          : stopReason === 'maxTokens'
            ? 'length'
            : stopReason === 'functionCalls'
              ? 'tool_calls'
              : 'stop';
      let toolCalls: LlmToolCall[] | undefined = response.functionCalls?.map((call) => ({
        name: call.functionName,
        arguments: call.params,
      }));
      let text = response.response;
      const json = answer && 'value' in answer ? answer.value : undefined;
      if (forced && finishReason === 'stop' && json !== undefined) {
        // The grammar made the answer a call: { name, arguments }.
        toolCalls = [json as LlmToolCall];
        finishReason = 'tool_calls';
        text = '';
      }
      const result = measureCompletion({
        text,
        finishReason,
        info,
        sampling,
        measured,
        promptTokens: Math.max(0, slot.sequence.nextTokenIndex - measured.completionTokens),
        evaluatedPromptTokens: usage.usedInputTokens,
      });
      // An answer still invalid after the retries has no `json`; llm.extract refuses it.
      if (!forced && finishReason === 'stop' && json !== undefined) result.json = json;
      if (toolCalls?.length) result.toolCalls = toolCalls;
      speed.add(result.timings.tokensPerSecond, result.usage.completionTokens);
      return result;
    } finally {
      active -= 1;
      release(slot, request.sessionKey);
    }
  }

  return {
    ready,
    complete,
    status(): ModelStatus {
      const status: ModelStatus = { model: info, state, activeRequests: active };
      if (failure) status.error = failure;
      if (loaded) status.residentBytes = loaded.model.size + loaded.context.stateSize;
      const tokensPerSecond = speed.value();
      if (tokensPerSecond !== undefined) status.tokensPerSecond = tokensPerSecond;
      return status;
    },
    async close() {
      closed = true;
      stopAll.abort();
      for (const wake of waiting.splice(0)) wake();
      await ready.catch(() => undefined);
      await disposeLoaded();
    },
  };
}

/** The tool whose call the model finds likeliest to start the answer. */
async function toolByLikelihood(slot: Slot, tools: LlmTool[], history: ChatHistoryItem[]): Promise<string> {
  const starts = tools.map((tool) => `{"name": "${tool.name}"`);
  const scored = await scoreChoices(slot.chat, slot.sequence, history, starts, { end: false });
  return tools[starts.indexOf(scored.best)]?.name ?? '';
}

/**
 * The tool under whose description the user's last message is likeliest (the "channel"
 * direction, which a small model gets right far more often than naming the tool itself).
 */
async function toolByChannel(slot: Slot, tools: LlmTool[], request: LlmRequest): Promise<string> {
  const asked = request.messages.findLast((message) => message.role === 'user')?.content;
  if (!asked) return tools[0]?.name ?? '';
  let best = { name: tools[0]?.name ?? '', score: -Infinity };
  for (const tool of tools) {
    const history = toHistory({
      messages: [
        { role: 'system', content: `A request to ${tool.description ?? tool.name} (${tool.name}).` },
        { role: 'user', content: asked },
      ],
    });
    const { score } = await scoreLastMessage(slot.chat, slot.sequence, history);
    if (score > best.score) best = { name: tool.name, score };
  }
  return best.name;
}

/** The request's choices when it has any; they must be distinct, non-empty strings. */
function checkChoices(choices: LlmRequest['choices']): string[] | undefined {
  if (!choices?.length) return undefined;
  if (choices.some((choice) => typeof choice !== 'string' || choice.trim() === '')) {
    throw new InferenceError('request_invalid', 'Every one of choices must be a non-empty string.');
  }
  if (new Set(choices).size !== choices.length) {
    throw new InferenceError('request_invalid', 'choices must be different from each other.');
  }
  return choices;
}

function toHistory(request: LlmRequest): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = request.messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content };
    if (message.role === 'user') return { type: 'user', text: message.content };
    return { type: 'model', response: [message.content] };
  });
  // The answer is generated into a trailing, empty model turn.
  history.push({ type: 'model', response: [] });
  return history;
}

/**
 * For a forced tool call (`toolChoice` `required` or `{ name }`), the JSON Schema of the calls
 * allowed: `{ name, arguments }` with the tool's parameters. Undefined when the model may choose.
 */
function forcedToolSchema(request: LlmRequest): Record<string, unknown> | undefined {
  const choice = request.toolChoice;
  if (choice === undefined || choice === 'auto') return undefined;
  const tools = request.tools ?? [];
  const allowed = typeof choice === 'string' ? tools : tools.filter((tool) => tool.name === choice.name);
  if (allowed.length === 0) {
    throw new InferenceError(
      'request_invalid',
      typeof choice === 'string'
        ? 'toolChoice "required" needs at least one tool in tools.'
        : `toolChoice names "${choice.name}", which is not among the tools (${tools.map((tool) => tool.name).join(', ') || 'none'}).`,
      'list the function in tools, or leave toolChoice out',
    );
  }
  const calls = allowed.map((tool) => ({
    type: 'object',
    properties: {
      name: { const: tool.name },
      arguments: tool.parameters ?? { type: 'object', properties: {} },
    },
    required: ['name', 'arguments'],
  }));
  return calls.length === 1 ? (calls[0] as Record<string, unknown>) : { oneOf: calls };
}

/** A forced call's model sees the functions it may call, as a system message. */
function withToolInstructions(request: LlmRequest): LlmRequest {
  const choice = request.toolChoice;
  const tools = (request.tools ?? []).filter(
    (tool) => typeof choice !== 'object' || tool.name === choice.name,
  );
  const listed = tools
    .map((tool) => {
      const about = tool.description ? `: ${tool.description}` : '';
      return `- ${tool.name}${about}. Arguments (JSON Schema): ${JSON.stringify(tool.parameters ?? {})}`;
    })
    .join('\n');
  const instruction = `Answer by calling one of these functions, as JSON {"name": ..., "arguments": {...}}. Take the arguments from the conversation.\n${listed}`;
  const [first, ...rest] = request.messages;
  const messages =
    first?.role === 'system'
      ? [{ ...first, content: `${first.content}\n\n${instruction}` }, ...rest]
      : [{ role: 'system' as const, content: instruction }, ...request.messages];
  return { ...request, messages };
}

function toolFunctions(tools: NonNullable<LlmRequest['tools']>): ChatModelFunctions {
  return Object.fromEntries(
    tools.map((tool) => [
      tool.name,
      {
        ...(tool.description ? { description: tool.description } : {}),
        // A JSON Schema from the caller; node-llama-cpp turns it into a grammar for the arguments.
        ...(tool.parameters ? { params: tool.parameters as GbnfJsonSchema } : {}),
      },
    ]),
  );
}
