import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  approval,
  builtinNodes,
  delay,
  externalActivity,
  forEach,
  httpRequest,
  type NodeDefinition,
  scheduleTrigger,
  subWorkflow,
  switchNode,
  webhookTrigger,
} from '../src/index.ts';

/** Every field with a default, as the JSON Schema of the config says (what users may leave out). */
function defaulted(node: NodeDefinition): string[] {
  const schema = z.toJSONSchema(node.config, { unrepresentable: 'any', io: 'input' });
  return Object.entries(schema.properties ?? {})
    .filter(([, field]) => typeof field === 'object' && field.default !== undefined)
    .map(([key]) => key);
}

describe.each(builtinNodes.map((node) => [node.type, node] as const))('%s config', (_type, node) => {
  const { minimal } = node.docs;

  it('accepts its minimal config and applies the defaults', () => {
    const parsed = node.config.parse(minimal);
    for (const key of defaulted(node)) expect(parsed, key).toHaveProperty([key]);
  });

  it('refuses an unknown key', () => {
    const result = node.config.safeParse({ ...minimal, colour: 'blue' });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['colour'] }),
    ]);
  });

  it('accepts its own output again unchanged (the interpreter re-validates resolved configs)', () => {
    const once = node.config.parse(minimal);
    expect(node.config.parse(once)).toStrictEqual(once);
  });
});

describe('minimal configs with their defaults applied', () => {
  it.each([
    ['webhook_trigger', { method: 'POST', respond: 'immediately', timeout: 30_000 }],
    ['schedule_trigger', { cron: '0 9 * * MON-FRI', timezone: 'UTC', overlap: 'skip' }],
    ['delay', { duration: 600_000 }],
    ['approval', { message: 'Approve to continue', on_timeout: 'reject' }],
    ['for_each', { items: [1, 2], concurrency: 4, step: { type: 'transform', value: '{{ item }}' } }],
    [
      'http_request',
      {
        url: 'https://example.com/',
        method: 'GET',
        headers: {},
        query: {},
        response_type: 'auto',
        fail_on_status: true,
        max_response_bytes: 5 * 1024 * 1024,
        follow_redirects: true,
      },
    ],
    ['llm.chat', { prompt: 'Hello', history: [], max_tokens: 512, temperature: 0.7, admit_unknown: true }],
    ['message', { platform: 'telegram', channel: '42', text: '', files: [] }],
  ])('%s', (type, parsed) => {
    const node = builtinNodes.find((candidate) => candidate.type === type);
    expect(node?.config.parse(node.docs.minimal)).toStrictEqual(parsed);
  });
});

function messages(result: { error?: { issues: { message: string }[] } }): string[] {
  return result.error?.issues.map((issue) => issue.message) ?? [];
}

describe('schedule_trigger', () => {
  const parse = (config: Record<string, unknown>) => scheduleTrigger.config.safeParse(config);

  it.each(['*/15 9-17 * JAN-MAR MON-FRI', '0 0 1,15 * *', '30 2 * * 7', '0 */2 * * sun', '@daily'])(
    'accepts cron %j',
    (cron) => {
      expect(parse({ cron }).success).toBe(true);
    },
  );

  it.each([
    ['61 * * * *', 'cron minute "61" is outside 0-59'],
    ['* * *', 'cron "* * *" has 3 fields; cron needs 5'],
    ['0 0 0 * *', 'cron day of month "0" is outside 1-31'],
    ['0 9 * * FUN', 'cron day of week "FUN" is outside 0-7 or SUN-SAT'],
    ['5-1 * * * *', 'cron minute range "5-1" goes backwards'],
    ['*/0 * * * *', 'cron minute "*/0" has a step of 0'],
    ['0 9 ? * *', 'cron day of month "?" is not a value'],
  ])('refuses cron %j saying what is wrong', (cron, message) => {
    expect(messages(parse({ cron }))[0]).toContain(message);
  });

  it('checks the time zone against the IANA database', () => {
    expect(parse({ cron: '@hourly', timezone: 'Europe/Berlin' }).success).toBe(true);
    expect(messages(parse({ cron: '@hourly', timezone: 'Mars/Olympus_Mons' }))).toEqual([
      'expected an IANA time zone name such as UTC or Europe/Berlin',
    ]);
  });

  it('refuses an unknown overlap policy', () => {
    expect(parse({ cron: '@hourly', overlap: 'queue' }).success).toBe(false);
  });
});

describe('switch', () => {
  const parse = (cases: unknown) => switchNode.config.safeParse({ value: 1, cases });

  it('computes its output ports from the cases', () => {
    const config = switchNode.config.parse({
      value: 1,
      cases: [
        { name: 'one', equals: 1 },
        { name: 'two', equals: 2 },
      ],
    });
    expect(typeof switchNode.outputs === 'function' && switchNode.outputs(config)).toEqual([
      'one',
      'two',
      'default',
    ]);
  });

  it('refuses duplicate, reserved and non-snake_case case names and an empty list', () => {
    expect(
      messages(
        parse([
          { name: 'a', equals: 1 },
          { name: 'a', equals: 2 },
        ]),
      ),
    ).toEqual(['case "a" appears twice; case names are output ports and must be unique']);
    expect(messages(parse([{ name: 'default', equals: 1 }]))[0]).toMatch(/"default" and "error" are ports/);
    expect(messages(parse([{ name: 'error', equals: 1 }]))[0]).toMatch(/"default" and "error" are ports/);
    expect(messages(parse([{ name: 'Big Spender', equals: 1 }]))).toEqual(['ports are snake_case']);
    expect(messages(parse([]))).toEqual(['a switch needs at least one case']);
  });
});

describe('other node configs', () => {
  it('delay needs exactly one of duration and until', () => {
    expect(delay.config.parse({ until: '2030-06-01T09:00:00Z' })).toEqual({ until: '2030-06-01T09:00:00Z' });
    const exactlyOne = ['set exactly one of duration (e.g. 10m) or until (an ISO date-time)'];
    expect(messages(delay.config.safeParse({}))).toEqual(exactlyOne);
    expect(messages(delay.config.safeParse({ duration: '1m', until: '2030-06-01T09:00:00Z' }))).toEqual(
      exactlyOne,
    );
    expect(delay.config.safeParse({ until: 'tomorrow' }).success).toBe(false);
  });

  it('approval approvers must be e-mail addresses', () => {
    expect(approval.config.parse({ approvers: ['ops@example.com'] }).approvers).toEqual(['ops@example.com']);
    expect(approval.config.safeParse({ approvers: ['ops'] }).success).toBe(false);
    expect(approval.config.parse({ on_timeout: 'approve' })).toMatchObject({ on_timeout: 'approve' });
    // How long it waits is the step's own timeout, which defaults to a day.
    expect(approval.config.safeParse({ timeout: '2h' }).success).toBe(false);
    expect(approval.defaults?.timeoutMs).toBe(86_400_000);
  });

  it('for_each needs a step type and a sane concurrency', () => {
    expect(forEach.config.safeParse({ items: [], step: { value: 1 } }).success).toBe(false);
    expect(forEach.config.safeParse({ items: [], concurrency: 0, step: { type: 'transform' } }).success).toBe(
      false,
    );
    expect(
      forEach.config.safeParse({ items: [], concurrency: 101, step: { type: 'transform' } }).success,
    ).toBe(false);
  });

  it('sub_workflow names are slugs and versions positive', () => {
    expect(subWorkflow.config.parse({ workflow: 'daily-report', version: 3, wait: false })).toEqual({
      workflow: 'daily-report',
      version: 3,
      wait: false,
    });
    expect(subWorkflow.config.safeParse({ workflow: 'Daily Report' }).success).toBe(false);
    expect(subWorkflow.config.safeParse({ workflow: 'daily_report', version: 0 }).success).toBe(false);
  });

  it('external_activity parses its heartbeat timeout; the step timeout bounds an attempt', () => {
    expect(
      externalActivity.config.parse({ task_queue: 'go', activity: 'resize', heartbeat_timeout: '30s' }),
    ).toMatchObject({ heartbeat_timeout: 30_000 });
    expect(externalActivity.defaults?.timeoutMs).toBe(300_000);
    expect(externalActivity.config.safeParse({ task_queue: '', activity: 'resize' }).success).toBe(false);
  });

  it('webhook_trigger refuses an unknown respond mode and a bad timeout', () => {
    expect(webhookTrigger.config.safeParse({ respond: 'later' }).success).toBe(false);
    expect(webhookTrigger.config.safeParse({ timeout: 'soon' }).success).toBe(false);
  });

  it('http_request takes http(s) URLs, also with templates in them', () => {
    expect(httpRequest.config.safeParse({ url: 'https://example.com/{{ trigger.id }}' }).success).toBe(true);
    expect(messages(httpRequest.config.safeParse({ url: 'ftp://example.com/file' }))).toEqual([
      'expected an http:// or https:// URL',
    ]);
    expect(
      httpRequest.config.safeParse({ url: 'https://x.test', headers: { 'bad header': 'x' } }).success,
    ).toBe(false);
  });
});
