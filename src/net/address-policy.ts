/**
 * Which IP addresses wafleet may connect to on a caller's behalf (media URLs, webhooks): public
 * unicast only. ipaddr.js knows the special-purpose registries (RFC 6890 and successors); this file
 * adds what a range name alone does not decide:
 * - IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64 well-known prefix, 6to4) are judged
 *   by the IPv4 address inside, so `::ffff:127.0.0.1` or `2002:7f00:1::` is loopback, while the
 *   NAT64 form of a public address (how IPv6-only hosts behind DNS64 reach IPv4) stays public;
 * - forms whose IPv4 part cannot be trusted or located are refused outright: IPv4-compatible
 *   (`::a.b.c.d`, deprecated by RFC 4291), IPv4-translated (RFC 6145), Teredo (the client address
 *   is obfuscated and the traffic relayed), and the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215:
 *   the operator picks where the IPv4 address sits);
 * - an IPv6 address is public only inside 2000::/3, the only block IANA allocates for global
 *   unicast: whatever ipaddr.js calls "unicast" elsewhere is unassigned or reserved space.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressVerdict {
  /** True for a public unicast address. */
  public: boolean;
  /** What the address is: `unicast`, an ipaddr.js range name (`loopback`, `private`, …) or a form (`6to4 of loopback`). */
  range: string;
}

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * `::a.b.c.d` written with a dotted quad: ipaddr.js reads it as IPv4-mapped (`::ffff:a.b.c.d`), but
 * it is the IPv4-compatible address Node would dial. Rewritten as two hex groups first.
 */
function withHexTail(address: string): string {
  const match = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!match) return address;
  const [a, b, c, d] = match.slice(2).map(Number) as [number, number, number, number];
  return `${match[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function embedded(form: string, ipv4: ipaddr.IPv4): AddressVerdict {
  const range = ipv4.range();
  return range === 'unicast' ? { public: true, range: `${form} of unicast` } : { public: false, range: `${form} of ${range}` };
}

function classifyIpv6(address: ipaddr.IPv6): AddressVerdict {
  const range = address.range();
  const parts = address.parts;
  switch (range) {
    case 'ipv4Mapped':
      return embedded('IPv4-mapped', address.toIPv4Address());
    case 'rfc6052':
      if (address.match(NAT64_WELL_KNOWN)) return embedded('NAT64', ipv4From(parts[6]!, parts[7]!));
      return { public: false, range: 'local-use NAT64' };
    case '6to4':
      return embedded('6to4', ipv4From(parts[1]!, parts[2]!));
    case 'unicast':
      if (address.match(GLOBAL_UNICAST)) return { public: true, range };
      if (address.match(IPV4_COMPATIBLE)) return { public: false, range: 'IPv4-compatible' };
      return { public: false, range: 'not globally allocated' };
    default:
      return { public: false, range };
  }
}

/** The verdict on one IP address (anything that is not an IP address is refused). */
export function classifyAddress(address: string): AddressVerdict {
  const family = isIP(address);
  if (family === 0) return { public: false, range: 'not an IP address' };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(family === 6 ? withHexTail(address) : address);
  } catch {
    return { public: false, range: 'not an IP address' };
  }
  if (parsed.kind() === 'ipv6') return classifyIpv6(parsed as ipaddr.IPv6);
  const range = parsed.range();
  return { public: range === 'unicast', range };
}

/** A set of addresses an admin allows although they are not public (WAFLEET_PRIVATE_URL_ALLOWLIST). */
export type AddressAllowlist = ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/** Parses `10.0.5.7`, `10.0.0.0/8` or `fd00::/8` entries; throws naming the first bad one. */
export function parseAllowlist(entries: readonly string[]): AddressAllowlist {
  return entries.map((entry) => {
    try {
      // net.isIP first: ipaddr.js alone would take classful forms such as "10.1" or "0x7f.1".
      if (isIP(entry.split('/')[0]!) === 0) throw new Error('not an IP address');
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const address = ipaddr.parse(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
  });
}

export function isAllowlisted(address: string, allowlist: AddressAllowlist): boolean {
  if (allowlist.length === 0 || isIP(address) === 0) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(isIP(address) === 6 ? withHexTail(address) : address);
  } catch {
    return false;
  }
  return allowlist.some(([network, bits]) => parsed.kind() === network.kind() && parsed.match(network, bits));
}
