import { isMap, parseDocument, stringify } from 'yaml';
import type { WorkflowDefinition } from './definition.ts';
import { CompileError } from './errors.ts';

/** Definitions are code, not data: anything bigger is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Anchors and aliases are fine; alias expansion bombs ("billion laughs") are not. */
const MAX_ALIAS_COUNT = 100;

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

/** The YAML face of a definition, in the seed's shape (`workflow:` at the top). */
export function toWorkflowYaml(definition: WorkflowDefinition): string {
  return stringify({ workflow: definition }, { lineWidth: 0, aliasDuplicateObjects: false });
}
