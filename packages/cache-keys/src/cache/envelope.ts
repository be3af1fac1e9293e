/**
 * What the cache stores in Redis: `1|<logicalExpiryMs>|<serialized value>`, as a string for
 * text serializers and as bytes (ASCII header, raw payload) for binary ones.
 *
 * The logical expiry lives inside the value while Redis keeps the key `grace` longer, so an
 * expired ("stale") value can still be served when the loader or Redis fails.
 */
const VERSION = '1|';
const ONE = 0x31;
const BAR = 0x7c;
const ZERO = 0x30;
const NINE = 0x39;

export interface Entry<T = unknown> {
  value: T;
  /** Epoch ms after which the value is stale. */
  expiresAt: number;
}

export function encodeEntry(payload: string, expiresAt: number): string {
  return `${VERSION}${expiresAt}|${payload}`;
}

export function encodeEntryBytes(payload: Uint8Array, expiresAt: number): Buffer {
  const header = `${VERSION}${expiresAt}|`;
  const out = Buffer.allocUnsafe(header.length + payload.length);
  out.write(header, 0, 'latin1');
  out.set(payload, header.length);
  return out;
}

// The two readers below run on every cache read: plain loops over the header, no allocation,
// no closures (one for strings, one for bytes).

/** Where the payload starts, or -1 if `stored` was not written by this cache. */
export function payloadStart(stored: string): number {
  if (stored.length < 4 || stored.charCodeAt(0) !== ONE || stored.charCodeAt(1) !== BAR) return -1;
  for (let i = 2; i < stored.length; i++) {
    const c = stored.charCodeAt(i);
    if (c === BAR) return i === 2 ? -1 : i + 1;
    if (c < ZERO || c > NINE) return -1;
  }
  return -1;
}

/** `payloadStart` for an entry stored as bytes. */
export function payloadStartBytes(stored: Buffer): number {
  if (stored.length < 4 || stored[0] !== ONE || stored[1] !== BAR) return -1;
  for (let i = 2; i < stored.length; i++) {
    const c = stored[i]!;
    if (c === BAR) return i === 2 ? -1 : i + 1;
    if (c < ZERO || c > NINE) return -1;
  }
  return -1;
}

/** The logical expiry written before `start` (its digits were checked by payloadStart). */
export function expiryOf(stored: string | Buffer, start: number): number {
  let expiresAt = 0;
  for (let i = 2; i < start - 1; i++) {
    expiresAt = expiresAt * 10 + ((typeof stored === 'string' ? stored.charCodeAt(i) : stored[i]!) - ZERO);
  }
  return expiresAt;
}
