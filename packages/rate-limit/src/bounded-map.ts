/**
 * A Map of at most `maxKeys` entries, kept in the order they were last set: setting a key makes
 * it the newest, and past the bound the oldest is dropped. For what this process remembers per
 * subject, which clients must not be able to grow without bound.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #maxKeys: number;

  constructor(maxKeys: number) {
    super();
    this.#maxKeys = maxKeys;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.#maxKeys) super.delete(this.keys().next().value as K);
    return this;
  }
}
