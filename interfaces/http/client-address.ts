import { isIP } from 'node:net';
import type { Context } from 'koa';

/** An entry that is not an address (a proxy's `unknown`, garbage) is kept, but bounded. */
const MAX_KEY_LENGTH = 64;

/**
 * The client a request counts against, for the rate limit: the socket's address, or, behind
 * `trustedProxyHops` proxies, the `X-Forwarded-For` entry that many from the right. Each proxy
 * appends the address it received the request from, so the entry the nearest trusted proxy's
 * chain wrote is the first one the client could not have written itself; anything to its left is
 * the client's to forge. With fewer entries than hops (a proxy was bypassed, which the
 * NetworkPolicy prevents), the leftmost one is used, as Express's `trust proxy` does.
 */
export function clientAddress(ctx: Context, trustedProxyHops: number): string {
  const socket = ctx.req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops === 0) return clientKey(socket);
  const forwarded = ctx
    .get('X-Forwarded-For')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (forwarded.length === 0) return clientKey(socket);
  return clientKey(forwarded[Math.max(0, forwarded.length - trustedProxyHops)]!);
}

/**
 * What a client is counted as. An IPv4 address as is (an IPv4-mapped IPv6 one as IPv4). An IPv6
 * address by its /64: a single host is usually given a whole /64, so counting each of its 2^64
 * addresses apart would let one client rotate through limits at will.
 */
export function clientKey(address: string): string {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain);
  if (mapped) return mapped[1]!;
  switch (isIP(plain)) {
    case 4:
      return plain;
    case 6:
      return `${ipv6Groups(plain).slice(0, 4).join(':')}::/64`;
    default:
      return address.slice(0, MAX_KEY_LENGTH);
  }
}

/** The eight groups of a valid IPv6 address, without leading zeros (a dotted IPv4 tail counts as two). */
function ipv6Groups(address: string): string[] {
  const split = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const [head = '', tail] = address.split('::');
  const groups =
    tail === undefined
      ? split(head)
      : [...split(head), ...Array<string>(8 - split(head).length - split(tail).length).fill('0'), ...split(tail)];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
