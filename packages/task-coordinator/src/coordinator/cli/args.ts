import { parseArgs } from 'node:util';

export const USAGE = `Usage: covina-coordinator [options] <command>

Commands:
  monitor [--once] [--interval ms]    live view of workers and tasks (Ctrl-C stops); --once prints it once
  submit --task-type <type> [--task-data <json>] [--worker-type <type>] [--priority <n>]
         [--file-id <id>] [--batch-id <id>] [--delay-ms <ms>] [--max-attempts <n>]
         [--idempotency-key <key>]    adds a task, prints its id
  workers                             the pipeline's workers (alive, dead, recently recovered)
  dlq [list] [--limit <n>]            tasks failed for good, with their last error
  dlq retry <task-id>                 runs a dead letter again (and what its failure cancelled)
  dlq purge                           empties the dead-letter queue (tasks become cancelled)

Options:
  --pipeline <name>    pipeline to work on (default: default)
  --prefix <prefix>    key prefix (default: covina)
  --redis-url <url>    Redis to use (default: COVINA_REDIS_URL; COVINA_REDIS_CLUSTER_NODES for a cluster)
  --json               machine-readable output (workers, dlq list, monitor --once)
  -h, --help           this help
`;

/** A mistake in the command line: the message, then the usage, exit code 2. */
export class UsageError extends Error {}

const OPTIONS = {
  pipeline: { type: 'string', default: 'default' },
  prefix: { type: 'string', default: 'covina' },
  'redis-url': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  once: { type: 'boolean', default: false },
  interval: { type: 'string', default: '2000' },
  'task-type': { type: 'string' },
  'task-data': { type: 'string' },
  'worker-type': { type: 'string' },
  priority: { type: 'string' },
  'file-id': { type: 'string' },
  'batch-id': { type: 'string' },
  'delay-ms': { type: 'string' },
  'max-attempts': { type: 'string' },
  'idempotency-key': { type: 'string' },
  limit: { type: 'string', default: '50' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}

export interface CliArgs {
  values: CliValues;
  positionals: string[];
}

export function parseCli(argv: readonly string[]): CliArgs {
  try {
    const { values, positionals } = parse(argv);
    return { values, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** An integer flag, or undefined when absent. */
export function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}
