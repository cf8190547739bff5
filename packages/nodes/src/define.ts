import { z } from 'zod';
import type { BrowserAction } from './browser-actions.ts';
import type { Category, SideEffects } from './kinds.ts';
import { PORT_NAME_MESSAGE, PORT_NAME_PATTERN } from './pure.ts';

/** Each capability has its own Temporal task queue, so workers can be scaled per capability. */
export const CAPABILITIES = ['core', 'sandbox', 'llm', 'browser', 'messaging'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function taskQueueFor(capability: Capability): string {
  return `pincer-${capability}`;
}

/**
 * How the interpreter runs a step of this type:
 * - `activity`: an activity on the capability's task queue (side effects, long or heavy work);
 * - `local`: a local activity in the worker running the workflow (quick, cheap, no queue hop);
 * - `control`: interpreted by the workflow itself (delay, approval, for-each, sub-workflow,
 *   external activity); such nodes have no `run`.
 */
export type Execution = 'activity' | 'local' | 'control';

export interface RetryPolicy {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

/** What a node's `run` gets besides its config. Everything that touches the world goes through here. */
export interface NodeContext {
  runId: string;
  stepName: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** The step's timeout for one attempt, in ms: the work must give up by then. */
  timeoutMs: number;
  /** Aborted when the run is cancelled or the step times out. */
  signal: AbortSignal;
  /** Tells Temporal the step is alive (long steps must call it at least every heartbeat timeout). */
  heartbeat(details?: unknown): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** A secret's plaintext by name; only inside activities, never written to history or logs. */
  secret(name: string): Promise<string>;
  /** Operator settings from pincer.yaml that nodes honour (allow-lists and limits). */
  settings: NodeSettings;
  /** What the worker process provides to nodes (artifact store, sandbox, model, browser, channels). */
  services: NodeServices;
}

/** A file a step produced (a screenshot, a PDF, a file the code wrote), kept with the run. */
export interface ArtifactRef {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  /** Where an authenticated client downloads it: `/api/v1/runs/{runId}/artifacts/{id}`. */
  url: string;
}

export interface ArtifactStore {
  /** Stores bytes for a step of a run; the same content saved twice by one step is kept once. */
  save(input: {
    runId: string;
    stepName: string;
    name: string;
    mediaType: string;
    data: Uint8Array;
  }): Promise<ArtifactRef>;
  /** The bytes and metadata of an artifact, or null when there is none with that id. */
  read(id: string): Promise<{ ref: ArtifactRef; data: Buffer } | null>;
}

/** An artifact store that also keeps files that came in by chat (the local store does). */
export interface ChatFileStore extends ArtifactStore {
  /** Stores a file a chat message brought, owned by its conversation; served at /api/v1/chat/files/:id. */
  saveChatFile(input: {
    conversationId: string;
    /** The platform message id it came with: a retried store keeps it once. */
    messageId: string;
    name: string;
    mediaType: string;
    data: Uint8Array;
  }): Promise<ArtifactRef>;
  /** Lists a stored file among a run's artifacts too (a chat file given to the run it started). */
  attachToRun(input: { id: string; runId: string; stepName: string }): Promise<ArtifactRef | null>;
}

/**
 * The services a worker process gives node types. Each capability adds its own field (the
 * sandbox, the model, the browser pool, the channels); a field is absent in a process that does
 * not serve that capability, and a node that needs it fails with an error saying how to enable it.
 */
export interface NodeServices {
  artifacts?: ArtifactStore;
  /** The language model (local node-llama-cpp or an OpenAI-compatible endpoint). */
  inference?: InferenceService;
  /** Containers for shell and python steps (packages/sandbox). */
  sandbox?: SandboxService;
  /** Headless Chromium for `browser` steps (a pool of browser processes, a fresh context per step). */
  browser?: BrowserService;
  /** The chat platforms configured in `channels` (Telegram, Slack, Discord, e-mail). */
  messaging?: MessagingService;
}

/** What a shell or python step asks the sandbox to run. */
export interface SandboxRequest {
  runId: string;
  stepName: string;
  /** The interpreter and its arguments; the path of the file holding `code` is appended. */
  interpreter: readonly string[];
  code: string;
  env?: Record<string, string>;
  /** Files placed under /in, by relative name. */
  files?: Record<string, string>;
  /** Wall-clock limit: the container is killed after it and the status is `timeout`. */
  timeoutMs: number;
  limits?: { memoryMb?: number; cpus?: number; pids?: number };
  /** Hosts the code may reach through the egress proxy: `host`, `host:port`, `*.domain[:port]`. */
  allowNetwork?: readonly string[];
  /** The operator's private-address exceptions (nodes.allowPrivateHosts). */
  allowPrivateHosts?: readonly string[];
  /** Host paths mounted read-only at the same path; each must be allowed by sandbox.mounts. */
  mounts?: readonly string[];
  /** Aborting kills the container. */
  signal?: AbortSignal;
}

export type SandboxStatus = 'ok' | 'exit_nonzero' | 'timeout' | 'oom' | 'output_truncated';

export interface SandboxResult {
  status: SandboxStatus;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
  /** Files the code wrote to /out (paths relative to /out). */
  files: { name: string; size: number; data: Uint8Array }[];
  /** /out entries not returned: over the size limit, or not regular files. */
  skippedFiles: string[];
  image: string;
}

/**
 * Runs code in a fresh, locked-down container. Failures of the engine itself reject with an
 * Error whose `code` starts with `sandbox_` and whose message says how to fix it.
 */
export interface SandboxService {
  run(request: SandboxRequest): Promise<SandboxResult>;
}

/** One browser step's script, run in a fresh browser context that is closed afterwards. */
export interface BrowserScriptRequest {
  actions: readonly BrowserAction[];
  /** nodes.allowPrivateHosts: private hosts the page may reach (browser.allowHosts adds to it). */
  allowPrivateHosts: readonly string[];
  /** A Playwright storage state (cookies, local storage) as JSON, from a browser-profile credential. */
  storageState?: string;
  viewport?: { width: number; height: number };
  /** The step's deadline for the whole script, in ms. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Keeps a file the script produced (screenshot, PDF, download, failure evidence) with the run. */
  saveArtifact(file: { name: string; mediaType: string; data: Uint8Array }): Promise<ArtifactRef>;
  /** Bytes of an artifact of the run (for `upload`); absent when there is no artifact store. */
  readArtifact?(id: string): Promise<{ name: string; mediaType: string; data: Uint8Array } | null>;
  heartbeat(details?: unknown): void;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface BrowserScriptResult {
  /** Extracted values by each action's `as`. */
  data: Record<string, unknown>;
  /** Screenshots, PDFs and downloads, in action order. */
  artifacts: ArtifactRef[];
  /** Where the page ended. */
  url: string;
  title: string;
  /** One entry per action run: which, how many tries, how long. */
  actions: { action: string; selector?: string; attempts: number; ms: number }[];
}

export interface BrowserService {
  /** Runs the actions; a failing action throws a NodeError naming it, with a screenshot and the page HTML saved. */
  run(request: BrowserScriptRequest): Promise<BrowserScriptResult>;
}

/** One message to a chat platform: text, buttons and files, to a chat and thread. */
export interface ChatDelivery {
  platform: string;
  chat_id: string;
  thread_id?: string;
  reply_to?: string;
  references?: string[];
  subject?: string;
  text: string;
  files?: {
    name: string;
    mediaType?: string;
    /** An artifact of a run, sent as a file where the platform allows, else as a link. */
    artifactId?: string;
    base64?: string;
    url?: string;
  }[];
  buttons?: { label: string; data: string }[];
}

export interface DeliveryProgress {
  /** Parts (text chunks, files) an earlier attempt delivered; a retry skips them. */
  done: number;
  lastId?: string;
  onPart(done: number, lastId: string): void;
}

export interface MessagingService {
  /** The platforms configured for sending. */
  platforms(): string[];
  /**
   * Sends one message. Throws a NodeError: `chat_rate_limited` (retryable, `details.retryAfterMs`),
   * `chat_refused` / `chat_rejected` (not retryable), `chat_unavailable` (retryable).
   */
  send(message: ChatDelivery, progress?: DeliveryProgress): Promise<{ messageId: string }>;
  /**
   * Fetches the bytes of a file a chat message brought, through its platform, up to the
   * configured cap. Throws a NodeError: `chat_too_large` (not retryable, the file is bigger than
   * the cap), `chat_rejected` / `chat_refused` (not retryable), `chat_unavailable` (retryable).
   */
  fetchAttachment?(
    platform: string,
    attachment: { type: string; url: string; name?: string; mediaType?: string; size?: number },
  ): Promise<{ name: string; mediaType: string; data: Buffer }>;
}

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  messages: LlmMessage[];
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Constrains the answer to JSON valid for this JSON Schema (a grammar locally); `json` holds it parsed. */
  jsonSchema?: Record<string, unknown>;
  /** A conversation key: turns with the same key reuse the evaluated prompt prefix. */
  sessionKey?: string;
  signal?: AbortSignal;
  /** Gives up after this long; the answer so far comes back with finishReason `timeout`. */
  timeoutMs?: number;
  /** Functions the model may call instead of answering; calls come back in `toolCalls`. */
  tools?: LlmTool[];
  /**
   * `auto` (default): the model chooses between answering and calling. `required`: it must call
   * one of `tools`; `{ name }`: it must call that one. Forced calls are grammar-constrained
   * locally, so even a small model that cannot call functions by itself produces a valid call.
   */
  toolChoice?: 'auto' | 'required' | { name: string };
  /**
   * The answer is one of these strings. The local provider reads each after the prompt and returns
   * the one the model finds likeliest (nothing is sampled), with every choice's log-probability in
   * `choiceScores`. A provider that cannot score choices generates under `jsonSchema` instead, so
   * give both (`jsonSchema: { enum: choices }`).
   */
  choices?: string[];
  /**
   * Nothing is generated: the result's `logProbability` says how likely the model finds the last
   * user message's text after the messages before it (local provider only; others leave it out).
   */
  scoreOnly?: boolean;
  /** Streams the answer as it is generated. */
  onToken?(text: string): void;
}

export interface LlmTool {
  /** snake_case function name the model calls. */
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
}

export interface LlmToolCall {
  name: string;
  arguments: unknown;
}

export interface LlmResult {
  text: string;
  /** The parsed answer when `jsonSchema` was given. */
  json?: unknown;
  /** `tool_calls`: the model called `tools` (see `toolCalls`); `timeout`: `timeoutMs` ran out. */
  finishReason: 'stop' | 'length' | 'cancelled' | 'timeout' | 'tool_calls';
  toolCalls?: LlmToolCall[];
  /** With `choices`, scored locally: each choice's total log-probability (natural log, 0 is certain). */
  choiceScores?: Record<string, number>;
  /** With `scoreOnly`: the last user message's total log-probability. */
  logProbability?: number;
  model: ModelInfo;
  /** The sampling that produced it, so the step can be reproduced. */
  sampling: {
    temperature: number;
    seed: number;
    maxTokens: number;
    /** Set when a JSON answer cut off by max_tokens was sampled again with a repeat penalty. */
    repeatPenalty?: number;
  };
  /**
   * `promptTokens`: the whole prompt; `evaluatedPromptTokens`: the part evaluated for this request
   * (less when the conversation's prefix was still cached).
   */
  usage: { promptTokens: number; completionTokens: number; evaluatedPromptTokens?: number };
  timings: { firstTokenMs: number; totalMs: number; tokensPerSecond: number };
}

/** What is loaded; the studio's Models page and the worker's health report show it. */
export interface ModelInfo {
  name: string;
  provider: 'local' | 'openai';
  /** The GGUF file's sha256 (local) or the endpoint's model id. */
  sha256?: string;
  file?: string;
  sizeBytes?: number;
  contextSize?: number;
}

export interface InferenceService {
  complete(request: LlmRequest): Promise<LlmResult>;
  /** The loaded model, its resident memory and measured speed. */
  status(): ModelStatus;
}

export interface ModelStatus {
  model: ModelInfo;
  state: 'loading' | 'ready' | 'failed';
  error?: string;
  residentBytes?: number;
  /** Tokens/s averaged over recent requests, absent before the first. */
  tokensPerSecond?: number;
  activeRequests: number;
}

export interface NodeSettings {
  /** Hosts (or CIDR ranges) that HTTP and browser steps may reach although private. */
  allowPrivateHosts: readonly string[];
}

/**
 * A node's ports computed from its config. Method syntax on purpose, as for `run`: a list holds
 * nodes of every config type.
 */
type PortsOf<Config extends z.ZodType> = {
  ports(config: z.output<Config>): readonly string[];
}['ports'];

/** What docs/nodes.md and the tests take from a node type, kept with its definition. */
export interface NodeDocs {
  /** A whole workflow (YAML) using the node type; docs.test.ts compiles it. */
  example: string;
  /** What the node does with the step's common fields, where that is not the usual. */
  notes?: string;
  /** The smallest config a step of this type can have; schemas.test.ts parses it. */
  minimal: Record<string, unknown>;
}

export interface NodeDefinition<
  Config extends z.ZodType = z.ZodType,
  Output = unknown,
  Type extends string = string,
  Exec extends Execution = Execution,
  Cat extends Category = Category,
> {
  /** Stable id used in YAML (`type: http_request`); snake_case, dotted for families (`llm.chat`). */
  type: Type;
  title: string;
  description: string;
  category: Cat;
  capability: Capability;
  execution: Exec;
  /** Whether a step of this type may change something outside its run (see kinds.ts). */
  sideEffects: SideEffects;
  /** The example, notes and minimal config; every built-in node has them (builtin.ts). */
  docs?: NodeDocs;
  /**
   * The step's own fields (everything but name/type/needs/when/on_error/retry/timeout). A strict
   * object: it validates YAML and API input, gives the TypeScript type, the studio's form and
   * the LLM tool schema.
   */
  config: Config;
  /**
   * Output ports; `main` for most nodes, `true`/`false` for a condition, computed from the config
   * for a switch. Every step also has the implicit `error` port.
   */
  outputs: readonly string[] | PortsOf<Config>;
  /** Defaults for steps of this type that do not set their own. */
  defaults?: { timeoutMs?: number; retry?: Partial<RetryPolicy> };
  /** The work, for `activity` and `local` nodes. The config arrives with expressions resolved and re-validated. */
  // Method syntax on purpose: a registry holds nodes of every config type.
  run?(config: z.output<Config>, context: NodeContext): Promise<Output>;
  /**
   * The work of a node that is a pure function of its config (no I/O, no clock, no randomness),
   * instead of `run`. Built-in pure nodes (see pure.ts) run inside the interpreter workflow, with
   * no activity; a plugin's run as local activities.
   */
  pure?(config: z.output<Config>): Output;
}

/**
 * Declares a node type; the identity function that lets TypeScript infer the config type for
 * `run`, and keeps the type, execution and category literal (builtin.ts derives from them).
 */
export function defineNode<
  Config extends z.ZodType,
  Output,
  const Type extends string,
  const Exec extends Execution,
  const Cat extends Category,
  Docs extends NodeDocs | undefined = undefined,
>(
  definition: NodeDefinition<Config, Output, Type, Exec, Cat> & { docs?: Docs },
): NodeDefinition<Config, Output, Type, Exec, Cat> & { docs: Docs } {
  // An absent `docs` is the `undefined` Docs then stands for.
  return definition as NodeDefinition<Config, Output, Type, Exec, Cat> & { docs: Docs };
}

/** Node type ids: snake_case, optionally in dotted families (`http_request`, `llm.chat`). */
export const NODE_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** What a node's output port may be named. */
export const portName = z.string().regex(PORT_NAME_PATTERN, PORT_NAME_MESSAGE);
