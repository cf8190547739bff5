import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardedProxy, privateAddressGuard, resolveGuarded } from '../src/index.ts';

/** The first line of the proxy's answer to `CONNECT target`. */
function tunnel(proxy: GuardedProxy<unknown>, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () =>
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
    );
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** A plain GET through the proxy: status and body. */
function get(proxy: GuardedProxy<unknown>, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const forwarded = request({ host: '127.0.0.1', port: proxy.port, path: url }, (answer) => {
      let body = '';
      answer.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    forwarded.on('error', reject);
    forwarded.end();
  });
}

describe('GuardedProxy', () => {
  let site: Server;
  let sitePort: number;
  beforeAll(async () => {
    site = createServer((_request, response) => response.end('site-says-hi'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    sitePort = (site.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });

  it('refuses private addresses unless the guard allows them, tunnelled or plain', async () => {
    const strict = privateAddressGuard([]);
    const proxy = await GuardedProxy.listen(
      { admit: () => strict, resolve: (guard, host) => resolveGuarded(guard, host, '; allow it') },
      '127.0.0.1',
    );
    try {
      const refused = await tunnel(proxy, `127.0.0.1:${sitePort}`);
      expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
      expect(refused).toContain('127.0.0.1 is a loopback address; allow it');
      const plain = await get(proxy, `http://127.0.0.1:${sitePort}/`);
      expect(plain.status).toBe(403);
      expect(plain.body).toContain('loopback');
      expect((await get(proxy, '/not-a-proxy-request')).status).toBe(403);
      expect(proxy.handled).toBe(3);
    } finally {
      await proxy.close();
    }
    const allowing = privateAddressGuard(['127.0.0.1']);
    const open = await GuardedProxy.listen(
      { admit: () => allowing, resolve: (guard, host) => resolveGuarded(guard, host) },
      '127.0.0.1',
    );
    try {
      expect((await tunnel(open, `127.0.0.1:${sitePort}`)).split('\r\n')[0]).toBe(
        'HTTP/1.1 200 Connection Established',
      );
      expect(await get(open, `http://127.0.0.1:${sitePort}/`)).toEqual({ status: 200, body: 'site-says-hi' });
    } finally {
      await open.close();
    }
  });

  it("answers 407 to clients its gate does not admit, and honours the gate's allow-list", async () => {
    const guard = privateAddressGuard(['127.0.0.1']);
    const proxy = await GuardedProxy.listen<{ port: number }>(
      {
        admit: (incoming) =>
          incoming.headers['proxy-authorization'] === 'Basic token' ? { port: sitePort } : undefined,
        async resolve(grant, host, port) {
          if (port !== grant.port) throw new Error(`${host}:${port} is not in the allow-list`);
          return resolveGuarded(guard, host);
        },
      },
      '127.0.0.1',
    );
    try {
      expect((await tunnel(proxy, `127.0.0.1:${sitePort}`)).split('\r\n')[0]).toBe(
        'HTTP/1.1 407 Proxy Authentication Required',
      );
      expect((await get(proxy, `http://127.0.0.1:${sitePort}/`)).status).toBe(407);
      const admitted = (target: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(proxy.port, '127.0.0.1', () =>
            socket.write(`CONNECT ${target} HTTP/1.1\r\nProxy-Authorization: Basic token\r\n\r\n`),
          );
          socket.once('data', (data) => {
            resolve(data.toString());
            socket.destroy();
          });
          socket.once('error', reject);
        });
      expect((await admitted(`127.0.0.1:${sitePort}`)).split('\r\n')[0]).toBe(
        'HTTP/1.1 200 Connection Established',
      );
      expect(await admitted(`127.0.0.1:${sitePort + 1}`)).toContain('is not in the allow-list');
    } finally {
      await proxy.close();
    }
  });
});
