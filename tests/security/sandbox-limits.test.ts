import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxRunRequest, SandboxService } from '@pincer/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownContainers, startTestSandbox } from '../support/sandbox.ts';

/**
 * Issue 13, finding 8: the operator, not the editor, bounds what a step may take, a step cannot
 * flood the run with files, and containers of different runs cannot reach each other.
 */
let sandbox: SandboxService;
let rendezvous: http.Server;
let port: number;
const board = new Map<string, string>();

beforeAll(async () => {
  // Where two steps of different runs meet: one posts its address, the other reads it.
  rendezvous = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const key = url.pathname.slice(1);
    const value = url.searchParams.get('value');
    if (value !== null) board.set(key, value);
    response.end(board.get(key) ?? '');
  });
  await new Promise<void>((resolve) => rendezvous.listen(0, '0.0.0.0', resolve));
  port = (rendezvous.address() as AddressInfo).port;
  sandbox = await startTestSandbox({ poolSize: 0 });
}, 180_000);

afterAll(async () => {
  await sandbox?.close();
  rendezvous?.close();
  expect(await ownContainers()).toEqual([]);
}, 180_000);

function shell(runId: string, code: string, extra: Partial<SandboxRunRequest> = {}) {
  return sandbox.run({
    runId,
    stepName: 'probe',
    interpreter: ['/bin/bash'],
    code,
    timeoutMs: 90_000,
    ...extra,
  });
}

describe('sandbox limits', () => {
  it('refuses a step that asks for more than the operator allows', async () => {
    for (const [limits, message] of [
      [{ memoryMb: 65536 }, 'memory_mb: 65536; this installation allows at most 2048'],
      [{ cpus: 64 }, 'cpus: 64; this installation allows at most 2'],
      [{ pids: 32768 }, 'pids: 32768; this installation allows at most 1024'],
    ] as const) {
      await expect(shell('limits', 'true', { limits })).rejects.toThrow(message);
    }
    // Within the maximums, a step may still ask for more than the default.
    expect((await shell('limits', 'true', { limits: { memoryMb: 1024, pids: 256 } })).status).toBe('ok');
  });

  it('returns at most sandbox.maxOutFiles files from /out, and lists a bounded few of the rest', async () => {
    const result = await shell('files', 'for i in $(seq 1 2000); do : > /out/f$i; done');
    expect(result.files).toHaveLength(100);
    expect(result.skippedFiles).toHaveLength(101);
    expect(result.skippedFiles.at(-1)).toBe('… and 1800 more');
    expect(result.status).toBe('output_truncated');
  });

  it('gives each run its own network: a step of another run cannot reach it', async () => {
    const network = { allowNetwork: [`127.0.0.1:${port}`], allowPrivateHosts: ['127.0.0.1'] };
    const base = `http://127.0.0.1:${port}`;
    const server = shell(
      'run-a',
      [
        'ip=$(python3 -c "import socket; print(socket.gethostbyname(socket.gethostname()))")',
        'python3 -m http.server 8000 --bind 0.0.0.0 >/dev/null 2>&1 &',
        'sleep 1',
        `curl -sf "${base}/ip?value=$ip" >/dev/null`,
        `for i in $(seq 1 60); do [ "$(curl -sf ${base}/done)" = yes ] && break; sleep 1; done`,
        // Its own run's neighbour would reach it: the server was up.
        'curl -sf -m 3 --noproxy "*" http://127.0.0.1:8000/ >/dev/null && echo self=yes || echo self=no',
      ].join('\n'),
      network,
    );
    const client = shell(
      'run-b',
      [
        `for i in $(seq 1 60); do ip=$(curl -sf ${base}/ip); [ -n "$ip" ] && break; sleep 1; done`,
        'echo ip=$ip',
        'curl -sf -m 5 --noproxy "*" http://$ip:8000/ >/dev/null && echo reached=yes || echo reached=no',
        `curl -sf "${base}/done?value=yes" >/dev/null`,
      ].join('\n'),
      network,
    );
    const [a, b] = await Promise.all([server, client]);
    expect(a.stdout).toContain('self=yes');
    expect(b.stdout).toMatch(/ip=10\.\d+\.\d+\.\d+/);
    expect(b.stdout).toContain('reached=no');
  });

  it('runs each container in a user namespace: container uid 1000 is not host uid 1000', async () => {
    const result = await shell(
      'userns',
      'echo uid=$(id -u); cat /proc/self/uid_map; touch /out/written && echo out=yes',
    );
    expect(result.stdout).toContain('uid=1000');
    expect(result.stdout).toContain('out=yes');
    const [inside, outside, size] = (
      result.stdout.split('\n').find((line) => /^\s*0\s+\d+\s+\d+/.test(line)) ?? ''
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(inside).toBe(0);
    // Container uid 1000 is host uid outside + 1000: far above any real user's.
    expect(outside).toBeGreaterThanOrEqual(100_000);
    expect(size).toBeLessThan(4294967295);
  });
});
