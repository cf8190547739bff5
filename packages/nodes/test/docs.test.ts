import { readFileSync } from 'node:fs';
import { compile, parseWorkflowYaml } from '@pincer/workflow';
import { describe, expect, it } from 'vitest';
import { NODE_DOCS_PATH, renderNodeDocs } from '../../../scripts/node-docs.ts';
import { createRegistry, type JsonSchema } from '../src/index.ts';

const registry = createRegistry();
const written = readFileSync(NODE_DOCS_PATH, 'utf8');

function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

/** Every field of an object schema, nested objects and list items included, by path. */
function fields(schema: JsonSchema, prefix = ''): [string, JsonSchema][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]): [string, JsonSchema][] => {
    if (typeof field === 'boolean') return [];
    const items = field.items;
    const nested =
      items && typeof items === 'object' && !Array.isArray(items) && items.properties ? items : field;
    return [[`${prefix}${key}`, field], ...fields(nested, `${prefix}${key}.`)];
  });
}

describe('docs/workflows.md', () => {
  it('holds workflows that compile', () => {
    const guide = readFileSync(new URL('../../../docs/workflows.md', import.meta.url), 'utf8');
    const workflows = yamlBlocks(guide).filter((block) => block.startsWith('workflow:'));
    expect(workflows.length).toBeGreaterThan(2);
    for (const workflow of workflows) {
      expect(() => compile(parseWorkflowYaml(workflow), registry), workflow).not.toThrow();
    }
  });
});

describe('docs/nodes.md', () => {
  it('is what scripts/node-docs.ts writes from the registry (run `npm run docs:nodes`)', () => {
    expect(written).toBe(renderNodeDocs(registry));
  });

  it('has a section for every node type, whose example uses that type', () => {
    for (const entry of registry.catalog()) {
      const heading = `### ${entry.title}: \`${entry.type}\``;
      expect(written, entry.type).toContain(heading);
      const section = written.slice(written.indexOf(heading)).split(/^#{2,3} /m)[1] ?? '';
      const [example = ''] = yamlBlocks(section);
      expect(example, entry.type).toMatch(new RegExp(`type: ${entry.type.replace(/_trigger$/, '')}$`, 'm'));
    }
  });

  it('holds an example per node type, and every example compiles', () => {
    const examples = yamlBlocks(written);
    expect(examples.length).toBe(registry.catalog().length);
    for (const example of examples) {
      expect(() => compile(parseWorkflowYaml(example), registry), example).not.toThrow();
    }
  });

  it('describes every config field, for the studio forms and the LLM tool schema', () => {
    for (const entry of registry.catalog()) {
      for (const [path, field] of fields(entry.configSchema)) {
        expect(field.description?.length ?? 0, `${entry.type}.${path}`).toBeGreaterThan(10);
      }
    }
  });
});
