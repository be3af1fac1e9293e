import type { Cluster, Command, Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors/connection-errors.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { type MapContext, outcomeOf, toConnectionError } from './command-errors.js';

type SendCommand = (command: Command, stream?: unknown, node?: unknown) => unknown;

export interface GuardOptions {
  breaker?: CircuitBreaker;
  /** 0 disables; never applied to blocking commands. */
  commandTimeoutMs: number;
  /** Redacted target, for error messages. */
  endpoint: string;
  /** ACL user, for authentication errors. */
  username?: string;
  redact: (text: string) => string;
  /** Sees every connection failure (for logs and status). */
  onUnreachable?: (error: unknown) => void;
}

// Connection upkeep ioredis sends on its own (handshake, resubscribe after a reconnect, quit):
// never refused by the breaker, or a recovering client could not finish reconnecting.
const UPKEEP = new Set([
  'auth',
  'hello',
  'select',
  'client',
  'readonly',
  'quit',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

// They wait as long as they asked to (ioredis's BLOCKING_COMMANDS, plus WAIT/WAITAOF).
const BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'blmpop',
  'xread',
  'xreadgroup',
  'wait',
  'waitaof',
]);

/** Commands the breaker's own probe sends: always admitted while half-open. */
export const probeCommands = new WeakSet<Command>();

/** Marks a command the guard has seen: ioredis resends some (offline queue, reconnect). */
const GUARDED = Symbol('covina.guarded');
type GuardedCommand = Command & { [GUARDED]?: true };

/**
 * Wraps a client's `sendCommand` (the one door every command, pipeline and script goes through):
 * a command timeout for non-blocking commands, typed delivery errors, and the circuit breaker,
 * which refuses commands while open and learns from every outcome.
 */
export function installGuard(client: Redis | Cluster, options: GuardOptions): void {
  const { breaker, commandTimeoutMs, endpoint, onUnreachable } = options;
  const target = client as unknown as { sendCommand: SendCommand; status: string };
  const send = target.sendCommand;
  const mapContext: Omit<MapContext, 'command'> = {
    endpoint,
    commandTimeoutMs,
    redact: options.redact,
    ...(options.username ? { username: options.username } : {}),
  };
  const nameOf = (command: Command) => {
    const { name } = command;
    return name.charCodeAt(0) < 97 ? name.toLowerCase() : name;
  };
  // A pipeline must be sent whole: its first command decides for the rest.
  const pipelineVerdicts = new WeakMap<object, boolean>();

  const refuse = (command: Command, name: string, state: string) => {
    breaker?.noteRejected();
    const retryInMs = breaker?.retryInMs() ?? 0;
    command.reject(
      new RedisUnavailableError(
        `Redis at ${endpoint} is unavailable: circuit ${state}, failing fast` +
          (state === 'open' ? ` (next probe in ${retryInMs} ms)` : ' (probe in flight)'),
        {
          context: {
            endpoint,
            reason: state === 'open' ? 'circuit-open' : 'circuit-half-open',
            command: name,
            retryInMs,
          },
        },
      ),
    );
    return command.promise;
  };

  target.sendCommand = function guardedSendCommand(
    this: unknown,
    command: Command,
    stream?: unknown,
    node?: unknown,
  ) {
    const guarded = command as GuardedCommand;
    if (guarded[GUARDED]) return send.call(this, command, stream, node);
    guarded[GUARDED] = true;
    const name = nameOf(command);

    if (breaker && !UPKEEP.has(name) && target.status !== 'connect') {
      const isPipeline = typeof stream === 'object' && stream !== null && 'isPipeline' in stream;
      let admitted = isPipeline ? pipelineVerdicts.get(stream) : undefined;
      if (admitted === undefined) {
        admitted = breaker.allows() || probeCommands.has(command);
        if (isPipeline) pipelineVerdicts.set(stream as object, admitted);
      }
      if (!admitted) return refuse(command, name, breaker.state);
    }

    // ioredis's own per-command timer (cleared when the command settles): measured cheaper than
    // tracking commands in shared sets, which keeps them alive into the old generation.
    if (commandTimeoutMs > 0 && !BLOCKING.has(name)) command.setTimeout(commandTimeoutMs);
    const resolve = command.resolve;
    const reject = command.reject;
    command.resolve = (value: unknown) => {
      breaker?.recordSuccess();
      resolve(value);
    };
    command.reject = (error: Error) => {
      const mapped = toConnectionError(error, { ...mapContext, command: name });
      const outcome = outcomeOf(mapped);
      if (outcome === 'healthy') breaker?.recordSuccess();
      else if (outcome === 'unreachable') {
        breaker?.recordFailure();
        onUnreachable?.(mapped);
      }
      reject(mapped as Error);
    };
    return send.call(this, command, stream, node);
  };
}
