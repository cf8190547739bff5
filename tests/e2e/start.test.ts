import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '@pincer/provision';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, getJson, isolatedInstall, Job } from '../support/pincer.ts';

interface ProcessTable {
  supervisor: number;
  services: Record<string, number>;
  processes: Record<string, number>;
}

interface Health {
  status: string;
  checks: { name: string; status: string }[];
}

function processTable(dataDir: string): ProcessTable {
  return JSON.parse(readFileSync(path.join(dataDir, 'run', 'supervisor.json'), 'utf8')) as ProcessTable;
}

function allPids(table: ProcessTable): number[] {
  return [table.supervisor, ...Object.values(table.services), ...Object.values(table.processes)];
}

/** Every live process whose command line mentions the installation's data dir or ports. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('npm start on the embedded default', async () => {
  const install = await isolatedInstall();
  const jobs: Job[] = [];
  const startPincer = () => {
    const job = new Job('npm', ['start'], install.env);
    jobs.push(job);
    return job;
  };
  afterAll(() => {
    for (const job of jobs) job.forceKill();
  });

  const seen = new Set<number>();
  let first: Job;

  it('provisions, reaches healthy and prints the studio URL and the owner login', async () => {
    first = startPincer();
    await first.waitFor(/Pincer is ready/);
    expect(first.output).toContain(`http://127.0.0.1:${install.port}`);
    const login = first.output.match(/Sign in as (\S+) with password (\S+)/);
    expect(login?.[1]).toBe('admin@pincer.local');
    const notes = path.join(install.dataDir, 'initial-admin.txt');
    expect(readFileSync(notes, 'utf8')).toContain(login?.[2]);
    expect(statSync(notes).mode & 0o077).toBe(0);

    const health = await getJson(`http://127.0.0.1:${install.port}/api/health`);
    expect(health.status).toBe(200);
    const body = health.body as Health;
    expect(body.status).toBe('ok');
    expect(body.checks.find((c) => c.name === 'database')?.status).toBe('up');
    expect(body.checks.find((c) => c.name === 'temporal')?.status).toBe('up');
    for (const pid of allPids(processTable(install.dataDir))) seen.add(pid);
  });

  it("reports the provisioned default model in the llm worker's health, loaded in the background", async () => {
    expect(first.output).toMatch(
      /Local LLM model: smollm2-135m \(\S+SmolLM2-135M-Instruct\.Q4_1\.gguf, 94 MB\)/,
    );
    // The model runs in its own worker process (llmWorker.separate).
    const workerHealth = `http://127.0.0.1:${install.env.PINCER_LLM_WORKER_HEALTH_PORT}/health`;
    const inference = await eventually(async () => {
      const { body } = await getJson(workerHealth);
      const status = (body as { inference?: { state: string } }).inference;
      return status?.state === 'ready' ? status : undefined;
    }, 120_000);
    expect(inference).toMatchObject({
      model: { name: 'smollm2-135m', provider: 'local', sizeBytes: 98_362_432 },
      state: 'ready',
      activeRequests: 0,
    });
    expect((inference as { residentBytes?: number }).residentBytes).toBeGreaterThan(90_000_000);
  }, 180_000);

  it('runs a workflow end to end on the supervised worker', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${install.env.PINCER_TEMPORAL_PORT}` });
    try {
      const client = new Client({ connection });
      const result = await client.workflow.execute('selfTest', {
        taskQueue: 'pincer-core',
        workflowId: `self-test-${Date.now()}`,
        args: ['hello'],
      });
      expect(result).toMatchObject({ echo: 'hello', worker: { taskQueue: 'pincer-core' } });
    } finally {
      await connection.close();
    }
  });

  it('shows every dependency healthy in pincer doctor', async () => {
    const doctor = new Job(process.execPath, ['apps/cli/bin/pincer.mjs', 'doctor'], install.env);
    expect(await doctor.exit).toBe(0);
    expect(doctor.output).toContain(`✓ Pincer at http://127.0.0.1:${install.port}: ok`);
    for (const name of ['database', 'temporal', 'worker', 'gateway'])
      expect(doctor.output).toContain(`✓ ${name}:`);
    expect(doctor.output).toContain('✓ PostgreSQL (embedded): cluster in');
  });

  it('lets the CLI import and run a workflow on it, with a token it creates for the owner', async () => {
    const pincer = (args: string[]) =>
      new Job(process.execPath, ['apps/cli/bin/pincer.mjs', ...args], install.env);
    const imported = pincer(['workflow', 'import', 'examples/workflows/hello.yaml']);
    expect(await imported.exit).toBe(0);
    expect(imported.output).toContain('imported hello version 1');
    const run = pincer(['run', 'hello', '--wait', '--input', '{"name":"Ada"}']);
    expect(await run.exit).toBe(0);
    const result = JSON.parse(run.output.slice(run.output.indexOf('{'))) as {
      status: string;
      output: unknown;
    };
    expect(result).toMatchObject({ status: 'succeeded', output: 'Hello, Ada!' });
    expect(statSync(path.join(install.dataDir, 'cli-token')).mode & 0o077).toBe(0);
  });

  it('keeps its state private to the user running it: the Temporal database, artifacts, keys', () => {
    // As root, dataDir stays searchable for the embedded PostgreSQL's own user, never listable.
    expect(statSync(install.dataDir).mode & 0o066).toBe(0);
    expect(statSync(path.join(install.dataDir, 'temporal', 'temporal.db')).mode & 0o077).toBe(0);
    // What another local user can reach: entries with group/other bits in directories they can
    // enter. A private directory hides all below it (the sandbox opens each step's /out to the
    // container's mapped uid inside a directory only the owner can enter).
    const open: string[] = [];
    const walk = (dir: string, top: boolean) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        // The embedded PostgreSQL keeps its own modes; the cache holds shared tools.
        if (entry.isSymbolicLink() || (top && (entry.name === 'postgres' || entry.name === 'cache')))
          continue;
        const full = path.join(dir, entry.name);
        const mode = statSync(full).mode;
        if ((mode & 0o077) !== 0) open.push(full);
        if (entry.isDirectory() && (mode & 0o011) !== 0) walk(full, false);
      }
    };
    walk(install.dataDir, true);
    expect(open).toEqual([]);
  });

  it('restarts the worker when it is killed', async () => {
    const before = processTable(install.dataDir).processes.worker;
    expect(before).toBeDefined();
    process.kill(before as number, 'SIGKILL');
    const after = await eventually(async () => {
      const pid = processTable(install.dataDir).processes.worker;
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    seen.add(after);
    await eventually(async () => {
      const health = await getJson(`http://127.0.0.1:${install.port}/api/health`);
      const worker = (health.body as Health).checks.find((c) => c.name === 'worker');
      return worker?.status === 'up' ? true : undefined;
    });
    expect(first.output).toMatch(/worker exited unexpectedly \(signal SIGKILL\); restarting/);
  });

  it('keeps the other capabilities serving when the llm worker is killed mid-step, and finishes the step after its restart', async () => {
    const pincer = (args: string[]) =>
      new Job(process.execPath, ['apps/cli/bin/pincer.mjs', ...args], install.env);
    const workflowFile = path.join(install.dataDir, 'isolated-llm.yaml');
    writeFileSync(
      workflowFile,
      [
        'workflow:',
        '  name: isolated_llm',
        '  steps:',
        '    - name: answer',
        '      type: llm.chat',
        '      prompt: "Write a long story about a lighthouse keeper and the sea."',
        '      temperature: 0',
        '      max_tokens: 400',
        '',
      ].join('\n'),
    );
    expect(await pincer(['workflow', 'import', workflowFile]).exit).toBe(0);
    const before = processTable(install.dataDir).processes;
    expect(before.llm).toBeDefined();
    expect(before.llm).not.toBe(before.worker);

    const started = pincer(['run', 'isolated_llm']);
    expect(await started.exit).toBe(0);
    const runId = started.output.trim().split('\n').pop() ?? '';
    // Killed while the model is generating for the step.
    const llmHealth = `http://127.0.0.1:${install.env.PINCER_LLM_WORKER_HEALTH_PORT}/health`;
    await eventually(async () => {
      const { body } = await getJson(llmHealth);
      return ((body as { inference?: { activeRequests?: number } }).inference?.activeRequests ?? 0) > 0
        ? true
        : undefined;
    }, 60_000);
    process.kill(before.llm as number, 'SIGKILL');

    // The core worker is the same process and still serves its queue.
    const connection = await Connection.connect({ address: `127.0.0.1:${install.env.PINCER_TEMPORAL_PORT}` });
    try {
      const result = await new Client({ connection }).workflow.execute('selfTest', {
        taskQueue: 'pincer-core',
        workflowId: `self-test-isolated-${Date.now()}`,
        args: ['still here'],
      });
      expect(result).toMatchObject({ echo: 'still here' });
    } finally {
      await connection.close();
    }
    expect(processTable(install.dataDir).processes.worker).toBe(before.worker);
    expect(isAlive(before.worker as number)).toBe(true);

    const restarted = await eventually(async () => {
      const pid = processTable(install.dataDir).processes.llm;
      return pid !== undefined && pid !== before.llm ? pid : undefined;
    });
    seen.add(restarted);
    expect(first.output).toMatch(/llm exited unexpectedly \(signal SIGKILL\); restarting/);
    const finished = await eventually(async () => {
      const shown = pincer(['runs', 'show', runId]);
      await shown.exit;
      const match = shown.output.match(/"status": "(\w+)"/) ?? shown.output.match(/status\W+(\w+)/);
      return match?.[1] === 'succeeded' || match?.[1] === 'failed' ? match[1] : undefined;
    }, 240_000);
    expect(finished).toBe('succeeded');
  }, 400_000);

  it('restarts the embedded Temporal server when it dies, and runs work again', async () => {
    const before = processTable(install.dataDir).services.temporal;
    expect(before).toBeDefined();
    process.kill(before as number, 'SIGKILL');
    const after = await eventually(async () => {
      const pid = processTable(install.dataDir).services.temporal;
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    seen.add(after);
    expect(first.output).toMatch(/temporal exited unexpectedly \(code null\); restarting it in 1s/);
    const connection = await Connection.connect({ address: `127.0.0.1:${install.env.PINCER_TEMPORAL_PORT}` });
    try {
      const result = await new Client({ connection }).workflow.execute('selfTest', {
        taskQueue: 'pincer-core',
        workflowId: `self-test-healed-${Date.now()}`,
        args: ['healed'],
      });
      expect(result).toMatchObject({ echo: 'healed' });
    } finally {
      await connection.close();
    }
  }, 300_000);

  it('leaves no process behind on Ctrl-C', async () => {
    for (const pid of allPids(processTable(install.dataDir))) seen.add(pid);
    first.interrupt();
    expect([0, 'SIGINT']).toContain(await first.exit);
    const survivors = [...seen].filter((pid) => isAlive(pid));
    expect(survivors).toEqual([]);
    expect(processesMentioning(install.dataDir)).toEqual([]);
  });

  it('starts again on the same state without creating a second owner', async () => {
    const second = startPincer();
    await second.waitFor(/Pincer is ready/);
    expect(second.output).toContain('Sign in as admin@pincer.local (first-start password in');
    expect(second.output).toContain('database schema up to date');
    expect(second.output).not.toMatch(/initialising a new cluster/);
    const health = await getJson(`http://127.0.0.1:${install.port}/api/health`);
    expect((health.body as Health).status).toBe('ok');
    second.interrupt();
    expect([0, 'SIGINT']).toContain(await second.exit);
    expect(processesMentioning(install.dataDir)).toEqual([]);
  });
});
