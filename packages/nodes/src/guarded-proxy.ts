import { lookup } from 'node:dns/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { PrivateAddressGuard } from './private-address.ts';

/** Who may use a GuardedProxy and where each client may go. */
export interface ProxyGate<Grant> {
  /** The client's grant, or undefined: it is answered 407. */
  admit(request: IncomingMessage): Grant | undefined;
  /**
   * The checked address to connect to for `host:port` under `grant`; throws why it may not be
   * reached (the message goes back to the client in the 403).
   */
  resolve(grant: Grant, host: string, port: number): Promise<string>;
}

/**
 * The address to connect to for `host`, checked against the guard and never resolved twice (a DNS
 * answer that changes between the check and the connection, DNS rebinding, cannot reach a private
 * address). A name with a usable address among several connects to that one. `hint` ends the
 * message of a refusal: how the operator allows the address.
 */
export async function resolveGuarded(guard: PrivateAddressGuard, host: string, hint = ''): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) {
    const refusal = guard.allowsHost(bare) ? undefined : guard.refusal(bare);
    if (refusal) throw new Error(`${bare} is ${refusal}${hint}`);
    return bare;
  }
  const addresses = await lookup(bare, { all: true });
  const usable = guard.allowsHost(bare)
    ? addresses
    : addresses.filter(({ address }) => guard.refusal(address) === undefined);
  const chosen = usable[0];
  if (!chosen) {
    const first = addresses[0]?.address;
    if (!first) throw new Error(`${bare} does not resolve`);
    throw new Error(`${bare} resolves to ${first}, ${guard.refusal(first) ?? 'a refused address'}${hint}`);
  }
  return chosen.address;
}

/** `host:port` of a CONNECT request; IPv6 hosts come in brackets. */
function splitHostPort(target: string): [string, number] {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(target);
  if (bracketed) return [bracketed[1] ?? '', Number(bracketed[2])];
  const index = target.lastIndexOf(':');
  return index < 0 ? [target, 443] : [target.slice(0, index), Number(target.slice(index + 1))];
}

const PROXY_AUTH_REQUIRED =
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="pincer"\r\n\r\n';

function refusalText(error: unknown): string {
  return `refused by Pincer's network policy: ${error instanceof Error ? error.message : String(error)}\n`;
}

/**
 * A forward proxy whose every connection goes to an address its gate checked: plain HTTP is
 * forwarded, HTTPS and WebSockets are tunnelled with CONNECT. The browser's per-session proxy and
 * the sandbox's egress proxy are this with their own gates.
 */
export class GuardedProxy<Grant> {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Requests and tunnels it handled (refused ones included). */
  handled = 0;
  /** The port it listens on. */
  port = 0;

  private constructor(private readonly gate: ProxyGate<Grant>) {
    this.server = createServer((request, response) => this.onRequest(request, response));
    this.server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) =>
      this.onConnect(request, client, head),
    );
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async listen<Grant>(gate: ProxyGate<Grant>, host: string): Promise<GuardedProxy<Grant>> {
    const proxy = new GuardedProxy(gate);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, host, () => resolve());
    });
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    this.handled += 1;
    const grant = this.gate.admit(request);
    if (grant === undefined) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="pincer"' }).end('proxy: not allowed\n');
      return;
    }
    void forward(this.gate, grant, request).then(
      (upstream) => {
        upstream.on('response', (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(response);
        });
        upstream.on('error', () => {
          if (response.headersSent) response.destroy();
          else response.writeHead(502).end();
        });
        request.pipe(upstream);
      },
      (error: unknown) => {
        response.writeHead(403, { 'content-type': 'text/plain' }).end(refusalText(error));
      },
    );
  }

  private onConnect(request: IncomingMessage, client: Socket, head: Buffer): void {
    this.handled += 1;
    client.on('error', () => client.destroy());
    const grant = this.gate.admit(request);
    if (grant === undefined) {
      client.end(PROXY_AUTH_REQUIRED);
      return;
    }
    const [host, port] = splitHostPort(request.url ?? '');
    void this.gate.resolve(grant, host, port).then(
      (address) => {
        const upstream = connect({ host: address, port }, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          if (head.length > 0) upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
      },
      (error: unknown) => {
        client.end(`HTTP/1.1 403 Forbidden\r\n\r\n${refusalText(error)}`);
      },
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A plain HTTP request sent on to the checked address of its absolute URL. */
async function forward<Grant>(gate: ProxyGate<Grant>, grant: Grant, request: IncomingMessage) {
  const target = new URL(request.url ?? '');
  if (target.protocol !== 'http:')
    throw new Error(`only http:// URLs are proxied (${target.protocol} goes through CONNECT)`);
  const port = Number(target.port || 80);
  const address = await gate.resolve(grant, target.hostname, port);
  const headers = { ...request.headers };
  delete headers['proxy-authorization'];
  delete headers['proxy-connection'];
  return httpRequest({
    host: address,
    port,
    method: request.method,
    path: `${target.pathname}${target.search}`,
    headers: { ...headers, host: target.host },
    setHost: false,
  });
}
