import { setTimeout as sleep } from 'node:timers/promises';
import { ENDPOINTS } from '@pincer/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyOf, startTestServer, type TestServer } from '../support/api.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

const GREET = `
workflow:
  name: greet
  description: Says hello
  steps:
    - name: hello
      type: transform
      value:
        greeting: "Hello {{ trigger.name }}"
    - name: shout
      type: transform
      value: "{{ $uppercase(steps.hello.output.greeting) }}"
`;

const SLEEPY = `
workflow:
  name: sleepy
  steps:
    - name: nap
      type: delay
      duration: 1h
`;

const GATED = `
workflow:
  name: gated
  steps:
    - name: ask
      type: approval
      message: Ship it?
    - name: ship
      type: transform
      value: shipped
`;

const yaml = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/yaml' }, body });
const jsonBody = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z
      .array(
        z.object({
          code: z.string().optional(),
          step: z.string().optional(),
          field: z.string().optional(),
          message: z.string(),
        }),
      )
      .optional(),
  }),
});

const Run = z.looseObject({
  id: z.string(),
  workflow: z.string(),
  version: z.number(),
  status: z.string(),
  output: z.unknown(),
  error: z.unknown(),
  createdAt: z.string(),
  steps: z.array(
    z.looseObject({ name: z.string(), status: z.string(), output: z.unknown(), attempts: z.number() }),
  ),
});
type Run = z.output<typeof Run>;

const Accepted = z.looseObject({ id: z.string(), status: z.string() });

const WorkflowList = z.object({
  workflows: z.array(z.looseObject({ name: z.string(), latestVersion: z.number().nullable() })),
});

async function errorOf(response: Response) {
  return (await bodyOf(response, ErrorBody)).error;
}

/** Polls the run over the API until `ready` holds. */
async function runUntil(id: string, ready: (run: Run) => boolean): Promise<Run> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const run = await bodyOf(await server.api(`/runs/${id}`, { as: 'viewer' }), Run);
    if (ready(run)) return run;
    await sleep(200);
  }
  throw new Error(`run ${id} never reached the expected state`);
}

describe('authentication and roles', () => {
  it('answers 401 with a hint when the token is missing or unknown', async () => {
    const missing = await server.api('/workflows', { as: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const error = await errorOf(missing);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('Authorization: Bearer');
    expect(error.message).toContain('pincer token create');

    const unknown = await fetch(`${server.url}/api/v1/workflows`, {
      headers: { authorization: 'Bearer pcr_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' },
    });
    expect(unknown.status).toBe(401);
  });

  it('answers 403 when a viewer token tries to create a workflow, and stores nothing', async () => {
    const response = await server.api('/workflows', {
      ...yaml(GREET.replace('name: greet', 'name: forbidden')),
      as: 'viewer',
    });
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('viewer');
    expect(await server.engine.db.workflow.count({ where: { name: 'forbidden' } })).toBe(0);
  });

  it('lets viewers read', async () => {
    const response = await server.api('/runs', { as: 'viewer' });
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('runs');
  });
});

describe('workflows', () => {
  it('imports YAML as version 1, and re-importing it changes nothing', async () => {
    const first = await server.api('/workflows', { ...yaml(GREET), as: 'editor' });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({
      name: 'greet',
      version: 1,
      created: true,
      triggers: { webhooks: [], schedules: [] },
    });

    const again = await server.api('/workflows', { ...yaml(GREET), as: 'editor' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      name: 'greet',
      version: 1,
      created: false,
      triggers: { webhooks: [], schedules: [] },
    });

    const list = await bodyOf(await server.api('/workflows', { as: 'viewer' }), WorkflowList);
    expect(list.workflows).toContainEqual(expect.objectContaining({ name: 'greet', latestVersion: 1 }));
  });

  it('stores a new version with PUT, and refuses a PUT whose name differs from the URL', async () => {
    const changed = GREET.replace('Says hello', 'Says hello, twice');
    const put = await server.api('/workflows/greet', { ...yaml(changed), method: 'PUT', as: 'editor' });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({
      name: 'greet',
      version: 2,
      created: true,
      triggers: { webhooks: [], schedules: [] },
    });

    const mismatch = await server.api('/workflows/other', { ...yaml(changed), method: 'PUT', as: 'editor' });
    expect(mismatch.status).toBe(400);
    const error = await errorOf(mismatch);
    expect(error.code).toBe('name_mismatch');
    expect(error.issues).toContainEqual(expect.objectContaining({ field: 'name' }));
  });

  it('returns the definition with its versions, and as YAML with format=yaml', async () => {
    const detail = await server.api('/workflows/greet', { as: 'viewer' });
    expect(detail.status).toBe(200);
    const body = await bodyOf(
      detail,
      z.looseObject({
        version: z.number(),
        definition: z.looseObject({ name: z.string(), steps: z.array(z.unknown()) }),
        versions: z.array(z.looseObject({ version: z.number() })),
      }),
    );
    expect(body.version).toBe(2);
    expect(body.definition.name).toBe('greet');
    expect(body.definition.steps).toHaveLength(2);
    expect(body.versions.map((entry) => entry.version)).toEqual([2, 1]);

    const first = await server.api('/workflows/greet?format=yaml&version=1', { as: 'viewer' });
    expect(first.headers.get('content-type')).toContain('application/yaml');
    const text = await first.text();
    expect(text).toMatch(/^workflow:\n {2}name: greet/);
    expect(text).toContain('description: Says hello\n');
  });

  it('accepts a JSON definition', async () => {
    const response = await server.api('/workflows', {
      ...jsonBody('POST', {
        workflow: { name: 'from_json', steps: [{ name: 'only', type: 'transform', value: 1 }] },
      }),
      as: 'editor',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: 'from_json', version: 1 });
  });

  it('answers 400 with the cycle issue for a definition with a cycle', async () => {
    const response = await server.api('/workflows', {
      ...yaml(`
workflow:
  name: loop
  steps:
    - name: a
      type: transform
      needs: [b]
      value: 1
    - name: b
      type: transform
      needs: [a]
      value: 2
`),
      as: 'editor',
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('workflow_invalid');
    const cycle = error.issues?.find((issue) => issue.code === 'cycle');
    expect(cycle?.message).toMatch(/\ba\b.*\bb\b|\bb\b.*\ba\b/);
    expect(await server.engine.db.workflow.count({ where: { name: 'loop' } })).toBe(0);
  });

  it('names the step and field of an unknown type', async () => {
    const response = await server.api('/workflows', {
      ...yaml('workflow:\n  name: typo\n  steps:\n    - name: one\n      type: transfrom\n      value: 1\n'),
      as: 'editor',
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ step: 'one', field: 'type', code: 'unknown_type' }),
    );
    expect(error.message).toContain('did you mean "transform"');
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const huge = `workflow:\n  name: huge\n  description: "${'x'.repeat(2 * 1024 * 1024)}"\n  steps: []\n`;
    const response = await server.api('/workflows', { ...yaml(huge), as: 'editor' });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('body_too_large');
  });

  it('answers 415 for a body that is neither YAML nor JSON', async () => {
    const response = await server.api('/workflows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: GREET,
      as: 'editor',
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).message).toContain('application/yaml');
  });

  it('answers 404 for a workflow that does not exist', async () => {
    const response = await server.api('/workflows/nothing_here', { as: 'viewer' });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('workflow_not_found');
  });

  it('archives a workflow with DELETE', async () => {
    await server.api('/workflows', { ...yaml(GREET.replace('name: greet', 'name: doomed')), as: 'editor' });
    const deleted = await server.api('/workflows/doomed', { method: 'DELETE', as: 'editor' });
    expect(deleted.status).toBe(204);
    expect((await server.api('/workflows/doomed', { as: 'viewer' })).status).toBe(404);
    const list = await bodyOf(await server.api('/workflows'), WorkflowList);
    expect(list.workflows.map((workflow) => workflow.name)).not.toContain('doomed');
  });
});

describe('runs', () => {
  it('runs a workflow and waits for it: 200 with the steps and their outputs', async () => {
    const response = await server.api('/workflows/greet/runs', {
      ...jsonBody('POST', { input: { name: 'Ada' }, wait: true }),
      as: 'editor',
    });
    expect(response.status).toBe(200);
    const run = await bodyOf(response, Run);
    expect(run).toMatchObject({ workflow: 'greet', version: 2, status: 'succeeded', output: 'HELLO ADA' });
    expect(run.steps.map((step) => [step.name, step.status, step.output])).toEqual([
      ['hello', 'succeeded', { greeting: 'Hello Ada' }],
      ['shout', 'succeeded', 'HELLO ADA'],
    ]);
    expect(new Date(run.createdAt).toISOString()).toBe(run.createdAt);

    const fetched = await server.api(`/runs/${run.id}`, { as: 'viewer' });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(run);

    const listed = await bodyOf(
      await server.api('/runs?workflow=greet&status=succeeded', { as: 'viewer' }),
      z.object({ runs: z.array(z.looseObject({ id: z.string(), actor: z.string() })) }),
    );
    expect(listed.runs.map((entry) => entry.id)).toContain(run.id);
    expect(listed.runs.find((entry) => entry.id === run.id)?.actor).toMatch(
      /^editor@api\.test \(token:pcr_\w+\)$/,
    );
  });

  it("refuses input that does not match the manual trigger's input_schema, naming the field", async () => {
    await server.api('/workflows', {
      ...yaml(`
workflow:
  name: typed
  triggers:
    - type: manual
      input_schema: { type: object, properties: { count: { type: integer } }, required: [count] }
  steps:
    - { name: twice, type: transform, value: "{{ trigger.count * 2 }}" }
`),
      as: 'editor',
    });
    const refused = await server.api('/workflows/typed/runs', {
      ...jsonBody('POST', { input: { count: 'three' }, wait: true }),
      as: 'editor',
    });
    expect(refused.status).toBe(400);
    const { error } = await bodyOf(refused, ErrorBody);
    expect(error.code).toBe('input_invalid');
    expect(error.message).toContain('count:');
    const runs = await bodyOf(
      await server.api('/runs?workflow=typed', { as: 'viewer' }),
      z.object({ runs: z.array(z.unknown()) }),
    );
    expect(runs.runs).toHaveLength(0);

    const ran = await server.api('/workflows/typed/runs', {
      ...jsonBody('POST', { input: { count: 3 }, wait: true }),
      as: 'editor',
    });
    expect(await ran.json()).toMatchObject({ status: 'succeeded', output: 6 });
  });

  it('re-runs a run from a step (editors only), naming the steps when the step is unknown', async () => {
    const first = await bodyOf(
      await server.api('/workflows/greet/runs', {
        ...jsonBody('POST', { input: { name: 'Bo' }, wait: true }),
        as: 'editor',
      }),
      Run,
    );
    expect(
      (await server.api(`/runs/${first.id}/rerun`, { ...jsonBody('POST', {}), as: 'viewer' })).status,
    ).toBe(403);
    const unknown = await server.api(`/runs/${first.id}/rerun`, {
      ...jsonBody('POST', { fromStep: 'nope' }),
      as: 'editor',
    });
    expect(unknown.status).toBe(400);
    expect((await bodyOf(unknown, ErrorBody)).error.message).toContain('its steps: hello, shout');

    const accepted = await server.api(`/runs/${first.id}/rerun`, {
      ...jsonBody('POST', { fromStep: 'shout' }),
      as: 'editor',
    });
    expect(accepted.status).toBe(202);
    const { id } = await bodyOf(accepted, z.object({ id: z.string() }));
    expect(id).not.toBe(first.id);
    await server.engine.client.workflow.getHandle(`run-${id}`).result();
    const rerun = await bodyOf(await server.api(`/runs/${id}`, { as: 'viewer' }), Run);
    expect(rerun).toMatchObject({ status: 'succeeded', output: 'HELLO BO' });
    expect(rerun.steps.map((step) => [step.name, step.input])).toEqual([
      ['hello', { kept_from_run: first.id }],
      ['shout', expect.anything()],
    ]);
  });

  it('runs a given version', async () => {
    const response = await server.api('/workflows/greet/runs', {
      ...jsonBody('POST', { input: { name: 'v1' }, version: 1, wait: true }),
      as: 'editor',
    });
    expect(await response.json()).toMatchObject({ version: 1, status: 'succeeded' });
  });

  it('answers 400 naming the field of an invalid run request', async () => {
    const response = await server.api('/workflows/greet/runs', {
      ...jsonBody('POST', { wait: 'yes' }),
      as: 'editor',
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('request_invalid');
    expect(error.issues).toContainEqual(expect.objectContaining({ field: 'wait' }));
  });

  it('answers 400 naming the parameter of an invalid list filter', async () => {
    const response = await server.api('/runs?status=sleeping', { as: 'viewer' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).issues).toContainEqual(expect.objectContaining({ field: 'status' }));
  });

  it('starts a run without waiting (202), then cancels it', async () => {
    await server.api('/workflows', { ...yaml(SLEEPY), as: 'editor' });
    const started = await server.api('/workflows/sleepy/runs', { method: 'POST', as: 'editor' });
    expect(started.status).toBe(202);
    const { id, status } = await bodyOf(started, Accepted);
    expect(['queued', 'running']).toContain(status);
    await runUntil(id, (run) => run.steps.some((step) => step.name === 'nap' && step.status === 'running'));

    const viewerCancel = await server.api(`/runs/${id}/cancel`, { method: 'POST', as: 'viewer' });
    expect(viewerCancel.status).toBe(403);
    const cancel = await server.api(`/runs/${id}/cancel`, { method: 'POST', as: 'editor' });
    expect(cancel.status).toBe(202);
    const run = await runUntil(id, (current) => current.status === 'cancelled');
    expect(run.steps.find((step) => step.name === 'nap')?.status).toBe('cancelled');

    const again = await server.api(`/runs/${id}/cancel`, { method: 'POST', as: 'editor' });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('run_finished');
  });

  it('delivers an approval to a waiting run', async () => {
    await server.api('/workflows', { ...yaml(GATED), as: 'editor' });
    const { id } = await bodyOf(
      await server.api('/workflows/gated/runs', { method: 'POST', as: 'editor' }),
      Accepted,
    );
    const early = await server.api(`/runs/${id}/approvals/ship`, {
      ...jsonBody('POST', { approved: true }),
      as: 'editor',
    });
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe('run_not_waiting');

    await runUntil(id, (run) => run.status === 'waiting');
    const decided = await server.api(`/runs/${id}/approvals/ask`, {
      ...jsonBody('POST', { approved: true, comment: 'go' }),
      as: 'editor',
    });
    expect(decided.status).toBe(202);
    expect(await decided.json()).toEqual({ id, step: 'ask', approved: true });
    const run = await runUntil(id, (current) => current.status === 'succeeded');
    expect(run.output).toBe('shipped');
  });

  it('lets only the listed approvers decide', async () => {
    await server.api('/workflows', {
      ...yaml(
        GATED.replace('name: gated', 'name: gated_owner').replace(
          'message: Ship it?',
          'approvers: [owner@api.test]',
        ),
      ),
      as: 'editor',
    });
    const { id } = await bodyOf(
      await server.api('/workflows/gated_owner/runs', { method: 'POST', as: 'editor' }),
      Accepted,
    );
    await runUntil(id, (run) => run.status === 'waiting');
    const byEditor = await server.api(`/runs/${id}/approvals/ask`, {
      ...jsonBody('POST', { approved: true }),
      as: 'editor',
    });
    expect(byEditor.status).toBe(403);
    expect((await errorOf(byEditor)).code).toBe('not_an_approver');
    const byOwner = await server.api(`/runs/${id}/approvals/ask`, {
      ...jsonBody('POST', { approved: false }),
      as: 'owner',
    });
    expect(byOwner.status).toBe(202);
    expect((await runUntil(id, (run) => run.status === 'failed')).steps[0]?.status).toBe('failed');
  });

  it("serves a run's artifacts to readers with their media type, and to nobody else", async () => {
    await server.api('/workflows', { ...yaml(GREET), as: 'editor' });
    const started = await server.api('/workflows/greet/runs', {
      ...jsonBody('POST', { input: { name: 'Ann' }, wait: true }),
      as: 'editor',
    });
    const { id: runId } = await bodyOf(started, Run);
    const other = await bodyOf(
      await server.api('/workflows/greet/runs', {
        ...jsonBody('POST', { input: {}, wait: true }),
        as: 'editor',
      }),
      Run,
    );
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const shot = await server.engine.artifacts.save({
      runId,
      stepName: 'hello',
      name: 'shot.png',
      mediaType: 'image/png',
      data: png,
    });
    const page = await server.engine.artifacts.save({
      runId,
      stepName: 'hello',
      name: '../page.html',
      mediaType: 'text/html',
      data: Buffer.from('<script>alert(1)</script>'),
    });

    const run = await bodyOf(
      await server.api(`/runs/${runId}`, { as: 'viewer' }),
      z.object({
        artifacts: z.array(z.object({ id: z.string(), step: z.string(), name: z.string(), url: z.string() })),
      }),
    );
    expect(run.artifacts.map((artifact) => [artifact.step, artifact.name])).toEqual([
      ['hello', 'shot.png'],
      ['hello', 'page.html'],
    ]);
    expect(run.artifacts[0]?.url).toBe(`/api/v1/runs/${runId}/artifacts/${shot.id}`);

    const download = await fetch(`${server.url}${shot.url}`, {
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);

    // Captured HTML is never shown inline in the studio's origin.
    const html = await fetch(`${server.url}${page.url}`, {
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
    });
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/);
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await fetch(`${server.url}${shot.url}`)).status).toBe(401);
    const elsewhere = await server.api(`/runs/${other.id}/artifacts/${shot.id}`, { as: 'viewer' });
    expect(elsewhere.status).toBe(404);
    expect((await bodyOf(elsewhere, ErrorBody)).error.code).toBe('artifact_not_found');

    // A file that came in by chat has its own URL, for readers only; a run's artifact is not one.
    const conversation = await server.engine.db.conversation.create({
      data: { platform: 'telegram', externalId: 'telegram:42' },
    });
    const photo = await server.engine.artifacts.saveChatFile({
      conversationId: conversation.id,
      messageId: '42:7',
      name: 'photo.png',
      mediaType: 'image/png',
      data: png,
    });
    expect(photo.url).toBe(`/api/v1/chat/files/${photo.id}`);
    const fetched = await fetch(`${server.url}${photo.url}`, {
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
    });
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);
    expect((await fetch(`${server.url}${photo.url}`)).status).toBe(401);
    const notChat = await server.api(`/chat/files/${shot.id}`, { as: 'viewer' });
    expect(notChat.status).toBe(404);
    expect((await bodyOf(notChat, ErrorBody)).error.code).toBe('chat_file_not_found');
  });

  it('answers 404 for a run that does not exist, malformed id or not', async () => {
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-a-run']) {
      const response = await server.api(`/runs/${id}`, { as: 'viewer' });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('run_not_found');
    }
  });
});

describe('tokens', () => {
  it('lets an owner create, list and revoke tokens, and nobody else', async () => {
    const byEditor = await server.api('/tokens', { ...jsonBody('POST', { name: 'nope' }), as: 'editor' });
    expect(byEditor.status).toBe(403);

    const created = await server.api('/tokens', {
      ...jsonBody('POST', { name: 'reporting', role: 'viewer' }),
      as: 'owner',
    });
    expect(created.status).toBe(201);
    const token = await bodyOf(
      created,
      z.looseObject({ token: z.string(), id: z.string(), prefix: z.string(), role: z.string() }),
    );
    expect(token.token.startsWith(`${token.prefix}_`)).toBe(true);
    expect(token.role).toBe('viewer');

    const useIt = (method = 'GET') =>
      fetch(`${server.url}/api/v1/workflows`, {
        method,
        headers: { authorization: `Bearer ${token.token}` },
      });
    expect((await useIt()).status).toBe(200);

    const list = await bodyOf(
      await server.api('/tokens'),
      z.object({ tokens: z.array(z.looseObject({ id: z.string(), prefix: z.string() })) }),
    );
    expect(list.tokens).toContainEqual(expect.objectContaining({ id: token.id, prefix: token.prefix }));
    expect(JSON.stringify(list)).not.toContain(token.token);

    expect((await server.api(`/tokens/${token.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await useIt()).status).toBe(401);
  });

  it('answers 400 naming the field of an invalid token request', async () => {
    const response = await server.api('/tokens', { ...jsonBody('POST', { role: 'admin' }) });
    expect(response.status).toBe(400);
    const fields = (await errorOf(response)).issues?.map((issue) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'role']));
  });
});

describe('webhooks', () => {
  const HOOKED = `
workflow:
  name: order_intake
  triggers:
    - { type: webhook, name: orders, respond: when_done, timeout: 20s }
  steps:
    - name: total
      type: transform
      value: "{{ $sum(trigger.body.items.price) }}"
    - name: check
      type: condition
      condition: "{{ steps.total.output > 100 }}"
    - name: big
      type: respond
      needs: [check.true]
      status: 201
      body: { verdict: review, total: "{{ steps.total.output }}" }
    - name: small
      type: respond
      needs: [check.false]
      body: { verdict: ok, total: "{{ steps.total.output }}" }
`;

  it('publishes a webhook on import and answers synchronously from the respond step', async () => {
    const imported = await server.api('/workflows', { ...yaml(HOOKED), as: 'editor' });
    expect(imported.status).toBe(201);
    const saved = (await imported.json()) as {
      triggers: { webhooks: { key: string; url: string; secret?: string }[] };
    };
    const hook = saved.triggers.webhooks[0];
    expect(hook).toMatchObject({ key: 'orders', url: expect.stringContaining('/api/v1/hooks/') });
    const secret = hook?.secret ?? '';
    expect(secret.length).toBeGreaterThan(20);
    const url = `${server.url}${new URL(hook?.url ?? '').pathname}`;

    const call = (
      items: { price: number }[],
      headers: Record<string, string> = { 'x-pincer-secret': secret },
    ) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ items }),
      });

    const big = await call([{ price: 80 }, { price: 70 }]);
    expect(big.status).toBe(201);
    expect(await big.json()).toEqual({ verdict: 'review', total: 150 });
    const runId = big.headers.get('x-pincer-run') ?? '';
    // The answer leaves as soon as the respond step has run; the run records its end just after.
    const run = await runUntil(runId, (current) => current.status === 'succeeded');
    expect(run).toMatchObject({ trigger: 'webhook' });

    const small = await call([{ price: 5 }]);
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ verdict: 'ok', total: 5 });

    const wrong = await call([{ price: 5 }], { 'x-pincer-secret': 'nope' });
    expect(wrong.status).toBe(404);
    expect((await errorOf(wrong)).code).toBe('webhook_not_found');
    const get = await fetch(url, { headers: { 'x-pincer-secret': secret } });
    expect(get.status).toBe(405);

    // Editors rotate the secret: the new one is shown once, the old one stops at once, the URL stays.
    const hookId = new URL(url).pathname.split('/').pop() ?? '';
    const refused = await server.api(`/hooks/${hookId}/rotate`, { method: 'POST', as: 'viewer' });
    expect(refused.status).toBe(403);
    const rotated = await bodyOf(
      await server.api(`/hooks/${hookId}/rotate`, { method: 'POST', as: 'editor' }),
      z.strictObject({ id: z.string(), url: z.string(), secret: z.string() }),
    );
    expect(rotated).toMatchObject({ id: hookId, url: hook?.url });
    expect(rotated.secret).not.toBe(secret);
    expect((await call([{ price: 5 }])).status).toBe(404);
    expect((await call([{ price: 5 }], { 'x-pincer-secret': rotated.secret })).status).toBe(200);
    const unknown = await server.api('/hooks/00000000-0000-4000-8000-000000000000/rotate', {
      method: 'POST',
      as: 'editor',
    });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('webhook_not_found');
    const malformed = await server.api('/hooks/push/rotate', { method: 'POST', as: 'editor' });
    expect(malformed.status).toBe(404);
    expect((await errorOf(malformed)).message).toBe('No webhook with id "push".');

    const again = await server.api('/workflows', { ...yaml(HOOKED), as: 'editor' });
    const republished = (await again.json()) as {
      triggers: { webhooks: { url: string; secret?: string }[] };
    };
    expect(republished.triggers.webhooks[0]?.url).toBe(hook?.url);
    expect(republished.triggers.webhooks[0]?.secret).toBeUndefined();
  });

  it('answers as soon as the respond step has run, while the rest of the run goes on', async () => {
    const imported = await server.api('/workflows', {
      ...yaml(`
workflow:
  name: answer_then_work
  triggers:
    - { type: webhook, name: early, respond: when_done, timeout: 120s }
  steps:
    - name: accepted
      type: respond
      status: 202
      body: { order: "{{ trigger.body.order }}", state: accepted }
    - name: review
      type: approval
      message: Fulfil the order?
    - name: fulfil
      type: transform
      value: "fulfilled {{ trigger.body.order }}"
`),
      as: 'editor',
    });
    const { triggers } = (await imported.json()) as {
      triggers: { webhooks: { url: string; secret?: string }[] };
    };
    const hook = triggers.webhooks[0];
    const answered = await fetch(`${server.url}${new URL(hook?.url ?? '').pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pincer-secret': hook?.secret ?? '' },
      body: JSON.stringify({ order: 'A-17' }),
      signal: AbortSignal.timeout(120_000),
    });
    // The run cannot end before someone approves, which happens only after this answer.
    expect(answered.status).toBe(202);
    expect(await answered.json()).toEqual({ order: 'A-17', state: 'accepted' });
    const runId = answered.headers.get('x-pincer-run') ?? '';
    await runUntil(runId, (run) => run.status === 'waiting');
    const decided = await server.api(`/runs/${runId}/approvals/review`, {
      ...jsonBody('POST', { approved: true }),
      as: 'editor',
    });
    expect(decided.status).toBe(202);
    const run = await runUntil(runId, (current) => current.status === 'succeeded');
    expect(run.output).toBe('fulfilled A-17');
  });
});

describe('credentials', () => {
  it('are write-only: stored by editors, listed by name, never shown', async () => {
    const put = (as: 'viewer' | 'editor', value: string) =>
      server.api('/credentials/crm_token', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value, type: 'api_token' }),
        as,
      });
    expect((await put('viewer', 'x')).status).toBe(403);
    const created = await put('editor', 'very-secret-value');
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ name: 'crm_token', created: true });
    expect((await put('editor', 'rotated-secret')).status).toBe(200);

    const listed = await server.api('/credentials', { as: 'viewer' });
    const text = await listed.text();
    expect(text).toContain('crm_token');
    expect(text).not.toContain('secret-value');
    expect(text).not.toContain('rotated');

    expect((await server.api('/credentials/crm_token', { method: 'DELETE', as: 'editor' })).status).toBe(204);
    expect((await server.api('/credentials/crm_token', { method: 'DELETE', as: 'editor' })).status).toBe(404);
  });
});

describe('schedules and node types', () => {
  it('lists schedules with their next fire times, and pauses and resumes them', async () => {
    const imported = await server.api('/workflows', {
      ...yaml(`
workflow:
  name: hourly
  triggers:
    - { type: schedule, cron: "15 * * * *", timezone: UTC }
  steps:
    - { name: tick, type: transform, value: tick }
`),
      as: 'editor',
    });
    expect(imported.status).toBe(201);
    const list = (await (await server.api('/schedules', { as: 'viewer' })).json()) as {
      schedules: { id: string; workflow: string }[];
    };
    const schedule = list.schedules.find((entry) => entry.workflow === 'hourly');
    expect(schedule).toBeDefined();
    const detail = (await (await server.api(`/schedules/${schedule?.id}`, { as: 'viewer' })).json()) as {
      nextRuns: string[];
      paused: boolean;
    };
    expect(detail.nextRuns).toHaveLength(5);
    expect(detail.nextRuns.every((time) => new Date(time).getUTCMinutes() === 15)).toBe(true);
    const paused = await server.api(`/schedules/${schedule?.id}/pause`, { method: 'POST', as: 'editor' });
    expect(((await paused.json()) as { paused: boolean }).paused).toBe(true);
    const viewerTry = await server.api(`/schedules/${schedule?.id}/resume`, { method: 'POST', as: 'viewer' });
    expect(viewerTry.status).toBe(403);
    const resumed = await server.api(`/schedules/${schedule?.id}/resume`, { method: 'POST', as: 'editor' });
    expect(((await resumed.json()) as { paused: boolean }).paused).toBe(false);
  });

  it('serves the node catalog with a JSON Schema per type', async () => {
    const catalog = (await (await server.api('/nodes', { as: 'viewer' })).json()) as {
      nodes: { type: string; configSchema: { properties?: Record<string, unknown> } }[];
    };
    const http = catalog.nodes.find((node) => node.type === 'http_request');
    expect(http?.configSchema.properties).toHaveProperty('url');
    expect(catalog.nodes.map((node) => node.type)).toEqual(
      expect.arrayContaining(['transform', 'approval', 'for_each']),
    );
  });
});

describe('OpenAPI', () => {
  it('lets owners (only) list and decide chat pairings', async () => {
    await server.engine.db.chatPairing.create({
      data: { platform: 'telegram', userId: '77', chatId: '77', code: 'ABCD2345', name: 'Ann' },
    });
    const viewer = await server.api('/chat/pairings', { as: 'viewer' });
    expect(viewer.status).toBe(403);
    const listed = await bodyOf(
      await server.api('/chat/pairings?status=pending'),
      z.object({ pairings: z.array(z.object({ code: z.string(), status: z.string() })) }),
    );
    expect(listed.pairings).toEqual([expect.objectContaining({ code: 'ABCD2345', status: 'pending' })]);
    const decided = await server.api('/chat/pairings/abcd2345', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true }),
    });
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({
      status: 'approved',
      decidedBy: expect.stringMatching(/^owner@api.test \(token:/),
    });
    const missing = await server.api('/chat/pairings/ZZZZ2345', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true }),
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'pairing_not_found' } });
  });

  it('serves an OpenAPI 3.1 document without a token, covering every endpoint', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = await bodyOf(
      response,
      z.looseObject({
        openapi: z.string(),
        paths: z.record(z.string(), z.record(z.string(), z.unknown())),
        components: z.record(z.string(), z.record(z.string(), z.unknown())),
      }),
    );
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Every endpoint of the contract, plus the webhook, which takes any method its trigger says.
    const hooks = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => `${method} /hooks/{id}`);
    expect(operations.sort()).toEqual(
      [...ENDPOINTS.map((endpoint) => `${endpoint.method.toUpperCase()} ${endpoint.path}`), ...hooks].sort(),
    );
    expect(operations).toContain('POST /workflows/{name}/runs');
    expect(Object.keys(document.components.schemas ?? {})).toEqual(
      expect.arrayContaining(['Error', 'Run', 'WorkflowDefinition', 'StartRunRequest', 'TokenCreated']),
    );
    // Every $ref points at something the document defines.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, kind, name] of refs) {
      expect(Object.keys(document.components[kind ?? ''] ?? {})).toContain(name);
    }
  });
});
