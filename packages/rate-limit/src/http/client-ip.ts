import { BlockList, isIP } from 'node:net';
import { RateLimitConfigError } from '../errors.js';

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) → `1.2.3.4`; anything else unchanged. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** A set of addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`, `203.0.113.7`). */
export class AddressList {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(field: string, entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address);
      const prefix = bits === undefined ? undefined : Number(bits);
      const max = family === 4 ? 32 : 128;
      if (
        family === 0 ||
        (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
      ) {
        throw new RateLimitConfigError(
          `${field}: ${JSON.stringify(entry)} is not an IP address or CIDR range`,
          {
            context: { field, value: entry },
          },
        );
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, prefix, type);
    }
    this.size = entries.length;
  }

  has(ip: string): boolean {
    const family = isIP(ip);
    return family !== 0 && this.#list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The client's address. With no trusted proxies, the socket's peer. With trusted proxies,
 * `X-Forwarded-For` is read right to left, from the socket's peer, skipping hops that are
 * trusted proxies: the first address that is not one is the client. A client cannot spoof its
 * way past this, since only what trusted proxies appended is believed.
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trusted: AddressList,
): string | undefined {
  if (remoteAddress === undefined) return undefined;
  let ip = normalizeIp(remoteAddress);
  if (trusted.size === 0 || forwardedFor === undefined || !trusted.has(ip)) return ip;
  const hops = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]!.trim());
    // A hop a trusted proxy reported that is not an address: stop at the proxy itself.
    if (isIP(hop) === 0) return ip;
    ip = hop;
    if (!trusted.has(ip)) return ip;
  }
  return ip;
}

/** The first `bits` of an IPv6 address as `prefix::/bits` (one user usually holds a whole /64). */
export function ipv6Network(ip: string, bits: number): string {
  const words = expandIpv6(ip);
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    out.push((words[i]! & mask).toString(16));
  }
  return `${out.join(':')}/${bits}`;
}

/** An IPv6 address's eight 16-bit words (`::` expanded, an embedded IPv4 tail converted). */
function expandIpv6(ip: string): number[] {
  let text = ip.split('%')[0]!; // drop a zone id (fe80::1%eth0)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((w) => Number.parseInt(w, 16));
}
