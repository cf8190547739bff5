import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { privateAddressGuard } from '@pincer/nodes';
import type { BrowserContext, Route, WebSocketRoute } from 'playwright-core';

/** Schemes a page may load without touching the network. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

export interface Refusal {
  url: string;
  reason: string;
}

/**
 * The SSRF guard of browser steps: every request of the context (documents, subresources, XHR,
 * fetch, WebSockets, redirects) is routed through `check`, which refuses private, loopback and
 * link-local addresses (resolving names first) unless the host, address or a CIDR holding it is
 * allow-listed. Refused requests are aborted and remembered for the error message.
 */
export class NetworkPolicy {
  readonly guard;
  private readonly verdicts = new Map<string, Promise<string | undefined>>();
  readonly refused: Refusal[] = [];

  constructor(allowPrivateHosts: readonly string[]) {
    this.guard = privateAddressGuard(allowPrivateHosts);
  }

  /** Why `url` may not be loaded, or undefined when it may. */
  async check(url: string): Promise<string | undefined> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'not a valid URL';
    }
    if (LOCAL_SCHEMES.has(parsed.protocol)) return undefined;
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
      return `the ${parsed.protocol} scheme is not allowed (only http and https)`;
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    let verdict = this.verdicts.get(host);
    if (!verdict) {
      verdict = this.judge(host);
      this.verdicts.set(host, verdict);
    }
    return verdict;
  }

  private async judge(host: string): Promise<string | undefined> {
    if (this.guard.allowsHost(host)) return undefined;
    if (isIP(host)) {
      const refusal = this.guard.refusal(host);
      return refusal ? `${host} is ${refusal}` : undefined;
    }
    let addresses: { address: string }[];
    try {
      addresses = await lookup(host, { all: true });
    } catch {
      // Chromium will fail to resolve it too and report the network error itself.
      return undefined;
    }
    for (const { address } of addresses) {
      const refusal = this.guard.refusal(address);
      if (refusal) return `${host} resolves to ${address}, ${refusal}`;
    }
    return undefined;
  }

  /** Routes every request and WebSocket of the context through the policy. */
  async install(context: BrowserContext, log?: (message: string, fields?: Record<string, unknown>) => void) {
    await context.route('**/*', async (route: Route) => {
      const url = route.request().url();
      const reason = await this.check(url);
      if (reason) {
        this.refused.push({ url: describeUrl(url), reason });
        log?.('browser refused a request', { url: describeUrl(url), reason });
        await route.abort('blockedbyclient').catch(() => undefined);
        return;
      }
      await route.fallback().catch(() => undefined);
    });
    await context.routeWebSocket(/.*/, async (socket: WebSocketRoute) => {
      const reason = await this.check(socket.url());
      if (reason) {
        this.refused.push({ url: describeUrl(socket.url()), reason });
        await socket.close({ code: 1008, reason: 'refused by Pincer network policy' }).catch(() => undefined);
        return;
      }
      socket.connectToServer();
    });
  }

  /** The refusal that explains a failed load of `url`, if there was one. */
  refusalFor(url: string): Refusal | undefined {
    const wanted = describeUrl(url);
    return this.refused.find((refusal) => refusal.url === wanted) ?? this.refused.at(-1);
  }
}

/** Without query string and credentials, which may hold secrets. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return `${parsed.protocol}…`;
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.slice(0, 100);
  }
}
