import { createRegistry } from '@pincer/nodes';
import {
  COMMON_STEP_KEYS,
  CompileError,
  type CompileIssue,
  compile,
  parseWorkflowYaml,
} from '@pincer/workflow';
import { describe, expect, it } from 'vitest';

const registry = createRegistry();

function issuesOf(yaml: string): CompileIssue[] {
  try {
    compile(parseWorkflowYaml(yaml), registry);
  } catch (error) {
    if (error instanceof CompileError) return error.issues;
    throw error;
  }
  throw new Error('expected the definition to be refused');
}

function planOf(yaml: string) {
  return compile(parseWorkflowYaml(yaml), registry).plan;
}

describe('compile', () => {
  it('plans the seed shape: steps without needs follow the one before them', () => {
    const plan = planOf(`
workflow:
  name: daily_report
  steps:
    - name: fetch_logs
      type: transform
      value: "ERROR x"
    - name: analyze_data
      type: transform
      value: "{{ steps.fetch_logs.output }}"
    - name: send_notification
      type: transform
      value: done
`);
    expect(plan.steps.map((step) => [step.name, step.needs])).toEqual([
      ['fetch_logs', []],
      ['analyze_data', [{ step: 'fetch_logs', port: 'main' }]],
      ['send_notification', [{ step: 'analyze_data', port: 'main' }]],
    ]);
    expect(plan.steps[0]).toMatchObject({ execution: 'local', taskQueue: 'pincer-core', onError: 'fail' });
  });

  it('takes retry and timeout from the step, and the node defaults otherwise', () => {
    const plan = planOf(`
workflow:
  name: policies
  steps:
    - name: call
      type: http_request
      url: https://example.com
      retry: { max_attempts: 5, initial_interval: 2s, backoff: 3, max_interval: 1m }
      timeout: 45s
    - name: plain
      type: transform
      value: 1
`);
    expect(plan.steps[0]).toMatchObject({
      timeoutMs: 45_000,
      retry: {
        maximumAttempts: 5,
        initialIntervalMs: 2000,
        backoffCoefficient: 3,
        maximumIntervalMs: 60_000,
      },
      execution: 'activity',
    });
    expect(plan.steps[1]?.retry.maximumAttempts).toBe(1);
  });

  it('names the steps of a cycle', () => {
    const [issue] = issuesOf(`
workflow:
  name: loop
  steps:
    - { name: a, type: transform, value: 1, needs: [c] }
    - { name: b, type: transform, value: 1, needs: [a] }
    - { name: c, type: transform, value: 1, needs: [b] }
`);
    expect(issue?.code).toBe('cycle');
    expect(issue?.message).toMatch(/Steps "(a|b|c)" → "(a|b|c)" → "(a|b|c)" → "(a|b|c)" form a cycle/);
  });

  it('lists the known types for an unknown one, with a suggestion', () => {
    const [issue] = issuesOf(
      'workflow:\n  name: t\n  steps:\n    - { name: a, type: transfrom, value: 1 }\n',
    );
    expect(issue).toMatchObject({ code: 'unknown_type', step: 'a', field: 'type' });
    expect(issue?.message).toContain('unknown type "transfrom" (did you mean "transform"?)');
    expect(issue?.message).toContain('known: approval, browser, condition,');
    expect(issue?.message).not.toContain('manual_trigger');
  });

  it('gives the zod path of a bad field and names unknown fields', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - name: call
      type: http_request
      url: https://example.com
      method: FETCH
      colour: blue
`);
    expect(issues.map((issue) => issue.code)).toEqual(['config_invalid', 'config_invalid']);
    expect(issues.find((issue) => issue.field === 'method')?.message).toContain('Step "call": method:');
    expect(
      issues.some((issue) => issue.message.includes('unknown field "colour" for type http_request')),
    ).toBe(true);
  });

  it('accepts a template where a number is expected, leaving the check to run time', () => {
    expect(() =>
      planOf(`
workflow:
  name: t
  steps:
    - { name: a, type: respond, status: "{{ trigger.code }}" }
`),
    ).not.toThrow();
  });

  it('refuses duplicate names', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - { name: a, type: transform, value: 1 }
    - { name: a, type: transform, value: 2 }
`);
    expect(issues).toEqual([expect.objectContaining({ code: 'duplicate_step', step: 'a' })]);
  });

  it('refuses dangling needs and unknown ports', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - { name: a, type: transform, value: 1 }
    - { name: b, type: transform, value: 1, needs: [ghost] }
    - { name: c, type: transform, value: 1, needs: [a.maybe] }
`);
    const codes = issues.map((issue) => issue.code);
    expect(codes).toContain('dangling_need');
    expect(codes).toContain('unknown_port');
    expect(issues.find((issue) => issue.code === 'unknown_port')?.message).toContain(
      'its outputs: main, error',
    );
  });

  it('refuses a step reading a step it does not run after, and unknown expression roots', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - { name: d, type: transform, value: "{{ steps.e.output }}", needs: [] }
    - { name: e, type: transform, value: "{{ env.HOME }}", needs: [] }
    - { name: f, type: transform, value: "{{ steps.nope.output }}" }
    - { name: g, type: transform, value: "{{ 1 + }}" }
`);
    expect(issues.find((issue) => issue.code === 'unordered_step_reference')?.message).toContain(
      'reads steps.e, but does not run after it; add "e" to its needs',
    );
    expect(issues.find((issue) => issue.code === 'unknown_expression_root')?.message).toContain('"env"');
    expect(issues.find((issue) => issue.code === 'unknown_step_reference')?.step).toBe('f');
    expect(issues.find((issue) => issue.code === 'expression_invalid')?.step).toBe('g');
  });

  it('routes on_error to a handler that runs only on failure, and checks the handler exists', () => {
    const plan = planOf(`
workflow:
  name: t
  steps:
    - { name: risky, type: transform, value: 1, on_error: cleanup }
    - { name: cleanup, type: transform, value: 2 }
    - { name: after, type: transform, value: 3 }
`);
    const byName = Object.fromEntries(plan.steps.map((step) => [step.name, step]));
    expect(byName.risky?.onError).toBe('route');
    expect(byName.cleanup?.needs).toEqual([{ step: 'risky', port: 'error' }]);
    expect(byName.after?.needs).toEqual([{ step: 'risky', port: 'main' }]);
    expect(
      issuesOf(
        'workflow:\n  name: t\n  steps:\n    - { name: a, type: transform, value: 1, on_error: nope }\n',
      )[0]?.code,
    ).toBe('dangling_need');
  });

  it('validates the per-item step of a for-each against its own type', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - name: each
      type: for_each
      items: [1, 2]
      step: { type: http_request, url: 7 }
`);
    expect(issues[0]).toMatchObject({ code: 'config_invalid', step: 'each', field: 'step.url' });
  });

  it('checks step durations with the node syntax, and wants when to be one expression', () => {
    const issues = issuesOf(`
workflow:
  name: t
  steps:
    - { name: a, type: transform, value: 1, timeout: "1.5 s" }
`);
    expect(issues[0]).toMatchObject({ step: 'a', field: 'timeout', code: 'definition_invalid' });
    const [when] = issuesOf(
      'workflow:\n  name: t\n  steps:\n    - { name: b, type: transform, value: 1, when: "go {{ trigger.x }}" }\n',
    );
    expect(when?.message).toContain('write one expression');
    expect(
      planOf('workflow:\n  name: t\n  steps:\n    - { name: a, type: transform, value: 1, timeout: 1h30m }\n')
        .steps[0]?.timeoutMs,
    ).toBe(5_400_000);
  });

  it('validates triggers', () => {
    const [issue] = issuesOf(`
workflow:
  name: t
  triggers:
    - { type: schedule, cron: "every day" }
  steps:
    - { name: a, type: transform, value: 1 }
`);
    expect(issue?.code).toBe('trigger_invalid');
    expect(issue?.message).toContain('cron');
  });

  it("keeps the manual trigger's input schema in the plan, and refuses one that is not a JSON Schema", () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const plan = planOf(`
workflow:
  name: t
  triggers:
    - { type: manual, input_schema: ${JSON.stringify(schema)} }
  steps:
    - { name: a, type: transform, value: 1 }
`);
    expect(plan.inputSchema).toEqual(schema);
    const [issue] = issuesOf(`
workflow:
  name: t
  triggers:
    - { type: manual, input_schema: { type: objekt } }
  steps:
    - { name: a, type: transform, value: 1 }
`);
    expect(issue).toMatchObject({ code: 'trigger_invalid', field: 'input_schema' });
    expect(issue?.message).toContain('objekt');
  });

  it('gives every built-in node type config fields that do not collide with the common step fields', () => {
    const common: readonly string[] = COMMON_STEP_KEYS;
    for (const type of registry.types()) {
      if (registry.get(type)?.category === 'trigger') continue;
      const shape = registry.get(type)?.config;
      const keys =
        shape && 'shape' in shape && shape.shape && typeof shape.shape === 'object'
          ? Object.keys(shape.shape)
          : [];
      expect(
        keys.filter((key) => common.includes(key)),
        type,
      ).toEqual([]);
    }
  });
});

describe('parseWorkflowYaml', () => {
  it('refuses 5 MB of YAML before parsing it', () => {
    const big = `workflow:\n  name: big\n  description: "${'x'.repeat(5 * 1024 * 1024)}"\n  steps: []\n`;
    expect(() => parseWorkflowYaml(big)).toThrow(/5\.0 MiB; the limit is 1 MiB/);
  });

  it('refuses a YAML alias bomb', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'workflow: *f',
    ].join('\n');
    expect(() => parseWorkflowYaml(bomb)).toThrow(CompileError);
    expect(() => parseWorkflowYaml(bomb)).toThrow(/aliases|expands/);
  });

  it('refuses YAML whose aliases repeat a big anchor past the expanded limit', () => {
    // 0.9 MB of text, 99 references: 90 MB of definition if expanded.
    const big = 'x'.repeat(900 * 1024);
    const text = `workflow:\n  name: amp\n  description: &big "${big}"\n  steps:\n${Array.from(
      { length: 99 },
      (_, index) => `    - { name: s${index}, type: transform, with: { value: *big } }`,
    ).join('\n')}\n`;
    expect(() => parseWorkflowYaml(text)).toThrow(/expands to more than 4 MiB/);
  });

  it('reports broken YAML with its line', () => {
    expect(() => parseWorkflowYaml('workflow:\n  name: x\n  steps: [\n')).toThrow(/line \d+/);
  });

  it('reports duplicate keys', () => {
    expect(() => parseWorkflowYaml('workflow:\n  name: a\n  name: b\n')).toThrow(/not valid/);
  });
});
