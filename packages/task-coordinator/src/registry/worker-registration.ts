import { WorkerEvictedError } from './errors.js';
import type { RegistryKeys } from './keys.js';
import { RegistryReply, type RegistryScripts } from './scripts.js';
import type { WorkerDescription } from './worker-record.js';

/** A worker session registered by `registerWorker`: it heartbeats until closed or evicted. */
export interface WorkerRegistration extends AsyncDisposable {
  readonly id: string;
  readonly namespace: string;
  readonly description: WorkerDescription;
  /** Registration time, epoch ms by the Redis server's clock. */
  readonly registeredAt: number;
  /**
   * Aborts with `WorkerEvictedError` when a heartbeat finds the session declared dead (its tasks
   * may run elsewhere now): stop work in progress. Not aborted by `close()`.
   */
  readonly signal: AbortSignal;
  /** Registered and not evicted, as far as the last heartbeat knows. */
  readonly active: boolean;
  /** Status sent with every following heartbeat (e.g. `{ running: 3 }`), shown by `listWorkers`. */
  setStatus(status: Record<string, unknown>): void;
  /**
   * Sends a heartbeat now (they are sent every `heartbeatMs` anyway).
   * @throws WorkerEvictedError when the session was declared dead
   */
  heartbeat(): Promise<void>;
  /** Stops heartbeating and deregisters (no recovery runs for a clean exit). Safe to call twice. */
  close(): Promise<void>;
}

export interface RegistrationParts {
  scripts: RegistryScripts;
  keys: RegistryKeys;
  namespace: string;
  description: WorkerDescription;
  session: string;
  registeredAt: number;
  status: string;
  onError: (error: unknown) => void;
  onClosed: (registration: ActiveRegistration) => void;
}

/** The heartbeat loop of one worker session. */
export class ActiveRegistration implements WorkerRegistration {
  readonly id: string;
  readonly namespace: string;
  readonly description: WorkerDescription;
  readonly registeredAt: number;
  readonly #parts: RegistrationParts;
  readonly #controller = new AbortController();
  #status: string;
  #state: 'active' | 'evicted' | 'closed' = 'active';
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(parts: RegistrationParts) {
    this.#parts = parts;
    this.id = parts.description.id;
    this.namespace = parts.namespace;
    this.description = parts.description;
    this.registeredAt = parts.registeredAt;
    this.#status = parts.status;
    this.#schedule();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get active(): boolean {
    return this.#state === 'active';
  }

  setStatus(status: Record<string, unknown>): void {
    this.#status = JSON.stringify(status);
  }

  async heartbeat(): Promise<void> {
    if (this.#state === 'evicted') throw this.#controller.signal.reason;
    if (this.#state === 'closed') return;
    // One heartbeat at a time: a slow Redis must not pile them up.
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined;
    });
    await this.#beating;
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  async close(): Promise<void> {
    if (this.#state !== 'active') {
      this.#stop();
      return;
    }
    this.#state = 'closed';
    this.#stop();
    this.#parts.onClosed(this);
    const { scripts, keys } = this.#parts;
    await scripts.run(
      'workerDeregister',
      [keys.live, keys.info, keys.state, keys.status],
      [this.id, this.#parts.session],
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #beat(): Promise<void> {
    const { scripts, keys, session } = this.#parts;
    const reply = await scripts.run(
      'workerHeartbeat',
      [keys.live, keys.state, keys.status],
      [this.id, session, this.#status],
    );
    if (Number(reply) === RegistryReply.Refused && this.#state === 'active') this.#evict();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.heartbeat()
        .catch((error: unknown) => {
          if (!(error instanceof WorkerEvictedError)) this.#parts.onError(error);
        })
        .finally(() => {
          if (this.#state === 'active') this.#schedule();
        });
    }, this.description.heartbeatMs);
    // A registration alone never keeps the process alive.
    this.#timer.unref();
  }

  #evict(): void {
    this.#state = 'evicted';
    this.#stop();
    this.#parts.onClosed(this);
    this.#controller.abort(
      new WorkerEvictedError(
        `Worker "${this.id}" (namespace "${this.namespace}") was declared dead or removed; ` +
          'its tasks may run elsewhere: stop its work and register again',
        { context: { workerId: this.id, namespace: this.namespace } },
      ),
    );
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
