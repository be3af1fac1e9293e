/** Characters with a meaning in Redis glob patterns (SCAN MATCH, PSUBSCRIBE). */
const GLOB_SPECIAL = /[*?[\]\\]/g;

/** Escapes a literal so it matches only itself inside a Redis glob pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(GLOB_SPECIAL, '\\$&');
}
