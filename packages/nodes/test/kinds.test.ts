import { compile, parseWorkflowYaml, planNodeTypes } from '@pincer/workflow';
import { describe, expect, it } from 'vitest';
import { builtinNodes, CATEGORIES, createRegistry, SIDE_EFFECTS, TRIGGER_TYPES } from '../src/index.ts';

const registry = createRegistry();

/** The node types of a workflow that chat counts as side effects (see the worker's chat activities). */
function sideEffectsOf(yaml: string): string[] {
  return registry.withSideEffects(planNodeTypes(compile(parseWorkflowYaml(yaml), registry).plan));
}

describe('side effects, as chat judges a workflow before running it', () => {
  it('every built-in node type declares its class', () => {
    for (const node of builtinNodes) expect(SIDE_EFFECTS, node.type).toContain(node.sideEffects);
  });

  it('a workflow of language-model and logic steps has none', () => {
    expect(
      sideEffectsOf(`
workflow:
  name: triage
  triggers:
    - type: manual
  steps:
    - name: team
      type: llm.classify
      text: "{{ trigger.message }}"
      labels: [billing, bug]
    - name: reply
      type: llm.chat
      prompt: "{{ trigger.message }}"
    - name: short
      type: for_each
      items: "{{ trigger.parts }}"
      step: { type: llm.summarize, text: "{{ item }}" }
    - name: route
      type: switch
      value: "{{ steps.team.output.label }}"
      cases: [{ name: billing, equals: billing }]
    - name: wait
      type: delay
      duration: 1m
    - name: ok
      type: approval
`),
    ).toEqual([]);
  });

  it('lists the steps that reach outside, also inside a for-each, and sub-workflows', () => {
    expect(
      sideEffectsOf(`
workflow:
  name: notify
  steps:
    - name: each
      type: for_each
      items: [1, 2]
      step: { type: http_request, url: https://example.com/ }
    - name: tell
      type: message
      platform: telegram
      channel: "42"
      text: done
    - name: report
      type: sub_workflow
      workflow: daily_report
`),
    ).toEqual(['http_request', 'message', 'sub_workflow']);
  });

  it('counts a type this worker does not know as one with side effects', () => {
    expect(registry.withSideEffects(['transform', 'crm.create_lead'])).toEqual(['crm.create_lead']);
  });
});

describe('trigger types', () => {
  it('each has its built-in trigger node, and every trigger node is one of them', () => {
    const triggers = builtinNodes.filter((node) => node.category === 'trigger').map((node) => node.type);
    expect(triggers.sort()).toEqual(TRIGGER_TYPES.map((type) => `${type}_trigger`).sort());
  });
});

describe('categories', () => {
  it('every built-in node is in one the palette shows', () => {
    for (const node of builtinNodes) expect(CATEGORIES, node.type).toContain(node.category);
  });
});
