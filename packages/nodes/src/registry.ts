import { z } from 'zod';
import { builtinNodes } from './builtin.ts';
import {
  type Capability,
  type Execution,
  NODE_TYPE_PATTERN,
  type NodeDefinition,
  taskQueueFor,
} from './define.ts';
import type { Category } from './kinds.ts';

/** What the studio palette, the compiler's error messages and the LLM tool list show of a node type. */
export interface CatalogEntry {
  type: string;
  title: string;
  description: string;
  category: Category;
  capability: Capability;
  taskQueue: string;
  execution: Execution;
  /** Static ports; `dynamic` when the config decides them (switch). */
  outputs: readonly string[] | 'dynamic';
  /** JSON Schema of the step's config fields. */
  configSchema: JsonSchema;
  /** Where it came from: `builtin` or the plugin file. */
  source: string;
}

export class NodeRegistryError extends Error {
  override readonly name = 'NodeRegistryError';
  constructor(
    readonly code: 'node_duplicate' | 'node_invalid' | 'plugin_load_failed',
    message: string,
  ) {
    super(message);
  }
}

/** A JSON Schema document as produced by zod. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

export class NodeRegistry {
  private readonly nodes = new Map<string, { definition: NodeDefinition; source: string }>();

  register(definition: NodeDefinition, source = 'builtin'): this {
    if (!NODE_TYPE_PATTERN.test(definition.type)) {
      throw new NodeRegistryError(
        'node_invalid',
        `Node type "${definition.type}" from ${source} must be snake_case, optionally dotted (e.g. send_invoice, crm.create_lead).`,
      );
    }
    const existing = this.nodes.get(definition.type);
    if (existing) {
      throw new NodeRegistryError(
        'node_duplicate',
        `Node type "${definition.type}" from ${source} is already defined by ${existing.source}: rename one of them.`,
      );
    }
    if (definition.execution !== 'control' && !definition.run && !definition.pure) {
      throw new NodeRegistryError(
        'node_invalid',
        `Node type "${definition.type}" from ${source} runs as ${definition.execution} but has no run().`,
      );
    }
    this.nodes.set(definition.type, { definition, source });
    return this;
  }

  get(type: string): NodeDefinition | undefined {
    return this.nodes.get(type)?.definition;
  }

  types(): string[] {
    return [...this.nodes.keys()].sort();
  }

  /**
   * Which of these step types may change something outside the run (their `sideEffects` is not
   * `none`), sorted; a type not installed here counts as one that may.
   */
  withSideEffects(types: Iterable<string>): string[] {
    const found = new Set<string>();
    for (const type of types) if (this.get(type)?.sideEffects !== 'none') found.add(type);
    return [...found].sort();
  }

  catalog(): CatalogEntry[] {
    return [...this.nodes.values()]
      .map(
        ({ definition, source }): CatalogEntry => ({
          type: definition.type,
          title: definition.title,
          description: definition.description,
          category: definition.category,
          capability: definition.capability,
          taskQueue: taskQueueFor(definition.capability),
          execution: definition.execution,
          outputs: typeof definition.outputs === 'function' ? 'dynamic' : definition.outputs,
          // `input`: the fields as users write them (durations as "30s", defaults optional).
          configSchema: z.toJSONSchema(definition.config, { unrepresentable: 'any', io: 'input' }),
          source,
        }),
      )
      .sort((a, b) => a.type.localeCompare(b.type));
  }
}

/** A node type loaded from a plugin file, with that file as its source. */
export interface PluginNode {
  definition: NodeDefinition;
  source: string;
}

/** The built-in node types, then the plugins'; a type defined twice throws `node_duplicate`. */
export function createRegistry(plugins: readonly PluginNode[] = []): NodeRegistry {
  const registry = new NodeRegistry();
  for (const definition of builtinNodes) registry.register(definition);
  for (const { definition, source } of plugins) registry.register(definition, source);
  return registry;
}
