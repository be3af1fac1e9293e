/**
 * The part of a key Redis Cluster hashes: the text of the first non-empty `{…}`, else the
 * whole key. Keys with equal tags share a slot, so checks on them may share one script call.
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
