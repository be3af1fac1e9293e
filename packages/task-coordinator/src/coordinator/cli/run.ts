import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, PipelineStore, type RedisClient } from '@covina/core';
import { Coordinator } from '../coordinator.js';
import { type CliArgs, intFlag, parseCli, USAGE, UsageError } from './args.js';
import { renderClusterStats, renderDeadLetters, renderWorkers } from './render.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Ends `monitor` (Ctrl-C). */
  signal?: AbortSignal;
}

/** Runs the `covina-coordinator` command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [name, ...rest] = args.positionals;
  if (args.values.help || name === undefined || name === 'help') {
    (args.values.help || name === 'help' ? io.stdout : io.stderr).write(USAGE);
    return args.values.help || name === 'help' ? 0 : 2;
  }
  let redis: RedisClient | undefined;
  let coordinator: Coordinator | undefined;
  try {
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`Unknown command "${name}"`);
    // Every mistake in the command line is reported before anything connects.
    const run = command(args, rest);
    redis = connect(args, io.env);
    const store = new PipelineStore({ redis, pipeline: args.values.pipeline, prefix: args.values.prefix });
    coordinator = new Coordinator({ store, prefix: args.values.prefix });
    await run(coordinator, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    const { code, message } = error as { code?: string; message?: string };
    io.stderr.write(`covina-coordinator: ${code ? `${code} ` : ''}${message ?? String(error)}\n`);
    return 1;
  } finally {
    await coordinator?.close().catch(() => {});
    await redis?.quit().catch(() => redis?.disconnect());
  }
}

/** `--redis-url`, else the COVINA_REDIS_* environment; never a server picked by accident. */
function connect(args: CliArgs, env: NodeJS.ProcessEnv): RedisClient {
  const url = args.values['redis-url'];
  if (url) return createRedis({ url, env, connectionName: 'covina-coordinator' });
  if (env.COVINA_REDIS_URL || env.COVINA_REDIS_HOST || env.COVINA_REDIS_CLUSTER_NODES) {
    return createRedis({ env, connectionName: 'covina-coordinator' });
  }
  throw new UsageError('No Redis named: set COVINA_REDIS_URL (or pass --redis-url)');
}

/** Checks a command's arguments (throwing `UsageError`), then returns what runs it. */
type Command = (args: CliArgs, rest: string[]) => (coordinator: Coordinator, io: CliIo) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  monitor(args, rest) {
    noArguments(rest);
    const intervalMs = intFlag('interval', args.values.interval, 100)!;
    return async (coordinator, io) => {
      const show = async () => {
        const stats = await coordinator.getClusterStats();
        return args.values.json ? JSON.stringify(stats) : renderClusterStats(stats);
      };
      if (args.values.once) {
        io.stdout.write(`${await show()}\n`);
        return;
      }
      const clear = io.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
      while (!io.signal?.aborted) {
        const screen = await show();
        io.stdout.write(`${clear}${screen}\n${clear ? '\n(Ctrl-C to stop)\n' : '\n'}`);
        await sleep(intervalMs, undefined, { signal: io.signal }).catch(() => {});
      }
    };
  },

  submit(args, rest) {
    noArguments(rest);
    const v = args.values;
    const taskType = v['task-type'];
    if (!taskType) throw new UsageError('submit needs --task-type');
    let taskData: unknown;
    if (v['task-data'] !== undefined) {
      try {
        taskData = JSON.parse(v['task-data']);
      } catch (error) {
        throw new UsageError(`--task-data is not valid JSON: ${(error as Error).message}`);
      }
    }
    const input = {
      taskType,
      ...(taskData === undefined ? {} : { taskData }),
      ...(v['worker-type'] ? { workerType: v['worker-type'] } : {}),
      ...(v['file-id'] ? { fileId: v['file-id'] } : {}),
      ...(v['batch-id'] ? { batchId: v['batch-id'] } : {}),
      ...(v['idempotency-key'] ? { idempotencyKey: v['idempotency-key'] } : {}),
      ...optional('priority', intFlag('priority', v.priority, Number.MIN_SAFE_INTEGER)),
      ...optional('delayMs', intFlag('delay-ms', v['delay-ms'], 0)),
      ...optional('maxAttempts', intFlag('max-attempts', v['max-attempts'], 1)),
    };
    return async (coordinator, io) => {
      io.stdout.write(`${await coordinator.submitTask(input)}\n`);
    };
  },

  workers(args, rest) {
    noArguments(rest);
    return async (coordinator, io) => {
      const workers = await coordinator.listWorkers();
      io.stdout.write(`${args.values.json ? JSON.stringify(workers) : renderWorkers(workers)}\n`);
    };
  },

  dlq(args, rest) {
    const [action = 'list', taskId, ...extra] = rest;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
    if (action === 'list') {
      noArguments(taskId === undefined ? [] : [taskId]);
      const limit = intFlag('limit', args.values.limit, 1)!;
      return async (coordinator, io) => {
        const page = await coordinator.listDeadLetters({ limit });
        io.stdout.write(`${args.values.json ? JSON.stringify(page) : renderDeadLetters(page.tasks)}\n`);
        if (!args.values.json && page.cursor !== null) io.stdout.write('(more: raise --limit)\n');
      };
    }
    if (action === 'retry') {
      if (!taskId) throw new UsageError('dlq retry needs a task id');
      return async (coordinator, io) => {
        const { revived } = await coordinator.retryDeadLetter(taskId);
        io.stdout.write(
          `retried ${taskId} (${revived} cancelled descendant${revived === 1 ? '' : 's'} revived)\n`,
        );
      };
    }
    if (action === 'purge') {
      noArguments(taskId === undefined ? [] : [taskId]);
      return async (coordinator, io) => {
        const { purged } = await coordinator.purgeDeadLetters();
        io.stdout.write(`purged ${purged} dead letter${purged === 1 ? '' : 's'}\n`);
      };
    }
    throw new UsageError(`Unknown dlq action "${action}" (list, retry, purge)`);
  },
};

function noArguments(rest: readonly string[]): void {
  if (rest.length > 0) throw new UsageError(`Unexpected arguments: ${rest.join(' ')}`);
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
