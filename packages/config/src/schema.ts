import { z } from 'zod';
import { platformSections } from './channels.ts';

const port = z.number().int().min(1).max(65535);

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. temporal.internal:7233');

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL');

/** Where a background process serves GET /health, and where others reach it. */
const processHealth = (defaultPort: number) =>
  z.strictObject({
    healthHost: z.string().min(1).default('127.0.0.1'),
    healthPort: port.default(defaultPort),
    /** How other processes reach it; defaults to http://127.0.0.1:<healthPort>/health. */
    healthUrl: z.url().optional(),
  });

/** The capability task queues a worker can serve (the nodes package names the same ones). */
export const WORKER_CAPABILITIES = ['core', 'sandbox', 'llm', 'browser', 'messaging'] as const;

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

const channels = z
  .strictObject({
    /**
     * People who approve pairings and chat-started runs with side effects, as "platform:user id"
     * (e.g. "telegram:123456"); they are allowed on every channel.
     */
    owners: z.array(z.string().regex(/^[a-z]+:.+$/, 'expected "platform:user id"')).default([]),
    /** Workflows people may run from chat although they have side effects (shell, http, message...). */
    workflows: z.array(z.string().min(1)).default([]),
    /** Where the gateway serves platform callbacks (Telegram webhook, Slack Events API). */
    webhookHost: z.string().min(1).default('127.0.0.1'),
    webhookPort: port.default(3003),
    /**
     * Largest file a chat message may bring (photos, documents); it is copied into the artifact
     * store. Bigger files are refused with a message to the sender.
     */
    maxAttachmentBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** One section per platform (see ./channels.ts): a channel is on when its section is there. */
    ...platformSections,
  })
  .prefault({});

export const ConfigSchema = z.strictObject({
  /** Where the embedded default keeps its state (database, Temporal, models, keys). */
  dataDir: z.string().min(1).default('.pincer'),
  /** Downloaded tools (Temporal CLI, models, images); defaults to dataDir/cache. Safe to share. */
  cacheDir: z.string().min(1).optional(),
  logLevel: logLevel.default('info'),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(3000),
      /** The URL people use to reach the studio; defaults to http://host:port. */
      publicUrl: z.url().optional(),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** An external PostgreSQL; when absent the embedded PostgreSQL is provisioned and started. */
      url: postgresUrl.optional(),
      embedded: z.strictObject({ port: port.default(54329) }).prefault({}),
    })
    .prefault({}),
  temporal: z
    .strictObject({
      /** An external Temporal frontend; when absent the Temporal dev server is provisioned and started. */
      address: hostPort.optional(),
      namespace: z.string().min(1).default('default'),
      embedded: z
        .strictObject({
          port: port.default(7233),
          /** Serve the Temporal Web UI on this port (off when absent). */
          uiPort: port.optional(),
          version: z.string().default('1.9.1'),
          /**
           * What a write to the dev server's SQLite file survives before it is acknowledged:
           * `process` (WAL, synchronous=normal) survives any process crash, kill -9 included; an
           * OS crash or power loss may drop the last transactions. `system` (WAL,
           * synchronous=full) also survives those, at one fsync per commit.
           */
          durability: z.enum(['process', 'system']).default('process'),
          /**
           * Dev server dynamic config (`--dynamic-config-value KEY=VALUE`), over Pincer's defaults
           * (history queue readers polled without a rate limit; see docs/configuration.md).
           */
          dynamicConfig: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
        })
        .prefault({}),
    })
    .prefault({}),
  worker: processHealth(3001)
    .extend({
      /**
       * Which capability task queues this worker serves (core, sandbox, llm, browser, messaging);
       * all by default. Start more workers with a subset to scale one capability.
       */
      capabilities: z.array(z.enum(WORKER_CAPABILITIES)).min(1).optional(),
    })
    .prefault({}),
  /**
   * The model's own worker process (the llm capability) under `pincer start`, so a native crash in
   * the model cannot take down the core, sandbox, browser or messaging workers.
   */
  llmWorker: processHealth(3004)
    .extend({
      /** false serves the llm queue in the main worker process instead. */
      separate: z.boolean().default(true),
    })
    .prefault({}),
  gateway: processHealth(3002).prefault({}),
  /** Chat platforms the gateway connects to and the worker answers on. */
  channels,
  nodes: z
    .strictObject({
      /** Private, loopback or link-local hosts/CIDRs that HTTP and browser steps may reach (SSRF guard). */
      allowPrivateHosts: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      /**
       * The image shell and python steps run in. Absent: Pincer's default image (Debian with bash,
       * coreutils, curl, python3, pandas, requests, pyyaml), built locally by `npm start` or
       * `pincer sandbox build-image`. Name another image your engine has (or can pull).
       */
      image: z.string().min(1).optional(),
      /** Memory per container in MiB, swap included (no swap beyond it); a step may ask for less or more, up to maxMemoryMb. */
      memoryMb: z.number().int().min(16).max(65536).default(512),
      /** CPUs per container (fractions allowed); a step may ask for up to maxCpus. */
      cpus: z.number().min(0.1).max(64).default(1),
      /** Processes and threads per container (contains fork bombs); a step may ask for up to maxPids. */
      pids: z.number().int().min(8).max(32768).default(128),
      /** The most memory (MiB) a step may ask for with `memory_mb`: the operator's cap, not the editor's. */
      maxMemoryMb: z.number().int().min(16).max(1_048_576).default(2048),
      /** The most CPUs a step may ask for with `cpus`. */
      maxCpus: z.number().min(0.1).max(1024).default(2),
      /** The most processes a step may ask for with `pids`. */
      maxPids: z.number().int().min(8).max(4_194_304).default(1024),
      /** Files returned from /out per step (each becomes an artifact); the rest are listed as skipped. */
      maxOutFiles: z.number().int().min(0).max(10_000).default(100),
      /** Size of the writable /tmp (tmpfs) in MiB. */
      tmpMb: z.number().int().min(1).max(16384).default(64),
      /** Bytes of stdout and of stderr kept per step; the rest is dropped with a marker. */
      maxOutputBytes: z.number().int().min(1024).max(1_048_576).default(262_144),
      /** Bytes of files returned from /out per step. */
      maxOutFilesBytes: z.number().int().min(0).max(1_073_741_824).default(52_428_800),
      /** Containers created ahead of time so a step does not wait for one (0 turns the pool off). */
      poolSize: z.number().int().min(0).max(32).default(2),
      /** Host paths steps may mount read-only (`mounts: [/var/log]`), and everything below them. */
      mounts: z.array(z.string().regex(/^\//, 'expected an absolute path, e.g. /var/log')).default([]),
    })
    .superRefine((sandbox, context) => {
      for (const [value, max] of [
        ['memoryMb', 'maxMemoryMb'],
        ['cpus', 'maxCpus'],
        ['pids', 'maxPids'],
      ] as const) {
        if (sandbox[value] > sandbox[max]) {
          context.addIssue({
            code: 'custom',
            path: [value],
            message: `sandbox.${value} (${sandbox[value]}) is above sandbox.${max} (${sandbox[max]}): lower it or raise ${max}`,
          });
        }
      }
    })
    .prefault({}),
  browser: z
    .strictObject({
      /** Chromium or Chrome binary; auto-detected (PATH, then the usual install locations) when absent. */
      executablePath: z.string().min(1).optional(),
      /** Browser processes the worker keeps for the browser queue (each runs steps in fresh contexts). */
      poolSize: z.number().int().min(1).max(16).default(1),
      /** Browser steps that run at once per worker (they share the pool's processes). */
      maxConcurrentSteps: z.number().int().min(1).max(64).default(2),
      /** Extra private/loopback hosts or CIDRs browser steps may reach (with nodes.allowPrivateHosts). */
      allowHosts: z.array(z.string().min(1)).default([]),
      /** Default per-action timeout in ms (an action's `timeoutMs` overrides it). */
      actionTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
      /** Largest download a step may keep, in bytes. */
      maxDownloadBytes: z
        .number()
        .int()
        .min(1)
        .default(50 * 1024 * 1024),
      /** Allow the `evaluate` action (runs arbitrary JavaScript in the page). */
      allowEvaluate: z.boolean().default(false),
    })
    .prefault({}),
  artifacts: z
    .strictObject({
      /** Where step files (screenshots, PDFs, sandbox /out files, attachments) are kept; dataDir/artifacts by default. Web and workers must share it. */
      dir: z.string().min(1).optional(),
      /** Largest file one step may store, in bytes. */
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(100 * 1024 * 1024),
      /** `disk` keeps the bytes in `dir` (the embedded default); `s3` in an S3-compatible bucket (`s3`). */
      store: z.enum(['disk', 's3']).default('disk'),
      /** The S3-compatible store used when `store` is `s3` (AWS S3, SeaweedFS, MinIO, R2…). */
      s3: z
        .strictObject({
          /** The API root, like http://seaweedfs:8333; AWS S3 when absent. */
          endpoint: z.url().optional(),
          bucket: z.string().min(3).optional(),
          region: z.string().min(1).default('us-east-1'),
          /** Address buckets as endpoint/bucket rather than bucket.endpoint (most self-hosted stores need it). */
          forcePathStyle: z.boolean().default(true),
          /** Prepended to every object key, so several installations can share a bucket. */
          prefix: z.string().default(''),
          /** With `secretAccessKey`; when both are absent the AWS SDK's own chain (AWS_* variables, instance role) is used. */
          accessKeyId: z.string().min(1).optional(),
          secretAccessKey: z.string().min(1).optional(),
          /** How long a presigned download link stays valid, in seconds. */
          linkExpirySeconds: z.int().min(1).max(604_800).default(900),
        })
        .prefault({}),
    })
    .refine((value) => value.store !== 's3' || value.s3.bucket, {
      message: 'store s3 needs s3.bucket (PINCER_S3_BUCKET): name an existing bucket',
      path: ['s3', 'bucket'],
    })
    .refine((value) => !value.s3.accessKeyId === !value.s3.secretAccessKey, {
      message:
        'set both s3.accessKeyId and s3.secretAccessKey, or neither (to use the AWS SDK credential chain)',
      path: ['s3', 'secretAccessKey'],
    })
    .prefault({}),
  llm: z
    .strictObject({
      /** `local` runs a GGUF model in the worker (node-llama-cpp); `openai` calls an OpenAI-compatible API. */
      provider: z.enum(['local', 'openai']).default('local'),
      /** A provisioned model by name (smollm2-135m, gemma3-270m), a path to a .gguf file, or an hf: URI. */
      model: z.string().min(1).default('smollm2-135m'),
      /** Tokens each conversation holds (prompt + answer). */
      contextSize: z.int().min(256).max(131072).default(2048),
      /** Requests evaluated side by side in one batch; more wait their turn. */
      sequences: z.int().min(1).max(64).default(8),
      /** CPU threads for the model; defaults to the machine's cores less one. */
      threads: z.int().min(1).max(256).optional(),
      /** Tokens evaluated per batch (node-llama-cpp's default when absent). */
      batchSize: z.int().min(1).max(8192).optional(),
      /** `auto` uses a GPU when one is found; `off` keeps the model on the CPU. */
      gpu: z.enum(['auto', 'off']).default('auto'),
      /** The longest answer when a step does not set max_tokens. */
      maxTokens: z.int().min(1).max(32768).default(512),
      openai: z
        .strictObject({
          /** The API root, e.g. http://127.0.0.1:11434/v1 for Ollama. */
          baseUrl: z.url().optional(),
          model: z.string().min(1).optional(),
          apiKey: z.string().min(1).optional(),
        })
        .prefault({}),
    })
    .superRefine((llm, context) => {
      if (llm.provider !== 'openai') return;
      for (const key of ['baseUrl', 'model'] as const) {
        if (!llm.openai[key]) {
          context.addIssue({
            code: 'custom',
            path: ['openai', key],
            message: `llm.provider is openai: set llm.openai.${key} (e.g. ${key === 'baseUrl' ? 'http://127.0.0.1:11434/v1' : 'llama3.2'})`,
          });
        }
      }
    })
    .prefault({}),
  admin: z
    .strictObject({
      email: z.email().default('admin@pincer.local'),
      /** Initial owner password; generated and printed once on first start when absent. */
      password: z.string().min(12, 'use at least 12 characters').optional(),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      /** Base64 of 32 random bytes used for AES-256-GCM; generated into dataDir/secret.key when absent. */
      key: z
        .string()
        .refine((v) => Buffer.from(v, 'base64').length === 32, 'expected base64 of exactly 32 bytes')
        .optional(),
    })
    .prefault({}),
});

export type PincerConfigInput = z.input<typeof ConfigSchema>;
export type ParsedConfig = z.output<typeof ConfigSchema>;
