import { spawn } from 'node:child_process';
import path from 'node:path';
import { hashPassword } from '@pincer/db';
import {
  createApiToken,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ADDRESS,
  requestPairing,
} from '@pincer/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/api.ts';
import { repoRoot } from '../support/pincer.ts';

/**
 * Issue 13, findings 6, 12 and 13 against the studio as `npm start` serves it: sign-in over
 * next-auth's own endpoints (as the sign-in form posts), sessions, account care in the studio and
 * the CLI, NUL characters in run input, and who sees pairing codes.
 */
let server: TestServer;
const PASSWORD = 'first password 1';
const NEW_PASSWORD = 'second password 2';

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  // Each test starts with a clean throttle (they all sign in from 127.0.0.1).
  await server.engine.db.auditEvent.deleteMany({ where: { action: { startsWith: 'user.sign_in' } } });
});

/** The cookies a response sets, as a Cookie header merged over `jar`. */
function cookies(response: Response, jar = ''): string {
  const merged = new Map(
    jar
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0] ?? '', pair] as const),
  );
  for (const set of response.headers.getSetCookie()) {
    const pair = set.split(';')[0] ?? '';
    merged.set(pair.split('=')[0] ?? '', pair);
  }
  return [...merged.values()].join('; ');
}

async function csrf(jar = ''): Promise<{ token: string; jar: string }> {
  const response = await fetch(`${server.url}/api/auth/csrf`, { headers: { cookie: jar } });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { token: csrfToken, jar: cookies(response, jar) };
}

/** Signs in as the sign-in form does: the session cookie jar, or the error the form would show. */
async function signIn(
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ jar: string } | { error: string }> {
  const { token, jar } = await csrf();
  const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, ...headers },
    body: new URLSearchParams({ csrfToken: token, email, password, json: 'true' }),
  });
  const location = response.headers.get('location') ?? ((await response.json()) as { url: string }).url;
  const error = new URL(location, server.url).searchParams.get('error');
  return error ? { error } : { jar: cookies(response, jar) };
}

async function signedIn(email: string, password: string): Promise<string> {
  const result = await signIn(email, password);
  if ('error' in result) throw new Error(`sign-in of ${email} refused: ${result.error}`);
  return result.jar;
}

async function signOut(jar: string): Promise<void> {
  const { token, jar: withCsrf } = await csrf(jar);
  const response = await fetch(`${server.url}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: withCsrf },
    body: new URLSearchParams({ csrfToken: token, json: 'true' }),
  });
  expect(response.status).toBeLessThan(400);
}

function query(jar: string, name: string, input?: unknown): Promise<Response> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return fetch(`${server.url}/api/trpc/${name}${search}`, { headers: { cookie: jar } });
}

function mutate(jar: string, name: string, input: unknown): Promise<Response> {
  return fetch(`${server.url}/api/trpc/${name}`, {
    method: 'POST',
    headers: { cookie: jar, 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  });
}

async function newUser(email: string, role: 'viewer' | 'editor' | 'owner' = 'viewer') {
  return server.engine.db.user.create({
    data: { email, role, passwordHash: await hashPassword(PASSWORD) },
  });
}

/**
 * Records `count` more failed sign-ins for `email` from the address the studio saw for the last
 * real failure of `like` (as if they had been tried over HTTP; each real one costs an scrypt).
 */
async function repeatFailure(email: string, count: number, like = email): Promise<void> {
  const { db } = server.engine;
  const real = await db.auditEvent.findFirstOrThrow({
    where: { action: 'user.sign_in_failed', targetId: like },
    orderBy: { createdAt: 'desc' },
  });
  const data = real.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new Error('no address recorded');
  await db.auditEvent.createMany({
    data: Array.from({ length: count }, () => ({
      actor: real.actor,
      action: real.action,
      targetType: 'account',
      targetId: email,
      data,
    })),
  });
}

async function audit(action: string, targetId: string): Promise<number> {
  return server.engine.db.auditEvent.count({ where: { action, targetId } });
}

/** `pincer user ...` as an operator runs it on the machine, the new password on stdin. */
function pincerUser(args: string[], stdin = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/pincer.mjs'), 'user', ...args], {
      cwd: repoRoot,
      env: server.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(stdin);
  });
}

describe('sign-in throttling', () => {
  it('refuses an account after repeated wrong passwords, even the right one, and audits it', async () => {
    await newUser('guessed@accounts.test');
    expect(await signIn('guessed@accounts.test', 'wrong 1')).toEqual({ error: 'CredentialsSignin' });
    // The throttle counts failures from the audit log: the earlier guesses, as the studio records them.
    await repeatFailure('guessed@accounts.test', MAX_FAILURES_PER_ACCOUNT - 2);
    expect(await signIn('guessed@accounts.test', 'wrong 2')).toEqual({ error: 'CredentialsSignin' });
    const refused = await signIn('guessed@accounts.test', PASSWORD);
    expect(refused).toEqual({
      error: expect.stringMatching(/^Too many failed sign-ins for this account: try again in \d+ minutes/),
    });
    expect(await audit('user.sign_in_failed', 'guessed@accounts.test')).toBe(MAX_FAILURES_PER_ACCOUNT);
    expect(await audit('user.sign_in_throttled', 'guessed@accounts.test')).toBe(1);
    // Other accounts are not locked by it.
    await newUser('bystander@accounts.test');
    await signedIn('bystander@accounts.test', PASSWORD);
  });

  it('refuses an address that tries many accounts, whatever address header it sends', async () => {
    await newUser('target@accounts.test');
    const spoofed = (index: number) => ({
      'x-pincer-client-address': `10.0.0.${index}`,
      'x-forwarded-for': `10.0.1.${index}`,
    });
    expect(await signIn('nobody-first@accounts.test', 'guess', spoofed(1))).toEqual({
      error: 'CredentialsSignin',
    });
    for (let index = 0; index < MAX_FAILURES_PER_ADDRESS - 2; index++)
      await repeatFailure(`nobody${index}@accounts.test`, 1, 'nobody-first@accounts.test');
    expect(await signIn('nobody-last@accounts.test', 'guess', spoofed(2))).toEqual({
      error: 'CredentialsSignin',
    });
    expect(await signIn('target@accounts.test', PASSWORD, spoofed(3))).toEqual({
      error: expect.stringMatching(/^Too many failed sign-ins from your address/),
    });
  });

  it('answers an unknown e-mail exactly like a wrong password, and audits both', async () => {
    await newUser('known@accounts.test');
    expect(await signIn('known@accounts.test', 'wrong')).toEqual({ error: 'CredentialsSignin' });
    expect(await signIn('unknown@accounts.test', 'wrong')).toEqual({ error: 'CredentialsSignin' });
    expect(await audit('user.sign_in_failed', 'known@accounts.test')).toBe(1);
    expect(await audit('user.sign_in_failed', 'unknown@accounts.test')).toBe(1);
  });
});

describe('sessions', () => {
  it('ends at sign-out: a copy of the cookie stops working', async () => {
    await newUser('leaving@accounts.test');
    const jar = await signedIn('leaving@accounts.test', PASSWORD);
    expect((await query(jar, 'users.me')).status).toBe(200);
    await signOut(jar);
    expect((await query(jar, 'users.me')).status).toBe(401);
  });

  it('end when the password changes in the studio; the current password is asked first', async () => {
    await newUser('changer@accounts.test');
    const jar = await signedIn('changer@accounts.test', PASSWORD);
    const other = await signedIn('changer@accounts.test', PASSWORD);
    const wrong = await mutate(jar, 'users.changePassword', { current: 'nope', password: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('The current password is not right');
    const short = await mutate(jar, 'users.changePassword', { current: PASSWORD, password: 'short' });
    expect(await short.text()).toContain('use at least 8');
    expect(
      (await mutate(jar, 'users.changePassword', { current: PASSWORD, password: NEW_PASSWORD })).status,
    ).toBe(200);
    expect((await query(jar, 'users.me')).status).toBe(401);
    expect((await query(other, 'users.me')).status).toBe(401);
    expect(await signIn('changer@accounts.test', PASSWORD)).toEqual({ error: 'CredentialsSignin' });
    await signedIn('changer@accounts.test', NEW_PASSWORD);
  });

  it('end when an owner disables the user, whose API tokens stop too; enabling lets them back in', async () => {
    const owner = await signedIn('owner@api.test', await ownerPassword());
    const user = await newUser('disabled@accounts.test', 'editor');
    const jar = await signedIn('disabled@accounts.test', PASSWORD);
    const { token } = await createApiToken(server.engine.db, {
      userId: user.id,
      name: 'disabled user token',
    });
    const viewer = await signedIn('viewer@api.test', await ownerPassword());
    expect((await mutate(viewer, 'users.setDisabled', { id: user.id, disabled: true })).status).toBe(403);

    expect((await mutate(owner, 'users.setDisabled', { id: user.id, disabled: true })).status).toBe(200);
    expect((await query(jar, 'users.me')).status).toBe(401);
    expect(
      (await server.api('/runs', { headers: { authorization: `Bearer ${token}` }, as: null })).status,
    ).toBe(401);
    expect(await signIn('disabled@accounts.test', PASSWORD)).toEqual({ error: 'CredentialsSignin' });
    expect(await audit('user.disabled', user.id)).toBe(1);

    expect((await mutate(owner, 'users.setDisabled', { id: user.id, disabled: false })).status).toBe(200);
    await signedIn('disabled@accounts.test', PASSWORD);
    expect(
      (await server.api('/runs', { headers: { authorization: `Bearer ${token}` }, as: null })).status,
    ).toBe(200);
  });

  it('the CLI sets a password (ending sessions) and disables and enables a user', async () => {
    await newUser('operator@accounts.test');
    const jar = await signedIn('operator@accounts.test', PASSWORD);
    const changed = await pincerUser(['password', 'operator@accounts.test'], NEW_PASSWORD);
    expect(changed).toEqual({
      code: 0,
      output: expect.stringContaining('Password of operator@accounts.test changed'),
    });
    expect((await query(jar, 'users.me')).status).toBe(401);
    const fresh = await signedIn('operator@accounts.test', NEW_PASSWORD);

    expect((await pincerUser(['disable', 'operator@accounts.test'])).code).toBe(0);
    expect((await query(fresh, 'users.me')).status).toBe(401);
    expect(await signIn('operator@accounts.test', NEW_PASSWORD)).toEqual({ error: 'CredentialsSignin' });
    expect((await pincerUser(['enable', 'operator@accounts.test'])).code).toBe(0);
    await signedIn('operator@accounts.test', NEW_PASSWORD);

    expect(await pincerUser(['disable', 'ghost@accounts.test'])).toEqual({
      code: 1,
      output: expect.stringContaining('No user ghost@accounts.test'),
    });
  });
});

/** The users the test server made have no password: give the role users one once. */
let rolePassword: string | undefined;
async function ownerPassword(): Promise<string> {
  if (!rolePassword) {
    rolePassword = 'role users password';
    await server.engine.db.user.updateMany({
      where: { email: { endsWith: '@api.test' } },
      data: { passwordHash: await hashPassword(rolePassword) },
    });
  }
  return rolePassword;
}

describe('pairing codes', () => {
  it('are shown to owners only, in tRPC as in REST', async () => {
    await requestPairing(server.engine.db, { platform: 'telegram', userId: '77', chatId: '77', name: 'Eve' });
    const viewer = await signedIn('viewer@api.test', await ownerPassword());
    const editor = await signedIn('editor@api.test', await ownerPassword());
    const owner = await signedIn('owner@api.test', await ownerPassword());
    expect((await query(viewer, 'channels.pairings', {})).status).toBe(403);
    expect((await query(editor, 'channels.pairings', {})).status).toBe(403);
    const listed = await query(owner, 'channels.pairings', {});
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('Eve');
    expect((await server.api('/chat/pairings', { as: 'viewer' })).status).toBe(403);
  });
});

describe('a NUL character', () => {
  const yaml = (text: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: text,
    as: 'editor' as const,
  });

  it('in run input is a 400 that says where it is, not a 500', async () => {
    const imported = await server.api(
      '/workflows',
      yaml(
        'workflow:\n  name: nul_input\n  steps:\n    - { name: a, type: transform, value: "{{ trigger.name }}" }\n',
      ),
    );
    expect(imported.status).toBe(201);
    const started = await server.api('/workflows/nul_input/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { name: 'a\u0000b' } }),
      as: 'editor',
    });
    expect(started.status).toBe(400);
    const body = (await started.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('input_invalid');
    expect(body.error.message).toContain('NUL character (\\u0000) in name');
  });

  it('in webhook JSON is a 400, not a 500', async () => {
    const imported = await server.api(
      '/workflows',
      yaml(
        'workflow:\n  name: nul_hook\n  triggers:\n    - { type: webhook, name: in }\n  steps:\n    - { name: a, type: transform, value: "{{ trigger.body }}" }\n',
      ),
    );
    expect(imported.status).toBe(201);
    const hook = ((await imported.json()) as { triggers: { webhooks: { url: string; secret: string }[] } })
      .triggers.webhooks[0];
    const answer = await fetch(`${server.url}${new URL(hook?.url ?? '').pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pincer-secret': hook?.secret ?? '' },
      body: '{"text":"a\\u0000b"}',
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('NUL character (\\\\u0000) in body.text');
  });
});
