import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRegistry } from '@pincer/nodes';
import {
  compile,
  definitionToGraph,
  graphToDefinition,
  parseWorkflowYaml,
  toWorkflowYaml,
} from '@pincer/workflow';
import { describe, expect, it } from 'vitest';

const registry = createRegistry();
const examplesDir = path.resolve(import.meta.dirname, '../../../examples/workflows');
const examples = readdirSync(examplesDir).filter((file) => file.endsWith('.yaml'));

describe('canvas graph ⇄ YAML', () => {
  it('has examples to round-trip', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of examples) {
    it(`round-trips ${file} without loss, both ways`, () => {
      const text = readFileSync(path.join(examplesDir, file), 'utf8');
      const { definition, plan } = compile(parseWorkflowYaml(text), registry);
      const graph = definitionToGraph(definition);
      const back = graphToDefinition(graph);
      expect(back).toEqual(definition);
      expect(toWorkflowYaml(back)).toBe(toWorkflowYaml(definition));
      expect(definitionToGraph(back)).toEqual(graph);
      expect(compile(back, registry).plan).toEqual(plan);
    });
  }

  it('draws implicit order, branches and error routes as edges', () => {
    const { definition } = compile(
      parseWorkflowYaml(`
workflow:
  name: shapes
  steps:
    - { name: check, type: condition, condition: true }
    - { name: yes, type: transform, value: 1, needs: [check.true], on_error: oops }
    - { name: oops, type: transform, value: 2 }
    - { name: last, type: transform, value: 3 }
`),
      registry,
    );
    const graph = definitionToGraph(definition);
    expect(graph.edges.map((edge) => `${edge.source}.${edge.sourceHandle}->${edge.target}`)).toEqual([
      'check.true->yes',
      'yes.error->oops',
      'yes.main->last',
    ]);
    expect(graphToDefinition(graph)).toEqual(definition);
  });

  it('writes needs only where they differ from the implicit order', () => {
    const { definition } = compile(
      parseWorkflowYaml(`
workflow:
  name: explicit
  steps:
    - { name: a, type: transform, value: 1 }
    - { name: b, type: transform, value: 1, needs: [a] }
    - { name: c, type: transform, value: 1, needs: [] }
`),
      registry,
    );
    const canonical = graphToDefinition(definitionToGraph(definition));
    expect(canonical.steps.map((step) => step.needs)).toEqual([undefined, undefined, []]);
  });

  it('keeps canvas positions in the YAML', () => {
    const { definition } = compile(
      parseWorkflowYaml(
        'workflow:\n  name: p\n  steps:\n    - { name: a, type: transform, value: 1, ui: { x: 10, y: 20 } }\n',
      ),
      registry,
    );
    const graph = definitionToGraph(definition);
    expect(graph.nodes[0]?.position).toEqual({ x: 10, y: 20 });
    expect(toWorkflowYaml(graphToDefinition(graph))).toContain('ui:');
  });
});
