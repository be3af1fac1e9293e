import { createKeyRegistry, type KeyRegistry, type stateTemplates } from '@covina/cache-keys';
import type { Redis } from 'ioredis';
import { StateValidationError } from './errors.js';
import { decodeKey, encodeKey } from './key-codec.js';
import type { StateKeyRegistry } from './options.js';
import { type ScanBudget, scanNode } from './scan.js';
import { masterNodes, type RedisClient } from './topology.js';
import { messageOf } from './validate.js';

/** One page of a namespace scan: keys of one server, as Redis keys and user keys (same order). */
export interface Page {
  node: Redis;
  redisKeys: string[];
  keys: string[];
}

/**
 * The Redis keys of one namespace: user key ↔ Redis key (through the `stateEntry` template
 * and the percent-encoding of `key-codec.ts`), and SCANs over them.
 */
export class StateKeyspace {
  readonly #keys: KeyRegistry<typeof stateTemplates>;
  /** The namespace as it appears in keys. */
  readonly #ns: string;
  /** SCAN pattern of the whole namespace without its final `*`: append an encoded prefix. */
  readonly #patternHead: string;

  constructor(registry: StateKeyRegistry, namespace: string) {
    if (!registry.has('stateEntry')) {
      throw new StateValidationError(
        'options.keys',
        'lacks the "stateEntry" template (createKeyRegistry() registers it with the other defaults)',
      );
    }
    this.#keys = registry as unknown as KeyRegistry<typeof stateTemplates>;
    this.#ns = encodeKey(namespace);
    this.#patternHead = this.#keys.pattern('stateEntry', { namespace: this.#ns }).slice(0, -1);
  }

  /** The registry of `options.keys`, else a new one with `options.prefix`. */
  static registry(keys: StateKeyRegistry | undefined, prefix: string): StateKeyRegistry {
    if (keys) return keys;
    try {
      return createKeyRegistry({ prefix });
    } catch (error) {
      throw new StateValidationError(
        'options.prefix',
        `is not a valid key prefix: ${messageOf(error)}`,
        error,
      );
    }
  }

  /** The Redis key of a user key (a non-empty string); `field` names it in a validation error. */
  redisKey(key: string, field: string): string {
    let encoded: string;
    try {
      encoded = encodeKey(key);
    } catch {
      throw new StateValidationError(field, 'must be well-formed Unicode (it holds an unpaired surrogate)');
    }
    return this.#keys.format('stateEntry', { namespace: this.#ns, key: encoded });
  }

  /** The user key behind a Redis key of this namespace; `undefined` for any other key. */
  userKey(redisKey: string): string | undefined {
    // A glob `*` also matches `:`, so each scanned key is confirmed by the registry.
    const parsed = this.#keys.parse(redisKey);
    if (parsed?.name !== 'stateEntry' || parsed.params.namespace !== this.#ns) return undefined;
    return decodeKey(parsed.params.key);
  }

  /** SCAN pattern of the keys starting with `prefix` (the encoding leaves no glob characters). */
  pattern(prefix: string): string {
    return `${this.#patternHead}${encodeKey(prefix)}*`;
  }

  /** Pages of this namespace's keys starting with `prefix`, master by master; foreign keys skipped. */
  async *pages(redis: RedisClient, budget: ScanBudget, scanCount: number, prefix = ''): AsyncGenerator<Page> {
    const pattern = this.pattern(prefix);
    for (const node of await masterNodes(redis)) {
      for await (const found of scanNode(node, pattern, scanCount, budget)) {
        const page: Page = { node, redisKeys: [], keys: [] };
        for (const redisKey of found) {
          const key = this.userKey(redisKey);
          if (key === undefined) continue;
          page.redisKeys.push(redisKey);
          page.keys.push(key);
        }
        if (page.keys.length > 0) yield page;
      }
    }
  }
}

/** What the multi-key operations (checkpoint, restore, memory usage) need of a store. */
export interface StateScope {
  readonly redis: RedisClient;
  readonly keyspace: StateKeyspace;
  readonly namespace: string;
  /** Keys per round trip. */
  readonly batchSize: number;
  /** SCAN COUNT hint. */
  readonly scanCount: number;
}
