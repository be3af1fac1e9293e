import type { Stored } from './codec.js';
import type { RedisGate } from './redis-gate.js';

interface PendingRead {
  key: string;
  resolve: (stored: Stored | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces single-key reads (DataLoader-style). The first read of a turn goes out at once as
 * a GET, so a lone caller waits for nothing; reads issued while that turn's promise callbacks
 * run are collected and sent together as one MGET on the next tick. Under concurrent load, 64
 * lookups cost two commands instead of 64. On a Cluster the keys of one MGET must share a slot,
 * so reads go one by one. `binary` reads Buffers (`getBuffer` / `mgetBuffer`).
 */
export class ReadBatcher {
  #pending: PendingRead[] = [];
  /** A GET went out this turn: later reads wait for the batch. */
  #turnStarted = false;
  readonly #flush = () => {
    this.#turnStarted = false;
    if (this.#pending.length > 0) this.#send(this.#take());
  };
  readonly #get: (key: string) => (redis: RedisGate['redis']) => Promise<Stored | null>;
  readonly #mget: (keys: string[]) => (redis: RedisGate['redis']) => Promise<Array<Stored | null>>;

  constructor(
    private readonly gate: RedisGate,
    private readonly maxBatch: number,
    binary = false,
  ) {
    this.#get = binary ? (key) => (r) => r.getBuffer(key) : (key) => (r) => r.get(key);
    this.#mget = binary ? (keys) => (r) => r.mgetBuffer(keys) : (keys) => (r) => r.mget(keys);
  }

  get(key: string): Promise<Stored | null> {
    return new Promise((resolve, reject) => this.read(key, resolve, reject));
  }

  /**
   * `get()` with callbacks (exactly one is called, once): the hit path settles its caller's
   * promise from here without another promise in between.
   */
  read(key: string, resolve: (stored: Stored | null) => void, reject: (error: unknown) => void): void {
    if (this.gate.redis.isCluster) {
      this.gate.call('get', this.#get(key), resolve, reject);
      return;
    }
    if (!this.#turnStarted) {
      this.#turnStarted = true;
      // nextTick runs once the current microtasks drained: it closes this turn.
      process.nextTick(this.#flush);
      this.gate.call('get', this.#get(key), resolve, reject);
      return;
    }
    this.#pending.push({ key, resolve, reject });
    if (this.#pending.length >= this.maxBatch) this.#send(this.#take());
  }

  #take(): PendingRead[] {
    const batch = this.#pending;
    this.#pending = [];
    return batch;
  }

  #send(batch: PendingRead[]): void {
    if (batch.length === 1) {
      const only = batch[0]!;
      this.gate.call('get', this.#get(only.key), only.resolve, only.reject);
      return;
    }
    this.gate.call(
      'get',
      this.#mget(batch.map((p) => p.key)),
      (values) => {
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(values[i] ?? null);
      },
      (error) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
