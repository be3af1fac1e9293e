/**
 * User keys → Redis key segments.
 *
 * A StateStore key may be any non-empty, well-formed Unicode string, but a key-template value
 * may not contain `:`, `{`, `}` or whitespace, and a SCAN pattern gives `*`, `?`, `[`, `]`, `\`
 * a meaning. So keys are percent-encoded: printable ASCII other than `% : { } * ? [ ] \` stays
 * as it is (keys stay readable in redis-cli: `user/42` is stored as `user/42`); every other
 * character is written as `%XX` for each byte of its UTF-8 form (`a:b/c` → `a%3Ab/c`).
 *
 * The encoding works character by character and each `%XX` token is self-delimiting, so
 * `k` starts with `p` exactly when `encodeKey(k)` starts with `encodeKey(p)`: a prefix search
 * is a SCAN for `encodeKey(prefix)*`, and the encoded text never needs glob escaping.
 */

/** A character that must be written as `%XX` (`u`: a surrogate pair is one character). */
const NEEDS_ESCAPE = /[^\x21-\x7e]|[%:{}*?[\]\\]/u;
const EACH_ESCAPE = new RegExp(NEEDS_ESCAPE.source, 'gu');
const HEX = Array.from({ length: 128 }, (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * Encodes a key. Throws `URIError` for a key holding an unpaired surrogate (it has no UTF-8
 * form, so it could not round-trip).
 */
export function encodeKey(key: string): string {
  if (!NEEDS_ESCAPE.test(key)) return key;
  // ASCII from the table; anything else is exactly encodeURIComponent's %XX per UTF-8 byte.
  return key.replace(EACH_ESCAPE, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x80 ? HEX[code]! : encodeURIComponent(char);
  });
}

/**
 * The key `encoded` was made from, or `undefined` when `encoded` is not the exact output of
 * `encodeKey` (a key some other writer put inside the namespace).
 */
export function decodeKey(encoded: string): string | undefined {
  if (encoded.length === 0) return undefined;
  if (!encoded.includes('%')) return NEEDS_ESCAPE.test(encoded) ? undefined : encoded;
  let key: string;
  try {
    key = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  // Only the canonical form decodes: `%41` or `%3a` would otherwise alias `A` and `%3A`.
  return encodeKey(key) === encoded ? key : undefined;
}

/** Unpaired UTF-16 surrogates have no UTF-8 form, so such a key could not round-trip. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export function isWellFormedKey(key: string): boolean {
  return !LONE_SURROGATE.test(key);
}
