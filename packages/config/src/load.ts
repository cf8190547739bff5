import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { applyEnv, envNameForPath } from './env.ts';
import { ConfigError } from './errors.ts';
import { ConfigSchema, type ParsedConfig } from './schema.ts';
import { closest } from './suggest.ts';

export interface PincerConfig extends ParsedConfig {
  /** Absolute path of the pincer.yaml that was read, or null when none exists. */
  configFile: string | null;
  cacheDir: string;
  artifacts: ParsedConfig['artifacts'] & { dir: string };
  server: ParsedConfig['server'] & { publicUrl: string };
  worker: ParsedConfig['worker'] & { healthUrl: string };
  gateway: ParsedConfig['gateway'] & { healthUrl: string };
  llmWorker: ParsedConfig['llmWorker'] & { healthUrl: string };
}

export interface LoadConfigOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; it must exist. Defaults to $PINCER_CONFIG, then ./pincer.yaml if present. */
  file?: string;
}

export const CONFIG_FILE_NAME = 'pincer.yaml';

export function loadConfig(options: LoadConfigOptions = {}): PincerConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const configFile = locateConfigFile(cwd, options.file ?? env.PINCER_CONFIG);
  const fileValues = configFile ? readConfigFile(configFile) : {};
  const source = configFile ? path.basename(configFile) : CONFIG_FILE_NAME;

  const fromFile = ConfigSchema.safeParse(fileValues);
  if (!fromFile.success) throw describeIssue(fromFile.error, source, null);

  const merged = applyEnv(fileValues, env);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw describeIssue(result.error, source, env);

  const parsed = result.data;
  const baseDir = configFile ? path.dirname(configFile) : cwd;
  const dataDir = path.resolve(baseDir, parsed.dataDir);
  const cacheDir = parsed.cacheDir ? path.resolve(baseDir, parsed.cacheDir) : path.join(dataDir, 'cache');
  const browserHost = parsed.server.host === '0.0.0.0' ? '127.0.0.1' : parsed.server.host;
  return {
    ...parsed,
    dataDir,
    cacheDir,
    artifacts: {
      ...parsed.artifacts,
      dir: parsed.artifacts.dir
        ? path.resolve(baseDir, parsed.artifacts.dir)
        : path.join(dataDir, 'artifacts'),
    },
    configFile,
    llm: { ...parsed.llm, model: resolveModelPath(parsed.llm.model, baseDir) },
    server: {
      ...parsed.server,
      publicUrl: parsed.server.publicUrl ?? `http://${browserHost}:${parsed.server.port}`,
    },
    worker: {
      ...parsed.worker,
      healthUrl: parsed.worker.healthUrl ?? localHealthUrl(parsed.worker.healthPort),
    },
    gateway: {
      ...parsed.gateway,
      healthUrl: parsed.gateway.healthUrl ?? localHealthUrl(parsed.gateway.healthPort),
    },
    llmWorker: {
      ...parsed.llmWorker,
      healthUrl: parsed.llmWorker.healthUrl ?? localHealthUrl(parsed.llmWorker.healthPort),
    },
  };
}

function localHealthUrl(port: number): string {
  return `http://127.0.0.1:${port}/health`;
}

function locateConfigFile(cwd: string, explicit: string | undefined): string | null {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new ConfigError(
        'config_unreadable',
        `Config file ${file} does not exist: create it or point PINCER_CONFIG at an existing file.`,
      );
    }
    return file;
  }
  const file = path.join(cwd, CONFIG_FILE_NAME);
  return existsSync(file) ? file : null;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('config_unreadable', `Cannot read ${file}: ${(error as Error).message}.`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` line ${error.linePos[0].line}` : '';
    const reason =
      error instanceof Error ? (error.message.split('\n')[0] ?? '').replace(/:$/, '') : String(error);
    throw new ConfigError('config_not_yaml', `${path.basename(file)}${where} is not valid YAML: ${reason}.`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      'config_not_yaml',
      `${path.basename(file)} must be a mapping of keys (like "server:"), not a ${Array.isArray(value) ? 'list' : typeof value}.`,
    );
  }
  return value as Record<string, unknown>;
}

/** Turns the first schema issue into one line that names the key (or env var) and the fix. */
function describeIssue(error: z.ZodError, source: string, env: NodeJS.ProcessEnv | null): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError('config_invalid_value', `${source} is invalid.`);
  const where = issue.path.length > 0 ? issue.path.join('.') : 'top level';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    const key = issue.keys[0] ?? '';
    const hint = closest(key, known);
    const prefix = issue.path.length > 0 ? `${where}.` : '';
    return new ConfigError(
      'config_unknown_key',
      `${source}: unknown key "${prefix}${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known keys here: ${known.join(', ')}. Rename or remove it${more}.`,
    );
  }

  const envName = env ? envNameForPath(issue.path) : undefined;
  if (envName && env?.[envName]) {
    return new ConfigError(
      'config_invalid_value',
      `${envName}=${JSON.stringify(redact(envName, env[envName]))} is invalid: ${issue.message}. Fix or unset ${envName}${more}.`,
    );
  }
  return new ConfigError(
    'config_invalid_value',
    `${source}: ${where}: ${issue.message}. Fix this value in ${source}${more}.`,
  );
}

function redact(name: string, value: string): string {
  if (/PASSWORD|SECRET|KEY/.test(name)) return '***';
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function knownKeysAt(issuePath: readonly PropertyKey[]): string[] {
  let shape: z.ZodType = ConfigSchema;
  for (const key of issuePath) {
    const inner = unwrap(shape);
    const next = 'shape' in inner ? (inner.shape as Record<string, z.ZodType>)[String(key)] : undefined;
    if (!next) return [];
    shape = next;
  }
  const inner = unwrap(shape);
  return 'shape' in inner ? Object.keys(inner.shape as Record<string, z.ZodType>) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while ('unwrap' in current && typeof current.unwrap === 'function') {
    current = current.unwrap() as z.ZodType;
  }
  const def = current.def as { innerType?: z.ZodType };
  return def.innerType ? unwrap(def.innerType) : current;
}

/** A relative .gguf path in llm.model is relative to the config file, like dataDir; names and URIs stay. */
function resolveModelPath(model: string, baseDir: string): string {
  if (/^(hf:|huggingface:|https?:\/\/)/.test(model)) return model;
  const isPath = model.includes('/') || model.includes(path.sep) || model.toLowerCase().endsWith('.gguf');
  return isPath ? path.resolve(baseDir, model) : model;
}
