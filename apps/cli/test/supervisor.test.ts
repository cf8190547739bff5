import { createServer } from 'node:http';
import { freePort, isAlive } from '@pincer/provision';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type SupervisorEvent } from '../src/supervisor.ts';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const supervisor of supervisors.splice(0)) await supervisor.stop(2000);
});

function supervise(events: SupervisorEvent[]) {
  const supervisor = new Supervisor((event) => events.push(event), {
    initialMs: 50,
    maxMs: 200,
    stableAfterMs: 60_000,
  });
  supervisors.push(supervisor);
  return supervisor;
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Supervisor', () => {
  it('restarts a crashing child with doubling backoff up to the cap', async () => {
    const events: SupervisorEvent[] = [];
    supervise(events).start({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', 'console.log("up"); process.exit(3)'],
      cwd: process.cwd(),
      env: process.env,
      healthUrl: 'http://127.0.0.1:1/never',
    });
    await until(() => events.filter((e) => e.kind === 'exited').length >= 4);
    const exits = events.flatMap((e) => (e.kind === 'exited' ? [e] : []));
    expect(exits.slice(0, 4).map((e) => e.restartInMs)).toEqual([50, 100, 200, 200]);
    expect(exits[0]?.code).toBe(3);
    expect(events).toContainEqual({ kind: 'output', name: 'crasher', line: 'up', stream: 'stdout' });
  });

  it('reports healthy once the child answers on its health URL, and stops its whole process group', async () => {
    const events: SupervisorEvent[] = [];
    const supervisor = supervise(events);
    const port = await freePort();
    // The child serves /health and leaves a grandchild behind, as `next start` would.
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('grandchild ' + grandchild.pid);
      require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');
    `;
    supervisor.start({
      name: 'server',
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      env: process.env,
      healthUrl: `http://127.0.0.1:${port}/health`,
    });
    expect(await supervisor.waitUntilHealthy(20_000)).toBe(true);
    const line = events.find((e) => e.kind === 'output' && e.line.startsWith('grandchild'));
    const grandchild = Number(line?.kind === 'output' ? line.line.split(' ')[1] : Number.NaN);
    const child = supervisor.pids().server;
    expect(child).toBeDefined();
    expect(isAlive(grandchild)).toBe(true);

    await supervisor.stop(2000);
    await until(() => !isAlive(grandchild) && !isAlive(child as number));
    expect(events.some((e) => e.kind === 'exited')).toBe(false);
  });

  it('reports not healthy when the child never answers', async () => {
    const supervisor = supervise([]);
    const blocker = createServer((_, response) => {
      response.statusCode = 503;
      response.end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      supervisor.start({
        name: 'sleeper',
        command: process.execPath,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        cwd: process.cwd(),
        env: process.env,
        healthUrl: `http://127.0.0.1:${port}/health`,
      });
      expect(await supervisor.waitUntilHealthy(1500)).toBe(false);
    } finally {
      blocker.close();
    }
  });
});
