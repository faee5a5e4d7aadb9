import { isIPv4, isIPv6 } from 'node:net';

/** IPv4 addresses are kept to their /24, IPv6 ones to their /48 (a site's usual allocation). */
export const IPV4_PREFIX = 24;
export const IPV6_PREFIX = 48;

/**
 * The network of a client address, as CIDR (`203.0.113.0/24`, `2001:db8:abcd::/48`), or null when
 * the address is missing or not an IP address.
 *
 * Only this network is ever stored for a session, never the address itself (data minimisation:
 * the session list shows no more than the network, enough for a member to tell "my home" from
 * "somewhere else", so keeping the full address would hold personal data that nothing uses).
 * An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, what a dual-stack socket reports) counts as
 * the IPv4 address it carries.
 *
 * Hand-written over node:net because it is a few lines of arithmetic and no dependency of the
 * workspace offers it; PostgreSQL's `cidr` column then refuses any value with host bits set.
 */
export function clientNetwork(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  if (isIPv4(ip)) return ipv4Network(ip);
  const groups = isIPv6(ip) ? ipv6Groups(ip) : undefined;
  if (!groups) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6], groups[7]];
    return ipv4Network([high >> 8, high & 0xff, low >> 8, low & 0xff].join('.'));
  }
  const kept = groups.slice(0, IPV6_PREFIX / 16).map((g) => g.toString(16));
  return `${kept.join(':')}::/${IPV6_PREFIX}`;
}

function ipv4Network(ip: string): string {
  const [a, b, c] = ip.split('.').map(Number);
  return `${a}.${b}.${c}.0/${IPV4_PREFIX}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing IPv4 part split). */
function ipv6Groups(ip: string): number[] | undefined {
  const address = ip.split('%')[0]; // a zone id (`fe80::1%eth0`) names a local interface only
  const [head, tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] =>
    !part
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = parse(tail);
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 ? groups : undefined;
}
