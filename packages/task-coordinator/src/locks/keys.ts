import { type coordinationTemplates, createKeyRegistry, type KeyRegistry } from '@covina/cache-keys';
import { InvalidOptionError } from './errors.js';

/**
 * What the coordination code needs of a key registry: any `KeyRegistry` that knows the
 * coordination templates (every registry made by `createKeyRegistry()` does).
 */
export type CoordinationKeys = Pick<KeyRegistry<typeof coordinationTemplates>, 'prefix' | 'format'> & {
  has(name: string): boolean;
};

/** The registry to use: the caller's, checked to know our templates, or a default one. */
export function resolveKeys(
  keys: CoordinationKeys | undefined,
  prefix: string | undefined,
): CoordinationKeys {
  if (keys === undefined) return createKeyRegistry(prefix === undefined ? {} : { prefix });
  for (const name of ['lock', 'lockFence', 'lockReleased', 'workers'] as const) {
    if (!keys.has(name)) {
      throw new InvalidOptionError(
        `Option "keys": the key registry has no "${name}" template; create it with the default templates ` +
          '(createKeyRegistry()) or register coordinationTemplates',
        { context: { option: 'keys', expected: 'a KeyRegistry with coordinationTemplates' } },
      );
    }
  }
  return keys;
}

/** Every key and the channel of one lock name. */
export interface LockKeySet {
  readonly lock: string;
  readonly fence: string;
  readonly channel: string;
  readonly permits: string;
  readonly readers: string;
  readonly writer: string;
  readonly writersWaiting: string;
}

export function lockKeySet(keys: CoordinationKeys, name: string): LockKeySet {
  return {
    lock: keys.format('lock', { name }),
    fence: keys.format('lockFence', { name }),
    channel: keys.format('lockReleased', { name }),
    permits: keys.format('lockPermits', { name }),
    readers: keys.format('lockReaders', { name }),
    writer: keys.format('lockWriter', { name }),
    writersWaiting: keys.format('lockWritersWaiting', { name }),
  };
}
