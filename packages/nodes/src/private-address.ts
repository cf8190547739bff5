import ipaddr from 'ipaddr.js';
import { NodeError } from './errors.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** How ipaddr.js range names read in an error message. */
const RANGE_DESCRIPTIONS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
};

/** NAT64 (RFC 6052) addresses carry the IPv4 address they reach in their last 32 bits. */
const NAT64_PREFIX = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
/** IPv4-compatible IPv6 (deprecated): `::a.b.c.d`. Some stacks still route it to the IPv4 address. */
const IPV4_COMPATIBLE_PREFIX = ipaddr.IPv6.parseCIDR('::/96');

export interface PrivateAddressGuard {
  /** Whether the operator allowed this host name outright (then all its addresses may be reached). */
  allowsHost(hostname: string): boolean;
  /** Why `address` may not be reached, e.g. "a loopback address"; undefined when it may. */
  refusal(address: string): string | undefined;
}

/**
 * The SSRF guard of steps that reach the network: private, loopback, link-local and other
 * non-public addresses are refused unless `allowPrivateHosts` names the host, the address or a
 * CIDR range holding it.
 */
export function privateAddressGuard(allowPrivateHosts: readonly string[]): PrivateAddressGuard {
  const hosts = new Set<string>();
  const ranges: [Address, number][] = [];
  for (const entry of allowPrivateHosts) {
    const range = parseAllowedRange(entry);
    if (range) ranges.push(range);
    else hosts.add(normalizeHostname(entry));
  }
  return {
    allowsHost: (hostname) => hosts.has(normalizeHostname(hostname)),
    refusal(text) {
      const address = toComparable(ipaddr.parse(text));
      if (
        ranges.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits))
      ) {
        return undefined;
      }
      return nonPublicRange(address);
    },
  };
}

/** An IP address or CIDR of the allow-list; undefined for host names. */
function parseAllowedRange(entry: string): [Address, number] | undefined {
  if (entry.includes('/')) {
    if (!ipaddr.isValidCIDR(entry)) {
      throw new NodeError(
        'invalid_setting',
        `nodes.allowPrivateHosts: "${entry}" is not a valid CIDR range`,
        {
          retryable: false,
        },
      );
    }
    const [network, bits] = ipaddr.parseCIDR(entry);
    const comparable = toComparable(network);
    // A mapped IPv6 range becomes the IPv4 range it maps.
    return [comparable, comparable === network ? bits : Math.max(0, bits - 96)];
  }
  if (!ipaddr.isValid(stripBrackets(entry))) return undefined;
  const address = toComparable(ipaddr.parse(stripBrackets(entry)));
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) reaches the IPv4 address, so it is judged as one. */
function toComparable(address: Address): Address {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

function nonPublicRange(address: Address): string | undefined {
  if (address instanceof ipaddr.IPv6) {
    if (address.match(NAT64_PREFIX)) return nonPublicRange(embeddedIPv4(address));
    const range = address.range();
    if (range === 'unicast' && address.match(IPV4_COMPATIBLE_PREFIX)) return 'a reserved address';
    if (range === 'unicast') return undefined;
    return RANGE_DESCRIPTIONS[range] ?? 'a reserved address';
  }
  const range = address.range();
  if (range === 'unicast') return undefined;
  return RANGE_DESCRIPTIONS[range] ?? 'a reserved address';
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function normalizeHostname(hostname: string): string {
  return stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
}
