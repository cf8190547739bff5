import { compile, parseWorkflowYaml, planNodeTypes } from '@pincer/workflow';
import { describe, expect, it } from 'vitest';
import { renderNodeDocs } from '../../../scripts/node-docs.ts';
import { createRegistry } from '../src/index.ts';
import { postcard } from './fixtures/postcard.ts';

// Adding a node type is its file and one line where it is registered: everything else (the
// catalog, the docs, validation, chat's side-effect check) derives from the definition.
const registry = createRegistry([{ definition: postcard, source: 'test/fixtures/postcard.ts' }]);

const example = postcard.docs.example;

describe('a node type defined in one file and registered by one line', () => {
  it('is in the catalog, with the JSON Schema of its config', () => {
    const entry = registry.catalog().find((candidate) => candidate.type === 'send_postcard');
    expect(entry).toMatchObject({
      title: 'Send postcard',
      category: 'messaging',
      execution: 'local',
      taskQueue: 'pincer-core',
      outputs: ['main'],
      source: 'test/fixtures/postcard.ts',
      configSchema: {
        required: ['to'],
        properties: { to: { type: 'string' }, text: { default: 'Greetings!' } },
      },
    });
  });

  it('gets its section in the node docs, with its notes, fields and example', () => {
    const docs = renderNodeDocs(registry);
    expect(docs).toMatch(/^- Messaging: .*\[Send postcard\]\(#send-postcard-send_postcard\)$/m);
    const section = docs.slice(docs.indexOf('### Send postcard: `send_postcard`'));
    expect(section).toContain('Outputs `{ sent }`.');
    expect(section).toMatch(/^\| `to` +\| string +\| +\| yes +\| The postal address/m);
    expect(section).toContain(example.trim());
  });

  it('is validated by the compiler: its example compiles, a bad config is refused with its schema message', () => {
    expect(compile(parseWorkflowYaml(example), registry).plan.steps[0]).toMatchObject({
      type: 'send_postcard',
      execution: 'local',
    });
    const tooLong = example.replace('text: Wish you were here', `text: ${'x'.repeat(201)}`);
    expect(() => compile(parseWorkflowYaml(tooLong), registry)).toThrow(
      /text: Too big: expected string to have <=200 characters/,
    );
  });

  it('accepts its minimal config', () => {
    expect(postcard.config.parse(postcard.docs.minimal)).toEqual({
      to: '1 Main Street, Springfield',
      text: 'Greetings!',
    });
  });

  it('counts as a side effect for chat, as its definition says', () => {
    const { plan } = compile(parseWorkflowYaml(example), registry);
    expect(registry.withSideEffects(planNodeTypes(plan))).toEqual(['send_postcard']);
  });
});
