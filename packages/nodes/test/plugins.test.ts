import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinNodes, createRegistry, loadPlugins, NodeRegistryError, transform } from '../src/index.ts';
import { testContext } from './context.ts';

/** Plugin files live inside the repository so their `zod` and `@pincer/nodes` imports resolve, as in plugins/. */
let dir: string;

const PLUGIN_FILES: Record<string, string> = {
  'invoice.ts': `
import { defineNode } from '@pincer/nodes';
import { z } from 'zod';

export default defineNode({
  type: 'send_invoice',
  title: 'Send invoice',
  description: 'Sends an invoice.',
  category: 'data',
  capability: 'core',
  execution: 'activity',
  config: z.strictObject({ amount: z.number(), currency: z.string().default('EUR') }),
  outputs: ['main'],
  async run(config) {
    return { sent: \`\${config.amount} \${config.currency}\` };
  },
});
`,
  'pair.mjs': `
import { z } from 'zod';
const base = { description: '', category: 'logic', capability: 'core', execution: 'local', outputs: ['main'], async run() { return null; } };
export const nodes = [
  { ...base, type: 'pair_a', title: 'A', config: z.strictObject({}) },
  { ...base, type: 'pair_b', title: 'B', config: z.strictObject({}) },
];
`,
  'broken.mjs': 'export default {\n',
  'not-a-node.mjs': "export default { type: 'Bad Type', title: 'Bad' };\n",
  'control.mjs': `
import { z } from 'zod';
export const node = { type: 'my_delay', title: 'D', description: '', category: 'logic', capability: 'core', execution: 'control', config: z.strictObject({}), outputs: ['main'], async run() {} };
`,
  'helpers.js': 'export const unrelated = 1;\n',
  'types.d.ts': 'export type Nothing = never;\n',
  'README.md': '# not a plugin\n',
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(import.meta.dirname, 'tmp-plugins-'));
  for (const [name, source] of Object.entries(PLUGIN_FILES)) await writeFile(path.join(dir, name), source);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadPlugins', () => {
  it('loads the valid plugin files and reports each broken one instead of throwing', async () => {
    const { nodes, errors } = await loadPlugins(dir);
    expect(nodes.map(({ definition, source }) => [definition.type, path.basename(source)])).toEqual([
      ['send_invoice', 'invoice.ts'],
      ['pair_a', 'pair.mjs'],
      ['pair_b', 'pair.mjs'],
    ]);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/broken\.mjs: could not be imported: /);
    expect(errors[1]).toBe(
      `${path.join(dir, 'control.mjs')}: the exported node is not a node definition: execution: expected "activity" or "local" (control nodes are built in)`,
    );
    expect(errors[2]).toBe(
      `${path.join(dir, 'helpers.js')}: exports no node; write \`export default defineNode({ ... })\` (or export \`node\` or \`nodes\`)`,
    );
    expect(errors[3]).toContain('not-a-node.mjs: the exported node is not a node definition: ');
    expect(errors[3]).toContain('type: expected a snake_case type such as send_invoice');
    expect(errors[3]).toContain("config: expected a zod object schema of the step's fields");
  });

  it('gives node definitions that run', async () => {
    const { nodes } = await loadPlugins(dir);
    const invoice = nodes.find(({ definition }) => definition.type === 'send_invoice')?.definition;
    const config = invoice?.config.parse({ amount: 12 });
    expect(await invoice?.run?.(config, testContext())).toEqual({ sent: '12 EUR' });
  });

  it('treats a missing directory as no plugins', async () => {
    expect(await loadPlugins(path.join(dir, 'does-not-exist'))).toEqual({ nodes: [], errors: [] });
  });
});

describe('createRegistry', () => {
  it('registers the built-in nodes and the plugins, with a JSON Schema for each', async () => {
    const registry = createRegistry((await loadPlugins(dir)).nodes);
    const catalog = registry.catalog();
    expect(catalog.map((entry) => entry.type)).toEqual(
      [...builtinNodes.map((node) => node.type), 'pair_a', 'pair_b', 'send_invoice'].sort(),
    );
    for (const entry of catalog) {
      expect(entry.configSchema, entry.type).toMatchObject({ type: 'object', additionalProperties: false });
    }
    expect(catalog.find((entry) => entry.type === 'send_invoice')).toMatchObject({
      source: path.join(dir, 'invoice.ts'),
      taskQueue: 'pincer-core',
      configSchema: { required: ['amount'], properties: { currency: { type: 'string', default: 'EUR' } } },
    });
  });

  it('describes configs as users write them: durations as text, defaults optional', () => {
    const delay = createRegistry()
      .catalog()
      .find((entry) => entry.type === 'webhook_trigger');
    expect(delay?.configSchema).toMatchObject({
      properties: { timeout: { default: '30s' }, method: { default: 'POST' } },
    });
    expect(delay?.configSchema).not.toHaveProperty('required');
  });

  it('shows static ports, and dynamic ones for a switch', () => {
    const catalog = createRegistry().catalog();
    expect(catalog.find((entry) => entry.type === 'condition')?.outputs).toEqual(['true', 'false']);
    expect(catalog.find((entry) => entry.type === 'switch')?.outputs).toBe('dynamic');
  });

  it('refuses a plugin that redefines a type, naming both sources', () => {
    const duplicate = () => createRegistry([{ definition: transform, source: 'plugins/transform.ts' }]);
    expect(duplicate).toThrow(NodeRegistryError);
    expect(duplicate).toThrow(
      'Node type "transform" from plugins/transform.ts is already defined by builtin: rename one of them.',
    );
  });
});
