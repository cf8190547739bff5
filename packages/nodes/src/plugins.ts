import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  CAPABILITIES,
  NODE_TYPE_PATTERN,
  type NodeContext,
  type NodeDefinition,
  portName,
} from './define.ts';
import { CATEGORIES, SIDE_EFFECTS } from './kinds.ts';
import type { PluginNode } from './registry.ts';

const PLUGIN_FILE = /\.(ts|mjs|js)$/;
/** Type declarations and tests sit next to plugins without being plugins. */
const NOT_PLUGIN_FILE = /\.(d|test|spec)\.(ts|mjs|js)$/;

const isFunction = (value: unknown) => typeof value === 'function';

/**
 * What a plugin's node definition must look like at run time. `control` is not offered: control
 * nodes are interpreted by the workflow itself, so only built-in ones can exist.
 */
const pluginDefinition = z.object({
  type: z
    .string()
    .regex(
      NODE_TYPE_PATTERN,
      'expected a snake_case type such as send_invoice (dots allowed: crm.create_lead)',
    ),
  title: z.string().min(1),
  description: z.string(),
  category: z.enum(CATEGORIES),
  capability: z.enum(CAPABILITIES),
  execution: z.enum(['activity', 'local'], {
    error: 'expected "activity" or "local" (control nodes are built in)',
  }),
  sideEffects: z.enum(SIDE_EFFECTS).default('external'),
  docs: z
    .object({ example: z.string(), notes: z.string().optional(), minimal: z.record(z.string(), z.unknown()) })
    .optional(),
  config: z.custom<z.ZodObject>((value) => value instanceof z.ZodObject, {
    error: "expected a zod object schema of the step's fields, e.g. z.strictObject({ ... })",
  }),
  outputs: z.union(
    [
      z.array(portName).min(1),
      z.custom<(config: unknown) => readonly string[]>(isFunction, { error: 'expected a function' }),
    ],
    { error: 'expected a list of snake_case port names, or a function of the config returning one' },
  ),
  defaults: z
    .strictObject({
      timeoutMs: z.int().positive().optional(),
      retry: z
        .strictObject({
          maximumAttempts: z.int().nonnegative(),
          initialIntervalMs: z.int().positive(),
          backoffCoefficient: z.number().min(1),
          maximumIntervalMs: z.int().positive(),
        })
        .partial()
        .optional(),
    })
    .optional(),
  run: z.custom<(config: unknown, context: NodeContext) => Promise<unknown>>(isFunction, {
    error: 'expected an async function run(config, context)',
  }),
});

/**
 * Imports every plugin file directly in `dir` (`*.ts`, `*.mjs`, `*.js`). A file's default export,
 * or else its `nodes` or `node` export, is a node definition or a list of them. A broken file
 * becomes one line in `errors` so the others still load; a missing `dir` means no plugins.
 */
export async function loadPlugins(dir: string): Promise<{ nodes: PluginNode[]; errors: string[] }> {
  const nodes: PluginNode[] = [];
  const errors: string[] = [];
  for (const file of await pluginFiles(dir, errors)) {
    const source = path.join(dir, file);
    const loaded = await loadPluginFile(source);
    if (typeof loaded === 'string') errors.push(`${source}: ${loaded}`);
    else nodes.push(...loaded.map((definition) => ({ definition, source })));
  }
  return { nodes, errors };
}

async function pluginFiles(dir: string, errors: string[]): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && PLUGIN_FILE.test(entry.name) && !NOT_PLUGIN_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    errors.push(`${dir}: cannot list plugins: ${errorMessage(error)}`);
    return [];
  }
}

/** The file's node definitions, or what is wrong with it. */
async function loadPluginFile(file: string): Promise<NodeDefinition[] | string> {
  let module: Record<string, unknown>;
  try {
    // Plugins are found at run time: bundlers (Next.js) must leave this import alone.
    module = await import(
      /* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(path.resolve(file)).href
    );
  } catch (error) {
    return `could not be imported: ${errorMessage(error)}`;
  }
  const exported = module.default ?? module.nodes ?? module.node;
  if (exported === undefined) {
    return 'exports no node; write `export default defineNode({ ... })` (or export `node` or `nodes`)';
  }
  const candidates = Array.isArray(exported) ? exported : [exported];
  if (candidates.length === 0) return 'exports an empty list of nodes';
  const definitions: NodeDefinition[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const parsed = pluginDefinition.safeParse(candidate);
    if (!parsed.success) {
      const which = Array.isArray(exported) ? `node #${index + 1}` : 'the exported node';
      return `${which} is not a node definition: ${describeIssues(parsed.error)}`;
    }
    definitions.push(parsed.data);
  }
  return definitions;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
