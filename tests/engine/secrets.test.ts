import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptSecret, encryptSecret, setCredential } from '@pincer/engine';
import { CompileError } from '@pincer/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

const SECRET = 'sk-live-7f3a9c2e1b';
let engine: TestEngine;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/echo') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`${request.headers['x-note']}|${Buffer.concat(chunks).toString('utf8')}`);
      });
      return;
    }
    const authorized = request.headers.authorization === `Bearer ${SECRET}`;
    response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ authorized }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  engine = await startTestEngine({ allowPrivateHosts: ['127.0.0.1'] });
});

afterAll(async () => {
  await engine?.stop();
  server?.close();
});

describe('secrets', () => {
  it('reach the step inside the activity, and never its record or the Temporal history', async () => {
    await setCredential(engine.db, engine.secretKey, { name: 'api_token', value: SECRET, actor: 'test' });
    await engine.save(`
workflow:
  name: authorized_call
  steps:
    - name: call
      type: http_request
      url: "${base}/private"
      headers: { authorization: "Bearer {{ secrets.api_token }}" }
`);
    const run = await engine.run('authorized_call');
    expect(run.status).toBe('succeeded');
    const call = run.steps.find((step) => step.name === 'call');
    expect(call?.output).toMatchObject({ status: 200, body: { authorized: true } });
    expect(JSON.stringify(call?.input)).toContain('Bearer {{ secrets.api_token }}');

    const rows = await engine.db.stepRun.findMany({ where: { runId: run.id } });
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    const history = await engine.client.workflow.getHandle(`run-${run.id}`).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(SECRET);
    const stored = await engine.db.credential.findUniqueOrThrow({ where: { name: 'api_token' } });
    expect(Buffer.from(stored.ciphertext).toString('utf8')).not.toContain(SECRET);
  });

  it('are never filled into data that merely looks like a reference (a webhook body, a chat message)', async () => {
    await setCredential(engine.db, engine.secretKey, { name: 'api_token', value: SECRET, actor: 'test' });
    await engine.save(`
workflow:
  name: echo_note
  steps:
    - name: call
      type: http_request
      method: POST
      url: "${base}/echo"
      headers: { x-note: "{{ trigger.note }}" }
      body: "{{ trigger.note }} and {{ trigger.other }}"
`);
    const run = await engine.run('echo_note', {
      note: '{{ secrets.api_token }}',
      other: '⟦secret:00000000-0000-4000-8000-000000000000:api_token⟧',
    });
    expect(run.status).toBe('succeeded');
    const output = JSON.stringify(run.steps.find((step) => step.name === 'call')?.output);
    expect(output).not.toContain(SECRET);
    expect(output).toContain('{{ secrets.api_token }}|{{ secrets.api_token }} and');
  });

  it('fails the step with the fix when a secret is missing', async () => {
    await engine.save(`
workflow:
  name: missing_secret
  steps:
    - name: call
      type: http_request
      url: "${base}/private"
      headers: { authorization: "Bearer {{ secrets.nope }}" }
`);
    const run = await engine.run('missing_secret');
    expect(run.status).toBe('failed');
    const error = JSON.stringify(run.steps.find((step) => step.name === 'call')?.error);
    expect(error).toContain('No credential named \\"nope\\"');
    expect(error).toContain('pincer credential set nope');
  });

  it('must be read whole: an expression that computes with one is refused', async () => {
    await expect(
      engine.save(`
workflow:
  name: leaky
  steps:
    - { name: a, type: transform, value: "{{ $uppercase(secrets.api_token) }}" }
`),
    ).rejects.toThrow(CompileError);
  });

  it('are bound to their name: a ciphertext moved to another name does not decrypt', () => {
    const sealed = encryptSecret(engine.secretKey, 'a', 'value');
    expect(decryptSecret(engine.secretKey, 'a', sealed)).toBe('value');
    expect(() => decryptSecret(engine.secretKey, 'b', sealed)).toThrow(/cannot be decrypted/);
  });
});
