import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { PrivateAddressGuard } from '@pincer/nodes';

/**
 * A forward proxy on 127.0.0.1 that a session's context sends everything through. It resolves
 * each host itself, refuses guarded addresses, and connects to the address it checked: Chromium
 * never resolves names, so a DNS answer that changes between the check and the connection (DNS
 * rebinding) cannot reach a private address. Plain HTTP is forwarded; HTTPS and WebSockets are
 * tunnelled with CONNECT.
 */
export class GuardProxy {
  private readonly sockets = new Set<Socket>();
  /** Requests and tunnels it handled (refused ones included). */
  handled = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(guard: PrivateAddressGuard): Promise<GuardProxy> {
    // Assigned once listening; no connection can arrive before.
    let proxy: GuardProxy = undefined as unknown as GuardProxy;
    const server = createServer((request, response) => {
      proxy.handled += 1;
      void forward(guard, request).then(
        (upstream) => {
          upstream.on('response', (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
            answer.pipe(response);
          });
          upstream.on('error', () => {
            if (!response.headersSent) response.writeHead(502);
            response.end();
          });
          request.pipe(upstream);
        },
        (error: Error) => {
          response.writeHead(403, { 'content-type': 'text/plain' });
          response.end(`refused by Pincer's network policy: ${error.message}`);
        },
      );
    });
    server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
      proxy.handled += 1;
      client.on('error', () => undefined);
      const [host = '', portText = '443'] = splitHostPort(request.url ?? '');
      void resolveGuarded(guard, host).then(
        (address) => {
          const upstream = connect({ host: address, port: Number(portText) }, () => {
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            if (head.length > 0) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', () => client.destroy());
          client.on('close', () => upstream.destroy());
        },
        () => {
          client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    proxy = new GuardProxy(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function splitHostPort(target: string): [string, string] {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(target);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2] ?? ''];
  const index = target.lastIndexOf(':');
  return index < 0 ? [target, ''] : [target.slice(0, index), target.slice(index + 1)];
}

/** The address to connect to for `host`: checked against the guard, never resolved twice. */
async function resolveGuarded(guard: PrivateAddressGuard, host: string): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) {
    if (!guard.allowsHost(bare) && guard.refusal(bare)) throw new Error(`${bare} is ${guard.refusal(bare)}`);
    return bare;
  }
  const addresses = await lookup(bare, { all: true });
  const usable = guard.allowsHost(bare)
    ? addresses
    : addresses.filter(({ address }) => guard.refusal(address) === undefined);
  const chosen = usable[0];
  if (!chosen) {
    const first = addresses[0]?.address ?? '';
    throw new Error(`${bare} resolves to ${first}, ${guard.refusal(first) ?? 'a refused address'}`);
  }
  return chosen.address;
}

async function forward(guard: PrivateAddressGuard, request: IncomingMessage) {
  const target = new URL(request.url ?? '');
  if (target.protocol !== 'http:') throw new Error(`${target.protocol} is not proxied`);
  const address = await resolveGuarded(guard, target.hostname);
  const headers = { ...request.headers };
  delete headers['proxy-connection'];
  return httpRequest({
    host: address,
    port: target.port || 80,
    method: request.method,
    path: `${target.pathname}${target.search}`,
    headers: { ...headers, host: target.host },
    setHost: false,
  });
}
