import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { promisify } from 'node:util';
import { GuardedProxy, privateAddressGuard, resolveGuarded } from '@pincer/nodes';
import { isAlive } from '@pincer/provision';
import type Docker from 'dockerode';
import ipaddr from 'ipaddr.js';

const run = promisify(execFile);

/**
 * Every run with network gets its own internal network (no route out), carved as a /24 from this
 * range: containers of different runs cannot reach each other, only the proxy on their gateway.
 */
export const EGRESS_RANGE = '10.213.0.0/16';
const NETWORK_PREFIX = 'pincer-run-';
const NETWORK_OWNER_LABEL = 'pincer.egress.owner';

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
  /** The run network's subnet: the token works only from there. */
  subnet: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

export interface EgressGrant {
  /** The run's network: the container joins it. */
  network: string;
  /** The proxy URL the container uses (its token names this step's allow-list). */
  proxyUrl: string;
  /** Call once the container is gone: the token stops, and the run's last step removes the network. */
  release(): Promise<void>;
}

export interface EgressProxy {
  /** Registers a step's allow-list on its run's network (created for the run's first such step). */
  grant(
    runId: string,
    rules: readonly EgressRule[],
    allowPrivateHosts: readonly string[],
  ): Promise<EgressGrant>;
  close(): Promise<void>;
}

interface RunNetwork {
  name: string;
  subnet: string;
  gateway: string;
  users: number;
}

/** The /24s of EGRESS_RANGE that networks of the engine use already. */
async function usedSubnets(docker: Docker): Promise<Set<string>> {
  const networks = await docker.listNetworks();
  return new Set(
    networks.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? '')),
  );
}

/** Creates an internal network on a free /24 of EGRESS_RANGE (retrying when another process took it). */
async function createRunNetwork(docker: Docker, owner: string): Promise<Omit<RunNetwork, 'users'>> {
  const [base] = ipaddr.parseCIDR(EGRESS_RANGE);
  const [first, second] = base.toByteArray();
  for (let attempt = 0; attempt < 5; attempt++) {
    const used = await usedSubnets(docker);
    const third = Array.from({ length: 256 }, (_, index) => index).find(
      (index) => !used.has(`${first}.${second}.${index}.0/24`),
    );
    if (third === undefined) throw new Error(`no free /24 left in ${EGRESS_RANGE} for a run network`);
    const subnet = `${first}.${second}.${third}.0/24`;
    const gateway = `${first}.${second}.${third}.1`;
    const name = `${NETWORK_PREFIX}${randomBytes(6).toString('hex')}`;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
        Labels: { 'pincer.sandbox': '1', [NETWORK_OWNER_LABEL]: owner },
      });
      return { name, subnet, gateway };
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
  throw new Error('unreachable');
}

/** Removes run networks whose Pincer process (on this host) is gone. */
async function sweepNetworks(docker: Docker): Promise<void> {
  const host = os.hostname();
  const networks = await docker.listNetworks({ filters: JSON.stringify({ label: [NETWORK_OWNER_LABEL] }) });
  for (const network of networks) {
    const [ownerHost, ownerPid] = (network.Labels?.[NETWORK_OWNER_LABEL] ?? '').split('/');
    const pid = Number(ownerPid);
    if (ownerHost !== host || !Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await docker
      .getNetwork(network.Id)
      .remove()
      .catch(() => undefined);
  }
}

/**
 * A filtering HTTP proxy for sandboxed code: plain requests and CONNECT tunnels reach only the
 * hosts and ports of the run's allow-list, and private addresses only when the operator allows
 * them. Containers on the internal network have no other way out. Each run gets its own token in
 * the proxy URL, which names its allow-list; connections from outside the network are refused.
 */
export async function startEgressProxy(docker: Docker): Promise<EgressProxy> {
  const owner = `${os.hostname()}/${process.pid}`;
  await sweepNetworks(docker);
  const grants = new Map<string, Grant>();
  const networks = new Map<string, Promise<RunNetwork>>();

  const grantFor = (request: http.IncomingMessage): Grant | undefined => {
    const remote = request.socket.remoteAddress ?? '';
    const header = request.headers['proxy-authorization'] ?? '';
    const token =
      Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64')
        .toString()
        .split(':')[1] ?? '';
    const grant = grants.get(token);
    if (!grant) return undefined;
    const address = ipaddr.process(remote);
    if (address.kind() !== grant.subnet[0].kind() || !address.match(grant.subnet)) return undefined;
    return grant;
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
    // A bridge (and its gateway address) only exists while a container is on its network, so the
    // proxy listens on every address and refuses a token used from outside its run's subnet.
    '0.0.0.0',
  );
  const port = proxy.port;
  const firewall = await fenceHost(EGRESS_RANGE, port);

  const networkOf = (runId: string): Promise<RunNetwork> => {
    let pending = networks.get(runId);
    if (!pending) {
      pending = createRunNetwork(docker, owner).then((created) => ({ ...created, users: 0 }));
      networks.set(runId, pending);
      pending.catch(() => networks.delete(runId));
    }
    return pending;
  };

  return {
    async grant(runId, rules, allowPrivateHosts) {
      const network = await networkOf(runId);
      network.users++;
      const token = randomBytes(18).toString('hex');
      grants.set(token, { rules, allowPrivateHosts, subnet: ipaddr.parseCIDR(network.subnet) });
      return {
        network: network.name,
        proxyUrl: `http://pincer:${token}@${network.gateway}:${port}`,
        async release() {
          grants.delete(token);
          network.users--;
          if (network.users > 0) return;
          networks.delete(runId);
          await docker
            .getNetwork(network.name)
            .remove()
            .catch(() => undefined);
        },
      };
    },
    async close() {
      await firewall.release();
      for (const pending of networks.values()) {
        const network = await pending.catch(() => undefined);
        if (network)
          await docker
            .getNetwork(network.name)
            .remove()
            .catch(() => undefined);
      }
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
