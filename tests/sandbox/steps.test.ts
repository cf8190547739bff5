import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelRun, getRun, type RunView } from '@pincer/engine';
import { createSandboxService, type SandboxService } from '@pincer/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import { ownContainers, startTestSandbox } from '../support/sandbox.ts';

let engine: TestEngine;
let sandbox: SandboxService;

beforeAll(async () => {
  sandbox = await startTestSandbox({ poolSize: 1 });
  engine = await startTestEngine({ services: { sandbox } });
}, 180_000);

afterAll(async () => {
  await engine?.stop();
  await sandbox?.close();
  // After the service closes, not even the warm pool is left.
  expect(await ownContainers()).toEqual([]);
}, 180_000);

afterEach(async () => {
  // Every run's container is removed; only pre-created (never started) pool containers remain.
  await sandbox.settle();
  const leftovers = (await ownContainers()).filter((container) => container.state !== 'created');
  expect(leftovers).toEqual([]);
});

function step(run: RunView, name: string) {
  const found = run.steps.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`run has no step ${name}: ${JSON.stringify(run.steps.map((s) => s.name))}`);
  return found;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('shell and python steps through the engine', () => {
  it('run code with inputs as files and env, and output stdout, stderr and exit code', async () => {
    await engine.save(`
workflow:
  name: sandbox_basics
  steps:
    - name: count
      type: shell
      command: |
        echo "lines: $(wc -l < /in/data.csv)"
        echo "warning on stderr" >&2
      files:
        data.csv: "a,b\\n1,2\\n3,4\\n"
    - name: total
      type: python
      env:
        FACTOR: "10"
      script: |
        import os, pandas, yaml, requests
        frame = pandas.read_csv("/in/data.csv")
        print(int(frame["b"].sum()) * int(os.environ["FACTOR"]))
      files:
        data.csv: "a,b\\n1,2\\n3,4\\n"
`);
    const run = await engine.run('sandbox_basics');
    expect(run.status).toBe('succeeded');
    expect(step(run, 'count').output).toMatchObject({
      status: 'ok',
      exit_code: 0,
      stdout: 'lines: 3\n',
      stderr: 'warning on stderr\n',
      truncated: false,
    });
    expect(step(run, 'total').output).toMatchObject({ status: 'ok', exit_code: 0, stdout: '60\n' });
  }, 180_000);

  it('fail the step on a non-zero exit with the exit code and stderr, or output it when asked', async () => {
    await engine.save(`
workflow:
  name: sandbox_exit
  steps:
    - name: tolerant
      type: shell
      fail_on_error: false
      command: "grep needle /in/hay || exit 3"
      files:
        hay: "nothing here"
    - name: strict
      type: python
      script: |
        import sys
        print("about to fail", file=sys.stderr)
        sys.exit(4)
`);
    const run = await engine.run('sandbox_exit');
    expect(step(run, 'tolerant').output).toMatchObject({ status: 'exit_nonzero', exit_code: 3 });
    expect(run.status).toBe('failed');
    const error = step(run, 'strict').error as { message: string; type: string };
    expect(error.type).toBe('sandbox_exit_nonzero');
    expect(error.message).toContain('exited with code 4: about to fail');
  }, 180_000);

  it('kill code that runs past the step timeout and report the timeout', async () => {
    await engine.save(`
workflow:
  name: sandbox_timeout
  steps:
    - name: forever
      type: shell
      timeout: 4s
      command: "echo started; sleep 600"
`);
    const run = await engine.run('sandbox_timeout');
    expect(run.status).toBe('failed');
    const error = step(run, 'forever').error as { message: string; type: string };
    expect(error.type).toBe('sandbox_timeout');
    expect(error.message).toContain('wall-clock limit');
  }, 180_000);

  it('report running out of memory as OOM', async () => {
    await engine.save(`
workflow:
  name: sandbox_oom
  steps:
    - name: hog
      type: python
      memory_mb: 64
      script: |
        blocks = []
        while True:
            blocks.append(b"x" * (16 * 1024 * 1024))
`);
    const run = await engine.run('sandbox_oom');
    expect(run.status).toBe('failed');
    const error = step(run, 'hog').error as { message: string; type: string };
    expect(error.type).toBe('sandbox_oom');
    expect(error.message).toContain('out of memory');
    // conmon's `oom` marker stays in the engine's own directory, not where Pincer was started.
    expect(existsSync(path.join(process.cwd(), 'oom'))).toBe(false);
  }, 180_000);

  it('cap 10 MB of output with a marker', async () => {
    await engine.save(`
workflow:
  name: sandbox_flood
  steps:
    - name: flood
      type: shell
      command: "head -c 10000000 /dev/zero | tr '\\\\0' a; echo; echo done >&2"
`);
    const run = await engine.run('sandbox_flood');
    expect(run.status).toBe('succeeded');
    const output = step(run, 'flood').output as {
      status: string;
      stdout: string;
      stderr: string;
      truncated: boolean;
    };
    expect(output.status).toBe('output_truncated');
    expect(output.truncated).toBe(true);
    expect(output.stdout.length).toBeLessThan(300_000);
    expect(output.stdout.startsWith('aaaa')).toBe(true);
    expect(output.stdout).toMatch(
      /\[pincer: output truncated after 262144 bytes; 9737857 more bytes dropped\]\n$/,
    );
    expect(output.stderr).toBe('done\n');
  }, 180_000);

  it('return the files the code wrote to /out', async () => {
    await engine.save(`
workflow:
  name: sandbox_out
  steps:
    - name: report
      type: python
      script: |
        import json, os
        os.makedirs("/out/charts", exist_ok=True)
        open("/out/summary.json", "w").write(json.dumps({"errors": 7}))
        open("/out/charts/data.csv", "w").write("x,y\\n1,2\\n")
`);
    const run = await engine.run('sandbox_out');
    expect(run.status).toBe('succeeded');
    const output = step(run, 'report').output as {
      files: { name: string; size: number; artifact: { id: string; mediaType: string; url: string } }[];
    };
    expect(output.files.map((file) => [file.name, file.size, file.artifact.mediaType])).toEqual([
      ['charts/data.csv', 8, 'text/csv'],
      ['summary.json', 13, 'application/json'],
    ]);
    // The files are kept with the run, downloadable from the API.
    const summary = output.files[1]?.artifact;
    expect(summary?.url).toBe(`/api/v1/runs/${run.id}/artifacts/${summary?.id}`);
    const stored = await engine.artifacts.read(summary?.id ?? '');
    expect(stored?.data.toString()).toBe('{"errors": 7}');
  }, 180_000);

  it('kill the container when the run is cancelled', async () => {
    await engine.save(`
workflow:
  name: sandbox_cancel
  steps:
    - name: long
      type: shell
      command: "sleep 600"
`);
    const runId = await engine.start('sandbox_cancel');
    await waitFor('the step to run', async () => {
      const running = (await ownContainers()).some((container) => container.state === 'running');
      return running ? true : undefined;
    });
    await cancelRun(engine.db, engine.client, runId, 'test');
    const run = await waitFor('the run to end', async () => {
      const view = await getRun(engine.db, runId);
      return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
    });
    expect(run.status).toBe('cancelled');
    await waitFor('the container to go', async () => {
      await sandbox.settle();
      const running = (await ownContainers()).filter((container) => container.state !== 'created');
      return running.length === 0 ? true : undefined;
    });
  }, 180_000);
});

describe('without a working engine', () => {
  it('fails the step at once with an error that says how to fix it', async () => {
    const missing = createSandboxService({
      podmanDir: '/nonexistent/podman',
      workDir: '/tmp/pincer-sandbox-missing',
      settings: {
        memoryMb: 256,
        cpus: 1,
        pids: 64,
        maxMemoryMb: 256,
        maxCpus: 1,
        maxPids: 64,
        tmpMb: 16,
        maxOutputBytes: 1024,
        maxOutFilesBytes: 0,
        maxOutFiles: 0,
        poolSize: 0,
        mounts: [],
      },
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    const other = await startTestEngine({ services: { sandbox: missing } });
    try {
      await other.save(`
workflow:
  name: sandbox_broken
  steps:
    - name: hello
      type: shell
      command: "echo hi"
`);
      const run = await other.run('sandbox_broken');
      expect(run.status).toBe('failed');
      const error = step(run, 'hello').error as { message: string; type: string };
      expect(error.type).toBe('sandbox_engine_unavailable');
      expect(error.message).toMatch(/does not answer.*Fix: start the engine, or unset DOCKER_HOST/);
    } finally {
      await other.stop();
      await missing.close();
    }
  }, 180_000);
});
