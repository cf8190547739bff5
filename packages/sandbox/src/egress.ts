import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { promisify } from 'node:util';
import { GuardedProxy, privateAddressGuard, resolveGuarded } from '@pincer/nodes';
import { isAlive } from '@pincer/provision';
import type Docker from 'dockerode';
import ipaddr from 'ipaddr.js';

const run = promisify(execFile);

export const EGRESS_NETWORK = 'pincer-egress';

/**
 * One allow-list entry: `host` (ports 80 and 443), `host:port`, or `*.domain[:port]` (any
 * subdomain, not the domain itself).
 */
export interface EgressRule {
  host: string;
  ports: readonly number[];
}

const ENTRY = /^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function parseEgressEntry(entry: string): EgressRule | undefined {
  if (!ENTRY.test(entry)) return undefined;
  const bracketed = entry.match(/^\[([^\]]+)\](?::(\d+))?$/);
  const [host, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : entry.split(':');
  if (!host) return undefined;
  const ports = port ? [Number(port)] : [80, 443];
  if (ports.some((value) => value < 1 || value > 65535)) return undefined;
  return { host: host.toLowerCase(), ports };
}

function matches(rules: readonly EgressRule[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return rules.some(
    (rule) =>
      rule.ports.includes(port) &&
      (rule.host === name || (rule.host.startsWith('*.') && name.endsWith(rule.host.slice(1)))),
  );
}

interface Grant {
  rules: readonly EgressRule[];
  allowPrivateHosts: readonly string[];
}

export interface EgressProxy {
  network: string;
  /** Registers a run's allow-list; returns the proxy URL its container uses, and a release. */
  grant(
    rules: readonly EgressRule[],
    allowPrivateHosts: readonly string[],
  ): { proxyUrl: string; release(): void };
  close(): Promise<void>;
}

/** The internal network (no route out) whose gateway is the host, where the proxy listens. */
async function ensureNetwork(docker: Docker): Promise<{ subnet: string; gateway: string }> {
  const read = async () => {
    const info = await docker.getNetwork(EGRESS_NETWORK).inspect();
    const config = info.IPAM?.Config?.[0];
    if (!config?.Subnet || !config.Gateway) throw new Error(`network ${EGRESS_NETWORK} has no subnet`);
    return { subnet: config.Subnet as string, gateway: config.Gateway as string };
  };
  try {
    return await read();
  } catch {
    await docker
      .createNetwork({
        Name: EGRESS_NETWORK,
        Driver: 'bridge',
        Internal: true,
        Labels: { 'pincer.sandbox': '1' },
      })
      // Another Pincer process may have created it meanwhile.
      .catch(() => undefined);
    return read();
  }
}

/**
 * A filtering HTTP proxy for sandboxed code: plain requests and CONNECT tunnels reach only the
 * hosts and ports of the run's allow-list, and private addresses only when the operator allows
 * them. Containers on the internal network have no other way out. Each run gets its own token in
 * the proxy URL, which names its allow-list; connections from outside the network are refused.
 */
export async function startEgressProxy(docker: Docker): Promise<EgressProxy> {
  const { subnet, gateway } = await ensureNetwork(docker);
  const range = ipaddr.parseCIDR(subnet);
  const grants = new Map<string, Grant>();

  const grantFor = (request: http.IncomingMessage): Grant | undefined => {
    const remote = request.socket.remoteAddress ?? '';
    const address = ipaddr.process(remote);
    if (address.kind() !== range[0].kind() || !address.match(range)) return undefined;
    const header = request.headers['proxy-authorization'] ?? '';
    const token =
      Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64')
        .toString()
        .split(':')[1] ?? '';
    return grants.get(token);
  };

  const proxy = await GuardedProxy.listen<Grant>(
    {
      admit: grantFor,
      async resolve(grant, host, port) {
        if (!matches(grant.rules, host, port))
          throw new Error(`${host}:${port} is not in the step's network allow-list`);
        return resolveGuarded(
          privateAddressGuard(grant.allowPrivateHosts),
          host,
          '; allow it with nodes.allowPrivateHosts in pincer.yaml',
        );
      },
    },
    // The bridge (and its gateway address) only exists while a container is on the network, so
    // the proxy listens on every address and refuses connections from outside the subnet.
    '0.0.0.0',
  );
  const port = proxy.port;
  const firewall = await fenceHost(subnet, port);

  return {
    network: EGRESS_NETWORK,
    grant(rules, allowPrivateHosts) {
      const token = randomBytes(18).toString('hex');
      grants.set(token, { rules, allowPrivateHosts });
      return { proxyUrl: `http://pincer:${token}@${gateway}:${port}`, release: () => grants.delete(token) };
    },
    async close() {
      await firewall.release();
      await proxy.close();
    },
  };
}

/**
 * Containers on the egress network can address the host through the gateway. With iptables (as
 * root) everything from the network to the host is dropped except this proxy's port; without it
 * the proxy's token and subnet checks still apply, but other host services listening on all
 * interfaces would be reachable, so the failure is reported.
 */
async function fenceHost(
  subnet: string,
  port: number,
): Promise<{ active: boolean; release(): Promise<void> }> {
  const drop = ['INPUT', '-s', subnet, '-j', 'DROP'];
  const accept = [
    'INPUT',
    ...['-s', subnet, '-p', 'tcp', '-m', 'tcp', '--dport', String(port)],
    ...['-m', 'comment', '--comment', `${RULE_TAG}${process.pid}`, '-j', 'ACCEPT'],
  ];
  const iptables = (...args: string[]) => run('iptables', ['-w', '5', ...args]);
  try {
    await removeStaleRules(iptables);
    await iptables('-C', ...drop).catch(() => iptables('-I', ...drop));
    await iptables('-I', ...accept);
  } catch (error) {
    process.emitWarning(
      `sandbox egress: could not restrict the egress network's access to the host with iptables (${(error as Error).message.split('\n')[0]}); run the worker as root with iptables installed`,
    );
    return { active: false, release: async () => undefined };
  }
  return {
    active: true,
    release: async () => {
      await iptables('-D', ...accept).catch(() => undefined);
    },
  };
}

const RULE_TAG = 'pincer-egress:';

/** Drops the ACCEPT rules of proxies whose process is gone (a crashed worker cannot remove its own). */
async function removeStaleRules(iptables: (...args: string[]) => Promise<unknown>): Promise<void> {
  const { stdout } = await run('iptables', ['-w', '5', '-S', 'INPUT']);
  for (const line of stdout.split('\n')) {
    const pid = Number(line.match(new RegExp(`${RULE_TAG}(\\d+)`))?.[1]);
    if (!pid || isAlive(pid)) continue;
    const spec = line.replace(/^-A /, '').replaceAll('"', '').split(' ');
    await iptables('-D', ...spec).catch(() => undefined);
  }
}
