import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyOf, startTestServer, type TestServer } from '../support/api.ts';
import { repoRoot } from '../support/pincer.ts';

let server: TestServer;
let files: string;

beforeAll(async () => {
  server = await startTestServer();
  files = await mkdtemp(path.join(os.tmpdir(), 'pincer-cli-'));
});

afterAll(async () => {
  await server?.stop();
  if (files) await rm(files, { recursive: true, force: true });
});

/** What `pincer run --wait` prints; strict, so an extra field is a change of the contract. */
const WaitedRun = z.strictObject({
  id: z.string(),
  status: z.string(),
  output: z.unknown(),
  error: z.unknown().optional(),
  steps: z.array(
    z.strictObject({
      name: z.string(),
      iteration: z.string().optional(),
      status: z.string(),
      output: z.unknown(),
      error: z.unknown(),
      attempts: z.number(),
    }),
  ),
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pincer ...` as a user would, against the test server. */
function pincer(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/pincer.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...server.env, PINCER_TOKEN: server.tokens.editor, ...env },
      stdio: 'pipe',
    });
    child.stdin.end(stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function workflowFile(name: string, yaml: string): Promise<string> {
  const file = path.join(files, name);
  await writeFile(file, yaml);
  return file;
}

const GREET = `workflow:
  name: cli_greet
  steps:
    - name: hello
      type: transform
      value: "Hello {{ trigger.name }}"
    - name: count
      type: transform
      value: "{{ $length(steps.hello.output) }}"
`;

describe('pincer CLI against the running instance', () => {
  it('imports a workflow file, and says when it is unchanged', async () => {
    const file = await workflowFile('greet.yaml', GREET);
    const first = await pincer(['workflow', 'import', file]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('imported cli_greet version 1\n');
    expect(first.code).toBe(0);
    const again = await pincer(['workflow', 'import', file]);
    expect(again.stdout).toBe('cli_greet is unchanged at version 1\n');
  });

  it('runs a workflow with --wait, prints the run as JSON and exits 0 when it succeeded', async () => {
    const result = await pincer(['run', 'cli_greet', '--input', '{"name":"Ada"}', '--wait']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const run = WaitedRun.parse(JSON.parse(result.stdout));
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe(9);
    expect(run.steps).toEqual([
      { name: 'hello', status: 'succeeded', output: 'Hello Ada', error: null, attempts: 1 },
      { name: 'count', status: 'succeeded', output: 9, error: null, attempts: 1 },
    ]);
    const shown = await pincer(['runs', 'show', run.id], { PINCER_TOKEN: server.tokens.viewer });
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: run.id,
      workflow: 'cli_greet',
      status: 'succeeded',
    });
    const listed = await pincer(['runs', 'list', '--workflow', 'cli_greet']);
    expect(listed.stdout).toContain(run.id);
  });

  it('exits 1 with --wait when the run fails', async () => {
    // 127.0.0.1 is private and the server allows no private hosts: the request is refused.
    const file = await workflowFile(
      'refused.yaml',
      `workflow:
  name: cli_refused
  steps:
    - name: fetch
      type: http_request
      url: http://127.0.0.1:9/
      retry:
        max_attempts: 1
`,
    );
    expect((await pincer(['workflow', 'import', file])).code).toBe(0);
    const result = await pincer(['run', 'cli_refused', '--wait']);
    expect(result.code).toBe(1);
    const run = WaitedRun.parse(JSON.parse(result.stdout));
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ name: 'fetch', status: 'failed' });
    expect(result.stderr).toMatch(/^pincer: run \S+ failed\n$/);
  });

  it('prints the run id without --wait, and exports the definition as YAML', async () => {
    const started = await pincer(['run', 'cli_greet', '--input', '{"name":"Bo"}']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const exported = await pincer(['workflow', 'export', 'cli_greet']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^workflow:\n {2}name: cli_greet\n/);
    const listed = await pincer(['workflow', 'list']);
    expect(listed.stdout).toMatch(/^NAME\s+VERSION/);
    expect(listed.stdout).toContain('cli_greet');
  });

  it('reads a big input from a file or stdin and prints a big run whole into a pipe', async () => {
    const file = await workflowFile(
      'echo.yaml',
      'workflow:\n  name: cli_echo\n  steps:\n    - name: rows\n      type: transform\n      value: "{{ trigger.rows }}"\n',
    );
    expect((await pincer(['workflow', 'import', file])).code).toBe(0);
    // About 300 KB of input: the run printed is well over what a pipe holds (64 KiB).
    const rows = Array.from({ length: 3000 }, (_, index) => ({
      index,
      text: `row ${index} `.padEnd(80, '.'),
    }));
    const inputFile = path.join(files, 'rows.json');
    await writeFile(inputFile, JSON.stringify({ rows }));
    const fromFile = await pincer(['run', 'cli_echo', '--input', `@${inputFile}`, '--wait']);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.stdout.length).toBeGreaterThan(300_000);
    const run = WaitedRun.parse(JSON.parse(fromFile.stdout));
    expect(run.output).toEqual(rows);

    const shown = await pincer(['runs', 'show', run.id]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: run.id, input: { rows }, output: rows });

    const fromStdin = await pincer(
      ['run', 'cli_echo', '--input', '-', '--wait'],
      {},
      JSON.stringify({ rows }),
    );
    expect(fromStdin.code).toBe(0);
    expect(WaitedRun.parse(JSON.parse(fromStdin.stdout)).output).toEqual(rows);

    const missing = await pincer(['run', 'cli_echo', '--input', '@/nonexistent/input.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^pincer: cannot read the input file \/nonexistent\/input\.json/);
  });

  it('lists every command and action in --help', async () => {
    const help = await pincer(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('rerun ID [--from STEP]');
    expect(help.stdout).toContain('--input JSON|@FILE|-');
  });

  it('approves a waiting step', async () => {
    const file = await workflowFile(
      'gated.yaml',
      'workflow:\n  name: cli_gated\n  steps:\n    - name: ask\n      type: approval\n    - name: done\n      type: transform\n      value: ok\n',
    );
    await pincer(['workflow', 'import', file]);
    const runId = (await pincer(['run', 'cli_gated'])).stdout.trim();
    await until(async () => (await runStatus(runId)) === 'waiting');
    const approved = await pincer(['approve', runId, 'ask', '--comment', 'fine']);
    expect(approved.stdout).toBe(`approved step ask of run ${runId}\n`);
    await until(async () => (await runStatus(runId)) === 'succeeded');
  });

  it('prints each problem of an invalid workflow on its own line', async () => {
    const file = await workflowFile(
      'typos.yaml',
      'workflow:\n  name: cli_typos\n  steps:\n    - name: a\n      type: tranform\n      value: 1\n    - name: b\n      type: transfrom\n      value: 2\n',
    );
    const result = await pincer(['workflow', 'import', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`pincer: ${file} is not a valid workflow (2 problems):`);
    expect(lines[1]).toMatch(/^ {2}Step "a": unknown type "tranform" \(did you mean "transform"\?\)/);
    expect(lines[2]).toMatch(/^ {2}Step "b": unknown type "transfrom"/);
  });

  it('says in one line that Pincer is not running, with the fix', async () => {
    const result = await pincer(['workflow', 'list'], { PINCER_PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^pincer: Pincer is not running at http:\/\/127\.0\.0\.1:\d+ .*`npm start`\.\n$/,
    );
  });

  it('explains a rejected PINCER_TOKEN', async () => {
    const result = await pincer(['workflow', 'list'], { PINCER_TOKEN: 'pcr_nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PINCER_TOKEN');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('without PINCER_TOKEN, creates its own owner token in the database and keeps it in dataDir/cli-token', async () => {
    const env = { PINCER_TOKEN: undefined };
    const listed = await pincer(['workflow', 'list'], env);
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toContain('cli_greet');
    const tokenFile = path.join(server.env.PINCER_DATA_DIR ?? '', 'cli-token');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const created = await pincer(['token', 'create', '--name', 'ci', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pcr_[0-9A-Za-z]{8}_[0-9A-Za-z]{32,}$/);
    const asViewer = await pincer(['workflow', 'import', tokenFile.replace('cli-token', 'missing.yaml')], {
      PINCER_TOKEN: token,
    });
    expect(asViewer.stderr).toMatch(/^pincer: Cannot read .*missing\.yaml/);
    const forbidden = await pincer(['run', 'cli_greet'], { PINCER_TOKEN: token });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/^pincer: This token acts as viewer/);
  });

  it('rotates a webhook secret given its URL: the new secret works, the old one no longer does', async () => {
    const file = await workflowFile(
      'hooked.yaml',
      'workflow:\n  name: cli_hooked\n  triggers:\n    - { type: webhook, name: push }\n  steps:\n    - { name: note, type: transform, value: pushed }\n',
    );
    const imported = await pincer(['workflow', 'import', file]);
    expect(imported.code).toBe(0);
    const url = imported.stdout.match(/webhook push: POST (\S+)/)?.[1] ?? '';
    const first = imported.stdout.match(/secret \(shown once\): (\S+)/)?.[1] ?? '';
    expect(url).toMatch(/\/api\/v1\/hooks\/[0-9a-f-]{36}$/);

    const rotated = await pincer(['hook', 'rotate', url]);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const lines = rotated.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`new secret for ${url} (shown once; the old one no longer works):`);
    const secret = lines[1]?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    expect(secret).not.toBe(first);
    const call = (given: string) =>
      fetch(`${server.url}${new URL(url).pathname}`, {
        method: 'POST',
        headers: { 'x-pincer-secret': given },
      });
    expect((await call(secret)).status).toBe(202);
    expect((await call(first)).status).toBe(404);

    const unknown = await pincer(['hook', 'rotate', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^pincer: No webhook with id 00000000-0000-4000-8000-000000000000/);
    const notAnId = await pincer(['hook', 'rotate', 'push']);
    expect(notAnId.code).toBe(2);
    expect(notAnId.stderr).toContain('Usage: pincer hook rotate ID|URL');
  });

  it('refuses bad arguments with the usage and exit code 2', async () => {
    const result = await pincer(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: pincer run NAME');
    const badInput = await pincer(['run', 'cli_greet', '--input', '{oops']);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/^pincer: --input is not valid JSON/);
  });
});

async function runStatus(id: string): Promise<string> {
  const run = await bodyOf(
    await server.api(`/runs/${id}`, { as: 'viewer' }),
    z.looseObject({ status: z.string() }),
  );
  return run.status;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await condition()) return;
    await sleep(200);
  }
  throw new Error('condition never held');
}
