import { setTimeout as sleep } from 'node:timers/promises';
import { ENDPOINTS, type Endpoint, endpoints, schemas } from '@pincer/api';
import type { Role } from '@pincer/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/api.ts';

/**
 * Walks every endpoint of the contract (@pincer/api): each refuses a request without a token,
 * and a valid call answers with a status the contract declares and a body its schema accepts.
 * A new endpoint fails to compile here until it has a valid call below.
 */

let server: TestServer;

const WORKFLOW = (name: string) => `
workflow:
  name: ${name}
  triggers:
    - { type: manual }
    - { type: webhook, name: ping }
    - { type: schedule, cron: "15 * * * *", timezone: UTC }
  steps:
    - { name: hello, type: transform, value: "hello {{ trigger.name }}" }
`;

const SLEEPY = `
workflow:
  name: contract_sleepy
  steps:
    - { name: nap, type: delay, duration: 1h }
`;

const GATED = `
workflow:
  name: contract_gated
  steps:
    - { name: ask, type: approval, message: Ship it? }
    - { name: ship, type: transform, value: shipped }
`;

/** What the valid calls need: made once through the API itself (and the stores, for files). */
interface Fixtures {
  runId: string;
  waitingRunId: string;
  sleepingRunId: string;
  artifact: { runId: string; id: string };
  chatFileId: string;
  webhookId: string;
  scheduleId: string;
  tokenId: string;
}

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: string | object;
  contentType?: string;
  /** The role whose token is sent (owner by default); null: none. */
  as?: Role | null;
}

/** One valid call per endpoint, in an order where each finds what it needs. */
const VALID = {
  listWorkflows: () => ({}),
  createWorkflow: () => ({ body: WORKFLOW('contract_created'), contentType: 'application/yaml' }),
  getWorkflow: () => ({ params: { name: 'contract' } }),
  updateWorkflow: () => ({
    params: { name: 'contract' },
    body: WORKFLOW('contract').replace('hello {{', 'hi {{'),
    contentType: 'application/yaml',
  }),
  startRun: () => ({ params: { name: 'contract' }, body: { input: { name: 'Ann' } } }),
  listRuns: () => ({ query: { workflow: 'contract' } }),
  getRun: (f) => ({ params: { id: f.runId } }),
  getArtifact: (f) => ({ params: { id: f.artifact.runId, artifactId: f.artifact.id } }),
  rerunRun: (f) => ({ params: { id: f.runId }, body: { fromStep: 'hello' } }),
  decideApproval: (f) => ({ params: { id: f.waitingRunId, step: 'ask' }, body: { approved: true } }),
  cancelRun: (f) => ({ params: { id: f.sleepingRunId } }),
  listPairings: () => ({}),
  decidePairing: () => ({ params: { code: 'CNTR2345' }, body: { approved: true } }),
  getChatFile: (f) => ({ params: { id: f.chatFileId } }),
  createToken: () => ({ body: { name: 'contract', role: 'viewer' } }),
  listTokens: () => ({}),
  revokeToken: (f) => ({ params: { id: f.tokenId } }),
  listSchedules: () => ({}),
  getSchedule: (f) => ({ params: { id: f.scheduleId } }),
  pauseSchedule: (f) => ({ params: { id: f.scheduleId } }),
  resumeSchedule: (f) => ({ params: { id: f.scheduleId } }),
  rotateWebhookSecret: (f) => ({ params: { id: f.webhookId } }),
  listNodeTypes: () => ({}),
  listCredentials: () => ({}),
  setCredential: () => ({ params: { name: 'CONTRACT' }, body: { value: 's3cret' } }),
  deleteCredential: () => ({ params: { name: 'CONTRACT' } }),
  archiveWorkflow: () => ({ params: { name: 'contract_created' } }),
} satisfies Record<keyof typeof endpoints, (fixtures: Fixtures) => Call>;

function pathOf(spec: Endpoint, params: Record<string, string> = {}): string {
  return spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

function call(spec: Endpoint, input: Call): Promise<Response> {
  const query = input.query ? `?${new URLSearchParams(input.query)}` : '';
  const body = typeof input.body === 'string' ? input.body : input.body && JSON.stringify(input.body);
  return server.api(`${pathOf(spec, input.params)}${query}`, {
    method: spec.method.toUpperCase(),
    ...(body !== undefined
      ? { body, headers: { 'content-type': input.contentType ?? 'application/json' } }
      : {}),
    as: input.as === undefined ? 'owner' : input.as,
  });
}

async function json(spec: Endpoint, input: Call): Promise<unknown> {
  const response = await call(spec, input);
  expect(response.status, `${spec.operationId}: ${await response.clone().text()}`).toBeLessThan(300);
  return response.json();
}

let fixtures: Fixtures;

beforeAll(async () => {
  server = await startTestServer();
  const imported = schemas.SavedWorkflow.parse(
    await json(endpoints.createWorkflow, { body: WORKFLOW('contract'), contentType: 'application/yaml' }),
  );
  await json(endpoints.createWorkflow, { body: GATED, contentType: 'application/yaml' });
  await json(endpoints.createWorkflow, { body: SLEEPY, contentType: 'application/yaml' });
  const sleeping = schemas.RunAccepted.parse(
    await json(endpoints.startRun, { params: { name: 'contract_sleepy' } }),
  );
  const finished = schemas.RunView.parse(
    await json(endpoints.startRun, {
      params: { name: 'contract' },
      body: { input: { name: 'Bo' }, wait: true },
    }),
  );
  const waiting = schemas.RunAccepted.parse(
    await json(endpoints.startRun, { params: { name: 'contract_gated' } }),
  );
  for (let attempt = 0; attempt < 300; attempt++) {
    const run = schemas.RunView.parse(await json(endpoints.getRun, { params: { id: waiting.id } }));
    if (run.steps.some((step) => step.name === 'ask' && step.status === 'waiting_approval')) break;
    await sleep(200);
  }
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const shot = await server.engine.artifacts.save({
    runId: finished.id,
    stepName: 'hello',
    name: 'shot.png',
    mediaType: 'image/png',
    data: png,
  });
  const conversation = await server.engine.db.conversation.create({
    data: { platform: 'telegram', externalId: 'telegram:contract' },
  });
  const photo = await server.engine.artifacts.saveChatFile({
    conversationId: conversation.id,
    messageId: '1:1',
    name: 'photo.png',
    mediaType: 'image/png',
    data: png,
  });
  await server.engine.db.chatPairing.create({
    data: { platform: 'telegram', userId: '88', chatId: '88', code: 'CNTR2345', name: 'Cy' },
  });
  const token = schemas.TokenCreated.parse(
    await json(endpoints.createToken, { body: { name: 'to revoke' } }),
  );
  fixtures = {
    runId: finished.id,
    waitingRunId: waiting.id,
    sleepingRunId: sleeping.id,
    artifact: { runId: finished.id, id: shot.id },
    chatFileId: photo.id,
    webhookId: imported.triggers.webhooks[0]?.id ?? '',
    scheduleId: imported.triggers.schedules[0]?.id ?? '',
    tokenId: token.id,
  };
});

afterAll(async () => {
  await server?.stop();
});

describe('the API contract', () => {
  it('refuses every endpoint without a token (401), before reading anything', async () => {
    for (const [key, valid] of Object.entries(VALID)) {
      const spec: Endpoint = endpoints[key as keyof typeof endpoints];
      const response = await call(spec, { ...valid(fixtures), as: null });
      expect(response.status, spec.operationId).toBe(401);
    }
    // Every endpoint was called: VALID covers the contract (the compiler checks the names).
    expect(Object.keys(VALID).length).toBe(ENDPOINTS.length);
  });

  it('answers every endpoint with a status it declares and a body its schema accepts', async () => {
    for (const [key, valid] of Object.entries(VALID)) {
      const spec: Endpoint = endpoints[key as keyof typeof endpoints];
      const response = await call(spec, valid(fixtures));
      const declared = spec.answers[response.status];
      expect(
        declared,
        `${spec.operationId} answered ${response.status}: ${await response.clone().text()}`,
      ).toBeDefined();
      if (declared?.json) {
        const parsed = declared.json.safeParse(await response.json());
        expect(parsed.error, spec.operationId).toBeUndefined();
      } else if (declared?.binary) {
        expect((await response.arrayBuffer()).byteLength, spec.operationId).toBeGreaterThan(0);
      } else {
        expect(await response.text(), spec.operationId).toBe('');
      }
    }
  });
});
