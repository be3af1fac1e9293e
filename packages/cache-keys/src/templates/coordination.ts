/**
 * Keys of `@covina/task-coordinator`: distributed locks and the worker registry.
 *
 * Every key one Lua script touches shares one Redis Cluster hash slot: a lock's keys are tagged
 * with its name (`lock:{name}:…`), a worker registry's keys with its namespace, which is usually
 * the pipeline (`{docs}:workers…`, the slot of that pipeline's tasks) or `global`.
 */
export const coordinationTemplates = {
  /** Mutex: the current owner's token, expiring with its lease. */
  lock: 'lock:{{name}}',
  /** Fencing counter shared by every lock kind of one name (INCR; never expires). */
  lockFence: 'lock:{{name}}:fence',
  /** Pub/sub channel: a holder of this name released it, waiters retry now. */
  lockReleased: 'lock:{{name}}:released',
  /** Semaphore permits: sorted set, permit token → lease expiry (ms). */
  lockPermits: 'lock:{{name}}:permits',
  /** Read-write lock readers: sorted set, reader token → lease expiry (ms). */
  lockReaders: 'lock:{{name}}:readers',
  /** Read-write lock writer: the writer's token, expiring with its lease. */
  lockWriter: 'lock:{{name}}:writer',
  /** Read-write lock writers waiting: sorted set, writer token → intent expiry (ms); blocks new readers. */
  lockWritersWaiting: 'lock:{{name}}:writers-waiting',
  /** Highest fencing token a protected resource accepted (`checkFence`). */
  lockFenceSeen: 'lock:{{resource}}:fence-seen',

  /** Live workers: sorted set, worker id → heartbeat deadline (ms). */
  workers: '{{namespace}}:workers',
  /** Worker descriptions: hash, worker id → JSON (host, pid, worker types, …). */
  workersInfo: '{{namespace}}:workers:info',
  /** Worker server-side state: hash, worker id → JSON (session, registration, death, recovery). */
  workersState: '{{namespace}}:workers:state',
  /** Worker statuses: hash, worker id → JSON status sent with the latest heartbeat. */
  workersStatus: '{{namespace}}:workers:status',
  /** Dead workers whose recovery is in progress: sorted set, worker id → claim expiry (ms). */
  workersRecovering: '{{namespace}}:workers:recovering',
  /** Dead workers already recovered, kept for a while: sorted set, worker id → recovery time (ms). */
  workersDead: '{{namespace}}:workers:dead',
} as const;
