import { CHANNEL_ENV_BINDINGS } from './channels.ts';
import { ConfigError } from './errors.ts';
import { closest } from './suggest.ts';

type EnvKind = 'string' | 'port' | 'list' | 'boolean';

interface EnvBinding {
  path: readonly string[];
  kind: EnvKind;
  description: string;
}

/** Every environment variable Pincer reads, and the config key it overrides. */
export const ENV_BINDINGS = {
  DATABASE_URL: { path: ['database', 'url'], kind: 'string', description: 'external PostgreSQL URL' },
  TEMPORAL_ADDRESS: {
    path: ['temporal', 'address'],
    kind: 'string',
    description: 'external Temporal host:port',
  },
  TEMPORAL_NAMESPACE: { path: ['temporal', 'namespace'], kind: 'string', description: 'Temporal namespace' },
  PINCER_DATA_DIR: {
    path: ['dataDir'],
    kind: 'string',
    description: 'state directory of the embedded default',
  },
  PINCER_ARTIFACTS_DIR: {
    path: ['artifacts', 'dir'],
    kind: 'string',
    description: 'step files (screenshots, PDFs, sandbox outputs); shared by web and workers',
  },
  PINCER_ARTIFACTS_STORE: { path: ['artifacts', 'store'], kind: 'string', description: 'disk|s3' },
  PINCER_S3_ENDPOINT: {
    path: ['artifacts', 's3', 'endpoint'],
    kind: 'string',
    description: 'S3-compatible API root',
  },
  PINCER_S3_BUCKET: {
    path: ['artifacts', 's3', 'bucket'],
    kind: 'string',
    description: 'bucket of step and chat files',
  },
  PINCER_S3_REGION: { path: ['artifacts', 's3', 'region'], kind: 'string', description: 'S3 region' },
  PINCER_S3_FORCE_PATH_STYLE: {
    path: ['artifacts', 's3', 'forcePathStyle'],
    kind: 'boolean',
    description: 'true|false: path-style bucket addressing',
  },
  PINCER_S3_PREFIX: { path: ['artifacts', 's3', 'prefix'], kind: 'string', description: 'object key prefix' },
  PINCER_S3_ACCESS_KEY_ID: {
    path: ['artifacts', 's3', 'accessKeyId'],
    kind: 'string',
    description: 'S3 access key',
  },
  PINCER_S3_SECRET_ACCESS_KEY: {
    path: ['artifacts', 's3', 'secretAccessKey'],
    kind: 'string',
    description: 'S3 secret key',
  },
  PINCER_CACHE_DIR: { path: ['cacheDir'], kind: 'string', description: 'download cache directory' },
  PINCER_LOG_LEVEL: { path: ['logLevel'], kind: 'string', description: 'trace|debug|info|warn|error|fatal' },
  PINCER_HOST: { path: ['server', 'host'], kind: 'string', description: 'studio listen address' },
  PINCER_PORT: { path: ['server', 'port'], kind: 'port', description: 'studio port' },
  PINCER_PUBLIC_URL: { path: ['server', 'publicUrl'], kind: 'string', description: 'public studio URL' },
  PINCER_POSTGRES_PORT: {
    path: ['database', 'embedded', 'port'],
    kind: 'port',
    description: 'embedded PostgreSQL port',
  },
  PINCER_TEMPORAL_PORT: {
    path: ['temporal', 'embedded', 'port'],
    kind: 'port',
    description: 'embedded Temporal port',
  },
  PINCER_TEMPORAL_UI_PORT: {
    path: ['temporal', 'embedded', 'uiPort'],
    kind: 'port',
    description: 'embedded Temporal Web UI port',
  },
  PINCER_TEMPORAL_DURABILITY: {
    path: ['temporal', 'embedded', 'durability'],
    kind: 'string',
    description: 'embedded Temporal durability: process|system',
  },
  PINCER_WORKER_HEALTH_PORT: {
    path: ['worker', 'healthPort'],
    kind: 'port',
    description: 'worker health port',
  },
  PINCER_GATEWAY_HEALTH_PORT: {
    path: ['gateway', 'healthPort'],
    kind: 'port',
    description: 'gateway health port',
  },
  PINCER_WORKER_HEALTH_HOST: {
    path: ['worker', 'healthHost'],
    kind: 'string',
    description: 'worker health listen address',
  },
  PINCER_WORKER_HEALTH_URL: {
    path: ['worker', 'healthUrl'],
    kind: 'string',
    description: 'worker health URL',
  },
  PINCER_WORKER_CAPABILITIES: {
    path: ['worker', 'capabilities'],
    kind: 'list',
    description: 'comma-separated task queue capabilities this worker serves',
  },
  PINCER_LLM_WORKER: {
    path: ['llmWorker', 'separate'],
    kind: 'boolean',
    description: 'true|false: run the model in its own worker process under pincer start',
  },
  PINCER_LLM_WORKER_HEALTH_PORT: {
    path: ['llmWorker', 'healthPort'],
    kind: 'port',
    description: 'llm worker health port',
  },
  PINCER_LLM_WORKER_HEALTH_URL: {
    path: ['llmWorker', 'healthUrl'],
    kind: 'string',
    description: 'llm worker health URL',
  },
  PINCER_GATEWAY_HEALTH_HOST: {
    path: ['gateway', 'healthHost'],
    kind: 'string',
    description: 'gateway health listen address',
  },
  PINCER_GATEWAY_HEALTH_URL: {
    path: ['gateway', 'healthUrl'],
    kind: 'string',
    description: 'gateway health URL',
  },
  PINCER_ALLOW_PRIVATE_HOSTS: {
    path: ['nodes', 'allowPrivateHosts'],
    kind: 'list',
    description: 'comma-separated hosts/CIDRs steps may reach although private',
  },
  PINCER_SANDBOX_IMAGE: {
    path: ['sandbox', 'image'],
    kind: 'string',
    description: 'image for shell and python steps',
  },
  PINCER_SANDBOX_MOUNTS: {
    path: ['sandbox', 'mounts'],
    kind: 'list',
    description: 'comma-separated host paths steps may mount read-only',
  },
  PINCER_BROWSER_PATH: {
    path: ['browser', 'executablePath'],
    kind: 'string',
    description: 'Chromium binary for browser steps',
  },
  PINCER_BROWSER_ALLOW_HOSTS: {
    path: ['browser', 'allowHosts'],
    kind: 'list',
    description: 'comma-separated private hosts/CIDRs browser steps may reach',
  },
  PINCER_LLM_PROVIDER: { path: ['llm', 'provider'], kind: 'string', description: 'local|openai' },
  PINCER_LLM_MODEL: {
    path: ['llm', 'model'],
    kind: 'string',
    description: 'model name, .gguf path or hf: URI',
  },
  PINCER_LLM_BASE_URL: {
    path: ['llm', 'openai', 'baseUrl'],
    kind: 'string',
    description: 'OpenAI-compatible API root',
  },
  PINCER_LLM_API_KEY: {
    path: ['llm', 'openai', 'apiKey'],
    kind: 'string',
    description: 'OpenAI-compatible API key',
  },
  PINCER_ADMIN_EMAIL: { path: ['admin', 'email'], kind: 'string', description: 'initial owner e-mail' },
  PINCER_ADMIN_PASSWORD: {
    path: ['admin', 'password'],
    kind: 'string',
    description: 'initial owner password',
  },
  ...CHANNEL_ENV_BINDINGS,
  PINCER_GATEWAY_WEBHOOK_HOST: {
    path: ['channels', 'webhookHost'],
    kind: 'string',
    description: "listen address of the gateway's platform callbacks",
  },
  PINCER_GATEWAY_WEBHOOK_PORT: {
    path: ['channels', 'webhookPort'],
    kind: 'port',
    description: "port of the gateway's platform callbacks",
  },
  PINCER_SECRET_KEY: { path: ['secrets', 'key'], kind: 'string', description: 'base64 AES-256 key' },
} as const satisfies Record<string, EnvBinding>;

export type EnvName = keyof typeof ENV_BINDINGS;

/** Variables that steer loading itself rather than a config key. */
export const LOADER_ENV = ['PINCER_CONFIG'] as const;

/** Variables of Pincer's clients, not configuration: the `pincer` CLI's API token. */
export const CLIENT_ENV = ['PINCER_TOKEN'] as const;

export function envNameForPath(path: readonly PropertyKey[]): EnvName | undefined {
  const key = path.join('.');
  return (Object.keys(ENV_BINDINGS) as EnvName[]).find((name) => ENV_BINDINGS[name].path.join('.') === key);
}

function parseEnvValue(name: string, kind: EnvKind, raw: string): string | number | boolean | string[] {
  if (kind === 'string') return raw;
  if (kind === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new ConfigError(
      'config_invalid_env',
      `${name}=${JSON.stringify(raw)} is not a boolean: set it to true or false.`,
    );
  }
  if (kind === 'list') {
    return raw
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(
      'config_invalid_env',
      `${name}=${JSON.stringify(raw)} is not a port number: set it to an integer between 1 and 65535.`,
    );
  }
  return value;
}

type Tree = { [key: string]: unknown };

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      node = child as Tree;
    } else {
      const created: Tree = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * Lays the environment over the file's values. Empty variables count as unset, and an unknown
 * PINCER_* variable is an error: a typo there would otherwise be silently ignored.
 */
export function applyEnv(fileValues: Tree, env: NodeJS.ProcessEnv): Tree {
  const merged: Tree = structuredClone(fileValues);
  const known = new Set<string>([...Object.keys(ENV_BINDINGS), ...LOADER_ENV, ...CLIENT_ENV]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('PINCER_') && !known.has(name)) {
      const candidates = [...known].filter((k) => k.startsWith('PINCER_'));
      const hint = closest(name, candidates);
      throw new ConfigError(
        'config_unknown_env',
        `Unknown environment variable ${name}${hint ? ` (did you mean ${hint}?)` : ''}: unset it or use one of ${candidates.join(', ')}.`,
      );
    }
  }
  for (const name of Object.keys(ENV_BINDINGS) as EnvName[]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const binding = ENV_BINDINGS[name];
    setPath(merged, binding.path, parseEnvValue(name, binding.kind, raw));
  }
  return merged;
}
