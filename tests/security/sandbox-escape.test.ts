import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SandboxRunRequest, SandboxService } from '@pincer/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownContainers, startTestSandbox } from '../support/sandbox.ts';

/**
 * The sandbox escape suite: untrusted code in a shell or python step must not reach the host,
 * the network, the engine or the worker's secrets, and must not outgrow its limits.
 */
let sandbox: SandboxService;
let hostDir: string;
let server: http.Server;
let serverPort: number;
let otherServer: http.Server;
let otherPort: number;
const HOST_SECRET = 'host-secret-value-7f3a9c';

function listen(body: string): Promise<{ server: http.Server; port: number }> {
  return new Promise((resolve) => {
    const created = http.createServer((_request, response) => response.end(body));
    // On every interface: the code must not reach it directly, whatever address it tries.
    created.listen(0, '0.0.0.0', () =>
      resolve({ server: created, port: (created.address() as AddressInfo).port }),
    );
  });
}

beforeAll(async () => {
  process.env.PINCER_TEST_HOST_SECRET = HOST_SECRET;
  // Not under /tmp: the container's /tmp is its own tmpfs.
  hostDir = await mkdtemp(path.join(path.dirname(inject('cacheDir')), 'escape-'));
  await mkdir(path.join(hostDir, 'logs'));
  await writeFile(path.join(hostDir, 'logs', 'app.log'), 'ERROR one\nINFO two\nERROR three\n');
  await writeFile(path.join(hostDir, 'secret.txt'), HOST_SECRET);
  await symlink('/etc', path.join(hostDir, 'logs-link-to-etc'));
  ({ server, port: serverPort } = await listen('allowed-host-says-hi'));
  ({ server: otherServer, port: otherPort } = await listen('other-host'));
  sandbox = await startTestSandbox({
    poolSize: 1,
    mounts: [path.join(hostDir, 'logs'), path.join(hostDir, 'logs-link-to-etc')],
  });
}, 180_000);

afterAll(async () => {
  await sandbox?.close();
  server?.close();
  otherServer?.close();
  await rm(hostDir, { recursive: true, force: true });
  delete process.env.PINCER_TEST_HOST_SECRET;
  expect(await ownContainers()).toEqual([]);
}, 180_000);

afterEach(async () => {
  await sandbox.settle();
  expect((await ownContainers()).filter((container) => container.state !== 'created')).toEqual([]);
});

function shell(code: string, extra: Partial<SandboxRunRequest> = {}) {
  return sandbox.run({
    runId: 'escape',
    stepName: 'probe',
    interpreter: ['/bin/bash'],
    code,
    timeoutMs: 60_000,
    ...extra,
  });
}

/** Each probe line prints `name=yes` or `name=no`. */
function flags(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => line.split('=') as [string, string]),
  );
}

const probe = (name: string, command: string) =>
  `if ${command} >/dev/null 2>&1; then echo ${name}=yes; else echo ${name}=no; fi`;

describe('sandbox escape suite', () => {
  it('runs code as a non-root user with no capabilities and no way to gain privileges', async () => {
    const result = await shell(
      [
        'echo uid=$(id -u)',
        'echo caps=$(grep CapEff /proc/self/status | tr -d "[:space:]" | cut -d: -f2)',
        'echo nonewprivs=$(grep NoNewPrivs /proc/self/status | tr -d "[:space:]" | cut -d: -f2)',
        probe('sudo', 'command -v sudo'),
        probe('chown_root', 'touch /tmp/f && chown 0 /tmp/f'),
        probe('mount', 'mount -t tmpfs none /tmp'),
      ].join('\n'),
    );
    expect(flags(result.stdout)).toEqual({
      uid: '1000',
      caps: '0000000000000000',
      nonewprivs: '1',
      sudo: 'no',
      chown_root: 'no',
      mount: 'no',
    });
  });

  it('refuses writes outside /tmp and /out', async () => {
    const result = await shell(
      [
        probe('root', 'touch /pwned'),
        probe('etc', 'touch /etc/pwned'),
        probe('usr', 'touch /usr/bin/pwned'),
        probe('home', 'touch /root/pwned'),
        probe('tmp', 'touch /tmp/ok'),
        probe('out', 'touch /out/ok'),
      ].join('\n'),
    );
    expect(flags(result.stdout)).toEqual({
      root: 'no',
      etc: 'no',
      usr: 'no',
      home: 'no',
      tmp: 'yes',
      out: 'yes',
    });
  });

  it('has no network: neither the host (loopback or its other addresses) nor the outside', async () => {
    const hostAddresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((entry) => entry && entry.family === 'IPv4' && !entry.internal)
      .map((entry) => entry?.address);
    const targets = ['127.0.0.1', ...hostAddresses].map((address) => `http://${address}:${serverPort}/`);
    const result = await shell(
      [
        ...targets.map((url, index) => probe(`host${index}`, `curl -sf -m 5 ${url}`)),
        probe('dns', 'curl -sf -m 5 https://deb.debian.org/'),
        probe('ip', 'curl -sf -m 5 http://1.1.1.1/'),
        'echo interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" ,)',
      ].join('\n'),
    );
    const seen = flags(result.stdout);
    expect(seen.interfaces).toBe('lo,');
    for (const [name, value] of Object.entries(seen))
      if (name !== 'interfaces') expect([name, value]).toEqual([name, 'no']);
  });

  it('reaches an allow-listed host through the proxy, and nothing else', async () => {
    const result = await shell(
      [
        `echo allowed=$(curl -sf -m 10 http://127.0.0.1:${serverPort}/)`,
        probe('other_port', `curl -sf -m 10 http://127.0.0.1:${otherPort}/`),
        probe('other_host', 'curl -sf -m 10 https://deb.debian.org/'),
        // Going around the proxy to the gateway (the host) must not work either.
        'gateway=$(echo "$HTTP_PROXY" | sed "s/.*@//; s/:.*//")',
        probe('direct_gateway', `curl -sf -m 5 --noproxy '*' http://$gateway:${serverPort}/`),
        probe('direct_loopback', `curl -sf -m 5 --noproxy '*' http://127.0.0.1:${serverPort}/`),
      ].join('\n'),
      { allowNetwork: [`127.0.0.1:${serverPort}`], allowPrivateHosts: ['127.0.0.1'] },
    );
    expect(flags(result.stdout)).toEqual({
      allowed: 'allowed-host-says-hi',
      other_port: 'no',
      other_host: 'no',
      direct_gateway: 'no',
      direct_loopback: 'no',
    });
  });

  it('does not reach a private host on the allow-list unless the operator allows private hosts', async () => {
    const result = await shell(`curl -s -m 10 http://127.0.0.1:${serverPort}/`, {
      allowNetwork: [`127.0.0.1:${serverPort}`],
    });
    expect(result.stdout).toContain('allow it with nodes.allowPrivateHosts');
    expect(result.stdout).not.toContain('allowed-host-says-hi');
  });

  it('sees no engine socket, no host secrets and no host environment', async () => {
    const result = await shell(
      [
        // Built at run time, so the code itself (in /in) does not hold the secret.
        `secret="${HOST_SECRET.slice(0, 6)}"; secret="\${secret}${HOST_SECRET.slice(6)}"`,
        probe('docker_sock', 'test -e /var/run/docker.sock'),
        probe('podman_sock', 'test -e /run/podman/podman.sock'),
        probe('any_sock', 'find / -xdev -type s -print -quit | grep -q .'),
        probe('secret_env', 'env | grep -q "$secret"'),
        probe('secret_proc', 'grep -qs "$secret" /proc/1/environ /proc/self/environ'),
        probe('secret_file', 'grep -rqs "$secret" /etc /tmp /in /out /home /root /var /run /srv /mnt'),
        probe('pincer_env', 'env | grep -q ^PINCER_'),
        'echo processes=$(ls /proc | grep -c "^[0-9]")',
      ].join('\n'),
    );
    const seen = flags(result.stdout);
    expect(Number(seen.processes)).toBeLessThan(10);
    delete seen.processes;
    expect(seen).toEqual({
      docker_sock: 'no',
      podman_sock: 'no',
      any_sock: 'no',
      secret_env: 'no',
      secret_proc: 'no',
      secret_file: 'no',
      pincer_env: 'no',
    });
  });

  it('contains a fork bomb within the pids limit and stays usable afterwards', async () => {
    const bomb = await shell(':(){ :|:& };: ; sleep 2; echo "after the bomb"', {
      timeoutMs: 15_000,
      limits: { pids: 64 },
    });
    expect(['timeout', 'exit_nonzero', 'ok']).toContain(bomb.status);
    const counted = await sandbox.run({
      runId: 'escape',
      stepName: 'forks',
      interpreter: ['python3'],
      code: [
        'import os, time',
        'children = 0',
        'try:',
        '    while True:',
        '        if os.fork() == 0:',
        '            time.sleep(30)',
        '            os._exit(0)',
        '        children += 1',
        'except OSError:',
        '    print(children)',
        '    os._exit(0)',
      ].join('\n'),
      timeoutMs: 60_000,
      limits: { pids: 64 },
    });
    expect(Number(counted.stdout.trim())).toBeLessThan(64);
    const after = await shell('echo fine');
    expect(after.stdout).toBe('fine\n');
  });

  it('mounts only admin-allowed host paths, read-only, and never through a symlink', async () => {
    const allowed = path.join(hostDir, 'logs');
    const read = await shell(
      [`echo errors=$(grep -c ERROR ${allowed}/app.log)`, probe('write', `touch ${allowed}/pwned`)].join(
        '\n',
      ),
      { mounts: [allowed] },
    );
    expect(flags(read.stdout)).toEqual({ errors: '2', write: 'no' });
    await expect(shell('true', { mounts: [hostDir] })).rejects.toMatchObject({
      code: 'sandbox_mount_denied',
    });
    await expect(shell('true', { mounts: [path.join(hostDir, 'logs-link-to-etc')] })).rejects.toMatchObject({
      code: 'sandbox_mount_denied',
    });
  });

  it('does not follow symlinks in /out back to host files, nor accept input files outside /in', async () => {
    const result = await shell(
      'ln -s /etc/hostname /out/host-file; ln -s /out /out/loop; echo ok > /out/real.txt',
    );
    expect(result.files.map((file) => file.name)).toEqual(['real.txt']);
    expect(result.skippedFiles.sort()).toEqual(['host-file', 'loop']);
    await expect(shell('true', { files: { '../etc/passwd': 'x' } })).rejects.toMatchObject({
      code: 'sandbox_file_invalid',
    });
  });
});
