import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  parseDocument,
  stringify,
} from 'yaml';
import type { WorkflowDefinition } from './definition.ts';
import { CompileError } from './errors.ts';

/** Definitions are code, not data: anything bigger is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Anchors and aliases are fine; alias expansion bombs ("billion laughs") are not. */
const MAX_ALIAS_COUNT = 100;
/** What the definition may grow to once aliases are expanded (a few aliases of a big anchor). */
export const MAX_EXPANDED_YAML_BYTES = 4 * MAX_YAML_BYTES;

/**
 * Parses workflow YAML (`workflow:` at the top, or the definition itself) into a plain object for
 * `compile`. Refuses oversized input before parsing and alias bombs while converting.
 */
export function parseWorkflowYaml(text: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) {
    throw new CompileError([
      {
        code: 'yaml_too_large',
        message: `The workflow YAML is ${(bytes / 1024 / 1024).toFixed(1)} MiB; the limit is 1 MiB. Keep data out of the definition (read it with a step instead).`,
      },
    ]);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  const problem = document.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new CompileError([
      {
        code: 'yaml_invalid',
        message: `The workflow YAML is not valid${line ? ` (line ${line})` : ''}: ${problem.message.split('\n')[0]}.`,
      },
    ]);
  }
  const expanded = expandedSize(document);
  if (expanded > MAX_EXPANDED_YAML_BYTES) {
    throw new CompileError([
      {
        code: 'yaml_too_large',
        message: `The workflow YAML expands to more than ${MAX_EXPANDED_YAML_BYTES / 1024 / 1024} MiB through its aliases (*name); the limit is ${MAX_EXPANDED_YAML_BYTES / 1024 / 1024} MiB. Repeat less data, or read big values with a step.`,
      },
    ]);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CompileError([
      { code: 'yaml_invalid', message: `The workflow YAML expands too much (${reason}); use fewer aliases.` },
    ]);
  }
  if (isMap(document.contents) && value !== null && typeof value === 'object' && 'workflow' in value) {
    const keys = Object.keys(value);
    if (keys.length > 1) {
      throw new CompileError([
        {
          code: 'definition_invalid',
          message: `The YAML has keys besides "workflow" (${keys.filter((key) => key !== 'workflow').join(', ')}): put everything under workflow:.`,
        },
      ]);
    }
    return value.workflow;
  }
  return value;
}

/**
 * The size of the document with every alias replaced by its anchor's content, counted without
 * building it: scalars by their text, each node once however often it is referenced. Stops counting
 * past the limit.
 */
function expandedSize(document: Document): number {
  const sizes = new Map<unknown, number>();
  const measure = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // An anchor that refers to itself counts once: toJS builds it as a cycle, not a copy.
    sizes.set(node, 0);
    let size = 1;
    if (isAlias(node)) size = measure(node.resolve(document));
    else if (isScalar(node)) size += String(node.value).length;
    else if (isPair(node)) size += measure(node.key) + measure(node.value);
    else if (isCollection(node)) {
      for (const item of node.items) {
        size += measure(item);
        if (size > MAX_EXPANDED_YAML_BYTES) break;
      }
    }
    sizes.set(node, size);
    return size;
  };
  return measure(document.contents);
}

/** The YAML face of a definition, in the seed's shape (`workflow:` at the top). */
export function toWorkflowYaml(definition: WorkflowDefinition): string {
  return stringify({ workflow: definition }, { lineWidth: 0, aliasDuplicateObjects: false });
}
