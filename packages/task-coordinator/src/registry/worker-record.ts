/** How a worker describes itself when it registers (stored as given). */
export interface WorkerDescription {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly workerTypes: readonly string[];
  readonly concurrency: number;
  readonly version: string;
  /** Its heartbeat period, ms. */
  readonly heartbeatMs: number;
  /** Silence after which it counts as dead, ms. */
  readonly deadAfterMs: number;
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * `none`: alive; `pending`: dead, no sweeper has claimed it yet; `in-progress`: a sweeper is
 * recovering its tasks; `done`: recovered (listed until the retention ends).
 */
export type WorkerRecovery = 'none' | 'pending' | 'in-progress' | 'done';

/** A worker as `listWorkers()` reports it. Times are epoch ms by the Redis server's clock. */
export interface WorkerRecord extends WorkerDescription {
  readonly state: 'alive' | 'dead';
  readonly recovery: WorkerRecovery;
  readonly registeredAt: number;
  readonly lastHeartbeatAt: number;
  /** Time since the last heartbeat, by the server's clock. */
  readonly lastHeartbeatAgeMs: number;
  /** Whole heartbeat periods gone by without a heartbeat. */
  readonly missedHeartbeats: number;
  /** When it was declared dead (its deadline), if it is dead. */
  readonly diedAt: number | undefined;
  readonly recoveredAt: number | undefined;
  /** How many times a sweeper claimed it for recovery (more than 1: an attempt failed). */
  readonly recoveryAttempts: number;
  /** The status it sent with its latest heartbeat (`setStatus`), if any. */
  readonly status: Readonly<Record<string, unknown>> | undefined;
}

/** Server-side state written by the scripts. */
interface ServerState {
  registeredAt?: number;
  lastHeartbeatAt?: number;
  deadAfterMs?: number;
  diedAt?: number;
  recoveredAt?: number;
  recoveryAttempts?: number;
}

function parseJson<T>(raw: string | undefined): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function description(id: string, raw: string | undefined): WorkerDescription {
  const d = parseJson<Partial<WorkerDescription>>(raw) ?? {};
  return {
    id,
    host: d.host ?? '',
    pid: d.pid ?? 0,
    workerTypes: Array.isArray(d.workerTypes) ? d.workerTypes : [],
    concurrency: d.concurrency ?? 0,
    version: d.version ?? '',
    heartbeatMs: d.heartbeatMs ?? 0,
    deadAfterMs: d.deadAfterMs ?? 0,
    meta: d.meta ?? {},
  };
}

export interface RecordInput {
  id: string;
  now: number;
  info: string | undefined;
  state: string | undefined;
  status: string | undefined;
  /** Heartbeat deadline, when the worker is in the live set. */
  deadline: number | undefined;
  recovery: 'none' | 'in-progress' | 'done';
}

export function toWorkerRecord(input: RecordInput): WorkerRecord {
  const d = description(input.id, input.info);
  const s = parseJson<ServerState>(input.state) ?? {};
  const deadAfterMs = s.deadAfterMs ?? d.deadAfterMs;
  const lastHeartbeatAt =
    input.deadline !== undefined ? input.deadline - deadAfterMs : (s.lastHeartbeatAt ?? s.registeredAt ?? 0);
  const overdue = input.deadline !== undefined && input.deadline < input.now;
  const alive = input.recovery === 'none' && !overdue;
  const age = Math.max(0, input.now - lastHeartbeatAt);
  return {
    ...d,
    state: alive ? 'alive' : 'dead',
    recovery: alive ? 'none' : input.recovery === 'none' ? 'pending' : input.recovery,
    registeredAt: s.registeredAt ?? 0,
    lastHeartbeatAt,
    lastHeartbeatAgeMs: age,
    missedHeartbeats: d.heartbeatMs > 0 ? Math.floor(age / d.heartbeatMs) : 0,
    diedAt: alive ? undefined : (s.diedAt ?? input.deadline),
    recoveredAt: s.recoveredAt,
    recoveryAttempts: s.recoveryAttempts ?? 0,
    status: parseJson<Record<string, unknown>>(input.status),
  };
}

/** Flat `[k1, v1, k2, v2…]` (HGETALL, ZRANGE WITHSCORES) as a Map. */
export function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!);
  return map;
}

/** Reads the `workerList` script's reply into records, live workers first, then by id. */
export function parseSnapshot(reply: unknown): WorkerRecord[] {
  const [nowRaw, liveFlat, infoFlat, stateFlat, statusFlat, recoveringFlat, deadFlat] = reply as [
    number,
    ...string[][],
  ];
  const now = Number(nowRaw);
  const live = pairs(liveFlat ?? []);
  const info = pairs(infoFlat ?? []);
  const state = pairs(stateFlat ?? []);
  const status = pairs(statusFlat ?? []);
  const recovering = pairs(recoveringFlat ?? []);
  const dead = pairs(deadFlat ?? []);
  const ids = new Set([...live.keys(), ...recovering.keys(), ...dead.keys()]);
  const records = [...ids].map((id) => {
    const deadline = live.get(id);
    return toWorkerRecord({
      id,
      now,
      info: info.get(id),
      state: state.get(id),
      status: status.get(id),
      deadline: deadline === undefined ? undefined : Number(deadline),
      recovery: recovering.has(id) ? 'in-progress' : dead.has(id) ? 'done' : 'none',
    });
  });
  return records.sort((a, b) =>
    a.state === b.state ? a.id.localeCompare(b.id) : a.state === 'alive' ? -1 : 1,
  );
}
