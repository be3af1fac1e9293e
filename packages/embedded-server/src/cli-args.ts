import { parseArgs } from 'node:util';
import type { StartClusterOptions } from './cluster/options.js';
import type { MaxmemoryPolicy, StartRedisOptions } from './options.js';

export const USAGE = `Usage: covina-redis [options] [-- redis-server args…]

Runs a real redis-server in the foreground, prints its URL on stdout, and stops it on Ctrl-C or
SIGTERM. Ephemeral unless --persistent is given.

Options:
  --port <n>              port (default: a free one; not with --cluster)
  --bind <addr>           address to listen on (default 127.0.0.1)
  --persistent <dir>      keep data in <dir> (AOF everysec + RDB); survives restarts
  --cluster <masters>     start a local Redis Cluster with this many masters
  --replicas <n>          replicas per master, with --cluster (default 0)
  --maxmemory <size>      e.g. 256mb
  --maxmemory-policy <p>  e.g. allkeys-lru
  --binary <path>         redis-server to run (default: COVINA_REDIS_SERVER_BIN, PATH, redis-memory-server)
  --password <pw>         require a password; prefer COVINA_REDIS_PASSWORD (flags show in \`ps\`)
  -q, --quiet             no log lines on stderr
  -h, --help              this help
  -v, --version           print the version

Prints one URL per line (cluster: masters first), without the password.`;

/** Bad command-line input: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'standalone'; quiet: boolean; passwordFromFlag: boolean; options: StartRedisOptions }
  | { kind: 'cluster'; quiet: boolean; passwordFromFlag: boolean; options: StartClusterOptions };

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

/** Turns argv (without node and the script) and the environment into what to start. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals, tokens } = parsed;
  const terminator = tokens.find((t) => t.kind === 'option-terminator');
  const stray = tokens.find((t) => t.kind === 'positional' && (!terminator || t.index < terminator.index));
  if (stray && stray.kind === 'positional') {
    throw new UsageError(`unexpected argument "${stray.value}" (put redis-server arguments after --)`);
  }
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };

  const password = v.password ?? (env.COVINA_REDIS_PASSWORD || undefined);
  const common = {
    ...(v.bind ? { bind: v.bind } : {}),
    ...(password ? { password } : {}),
    ...(v.persistent ? { persistent: v.persistent } : {}),
    ...(v.maxmemory ? { maxmemory: v.maxmemory } : {}),
    ...(v['maxmemory-policy'] ? { maxmemoryPolicy: v['maxmemory-policy'] as MaxmemoryPolicy } : {}),
    ...(v.binary ? { binary: v.binary } : {}),
    ...(positionals.length ? { args: positionals } : {}),
  };
  const flags = { quiet: v.quiet === true, passwordFromFlag: v.password !== undefined };
  const masters = integer('cluster', v.cluster);
  const replicas = integer('replicas', v.replicas);
  const port = integer('port', v.port);
  if (masters !== undefined) {
    if (port !== undefined)
      throw new UsageError('--port cannot be used with --cluster (each node gets a free port)');
    return {
      kind: 'cluster',
      ...flags,
      options: { ...common, masters, ...(replicas !== undefined ? { replicasPerMaster: replicas } : {}) },
    };
  }
  if (replicas !== undefined) throw new UsageError('--replicas needs --cluster');
  return { kind: 'standalone', ...flags, options: { ...common, ...(port !== undefined ? { port } : {}) } };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      port: { type: 'string' },
      bind: { type: 'string' },
      persistent: { type: 'string' },
      cluster: { type: 'string' },
      replicas: { type: 'string' },
      maxmemory: { type: 'string' },
      'maxmemory-policy': { type: 'string' },
      binary: { type: 'string' },
      password: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
