import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isAlive } from '@pincer/provision';
import { SANDBOX_LABEL } from '@pincer/sandbox';
import { expect, inject, it } from 'vitest';
import { sharedEngine, startTestSandbox } from '../support/sandbox.ts';

/** The host firewall's INPUT rules, where each egress proxy opens its port to the egress network. */
async function egressRules(): Promise<string> {
  return (await promisify(execFile)('iptables', ['-w', '5', '-S', 'INPUT'])).stdout;
}

async function containersOf(pid: number) {
  const list = await sharedEngine().docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [SANDBOX_LABEL, `pincer.owner=${os.hostname()}/${pid}`] }),
  });
  return list.map((info) => info.State);
}

it('removes the containers of a worker that crashed when the next sandbox starts', async () => {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'pincer-crash-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'fixtures', 'crashing-worker.ts'),
      inject('sandboxSocket'),
      workDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid ?? 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    // Its pool container (created) and its run's container (running) exist.
    for (let attempt = 0; attempt < 1200; attempt++) {
      const states = await containersOf(pid);
      if (states.includes('running') && states.includes('created')) break;
      await sleep(100);
    }
    expect((await containersOf(pid)).sort()).toEqual(['created', 'running']);
    expect(existsSync(path.join(workDir, String(pid)))).toBe(true);
    expect(await egressRules()).toContain(`pincer-egress:${pid}`);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  // The crash left them behind; a sandbox starting on the same engine and directory sweeps them.
  expect((await containersOf(pid)).length).toBe(2);
  const next = await startTestSandbox({ poolSize: 0 }, workDir);
  try {
    expect((await next.status()).ready).toBe(true);
    expect(await containersOf(pid)).toEqual([]);
    expect(existsSync(path.join(workDir, String(pid)))).toBe(false);
    // Its hole in the host firewall (for its egress proxy) is closed too.
    expect(await egressRules()).not.toContain(`pincer-egress:${pid}`);
  } finally {
    await next.close();
    await rm(workDir, { recursive: true, force: true });
  }
}, 180_000);

it('stops the podman service a process started when that process is killed with SIGKILL', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'fixtures', 'podman-owner.ts'),
      path.join(inject('cacheDir'), 'podman'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let servicePid = 0;
  try {
    for (let attempt = 0; attempt < 1200 && !servicePid; attempt++) {
      servicePid = Number(output.match(/^(\d+)\n/)?.[1] ?? 0);
      if (!servicePid) await sleep(100);
    }
    expect(servicePid).toBeGreaterThan(0);
    expect(isAlive(servicePid)).toBe(true);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  for (let attempt = 0; attempt < 600 && isAlive(servicePid); attempt++) await sleep(100);
  expect(isAlive(servicePid)).toBe(false);
}, 180_000);
