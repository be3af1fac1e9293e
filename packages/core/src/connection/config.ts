import { ConnectionConfigError } from '../errors/connection-errors.js';
import type { CreateRedisOptions, NodeAddress } from './options.js';
import { redactUrl } from './redact.js';

export type RedisMode = 'standalone' | 'cluster' | 'sentinel';

interface Credentials {
  username?: string;
  password?: string;
  /** TLS requested (`rediss://`, `tls: true`, `COVINA_REDIS_TLS=1`). */
  tls: boolean;
}

type Target =
  | { mode: 'standalone'; host: string; port: number; db: number }
  | { mode: 'cluster'; nodes: NodeAddress[] }
  | {
      mode: 'sentinel';
      sentinels: NodeAddress[];
      sentinelName: string;
      sentinelPassword?: string;
      db: number;
    };

/** Where and how to connect, resolved from options and the environment. */
export type ResolvedRedisConfig = Target &
  Credentials & {
    /** Where the server came from: `options`, the environment variable's name, or `default`. */
    source: string;
    /** Human-readable target with the password redacted: safe for logs and errors. */
    endpoint: string;
    /** Every secret to redact from logs and error messages. */
    secrets: string[];
  };

type Env = Record<string, string | undefined>;

const fail = (field: string, problem: string, value?: string): never => {
  const shown = value === undefined ? undefined : redactUrl(value);
  throw new ConnectionConfigError(`${field} ${problem}${shown === undefined ? '' : `: ${shown}`}`, {
    context: shown === undefined ? { field } : { field, value: shown },
  });
};

function parsePort(value: string | number, field: string): number {
  const port = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(field, 'must be a port number (1-65535)', String(value));
  return port;
}

function parseDb(value: string | number, field: string): number {
  const db = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(db) || db < 0) fail(field, 'must be a database number (0 or more)', String(value));
  return db;
}

function parseFlag(value: string, field: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(normalized)) return false;
  return fail(field, 'must be true or false', value);
}

interface ParsedUrl extends Credentials, NodeAddress {
  db?: number;
}

/** Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(value: string, field = 'url'): ParsedUrl {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return fail(field, 'is not a valid URL', value);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    fail(field, 'must start with redis:// or rediss://', value);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) fail(field, 'has no host', value);
  const path = url.pathname.replace(/^\//, '');
  const parsed: ParsedUrl = {
    host,
    port: url.port ? parsePort(url.port, field) : 6379,
    tls: url.protocol === 'rediss:',
  };
  if (path) parsed.db = parseDb(path, `${field} (database path)`);
  if (url.username) parsed.username = decodeURIComponent(url.username);
  if (url.password) parsed.password = decodeURIComponent(url.password);
  return parsed;
}

/** `host:port`, `[ipv6]:port`, or a redis:// URL, as one cluster seed node. */
function parseNode(entry: string | NodeAddress, field: string): ParsedUrl {
  if (typeof entry !== 'string')
    return { host: entry.host, port: parsePort(entry.port, `${field}.port`), tls: false };
  const text = entry.trim();
  if (text.includes('://')) return parseRedisUrl(text, field);
  // `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; a bare IPv6 address must be bracketed.
  const match = /^(?:\[([^\]\s]+)\]|([^\s:[\]]+))(?::(\d+))?$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  if (!match || !host) return fail(field, 'must list host:port entries', text);
  return { host, port: match[3] ? parsePort(match[3], field) : 6379, tls: false };
}

function parseNodes(entries: ReadonlyArray<string | NodeAddress>, field: string): ParsedUrl[] {
  const split = entries.flatMap(
    (entry): Array<string | NodeAddress> =>
      typeof entry === 'string' ? entry.split(',').filter((part) => part.trim() !== '') : [entry],
  );
  const nodes = split.map((entry) => parseNode(entry, field));
  if (nodes.length === 0) fail(field, 'lists no node');
  return nodes;
}

const hostPort = ({ host, port }: NodeAddress) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

function describe(config: Target & Credentials): string {
  const scheme = config.tls ? 'rediss' : 'redis';
  const auth =
    config.username || config.password ? `${config.username ?? ''}${config.password ? ':***' : ''}@` : '';
  switch (config.mode) {
    case 'standalone':
      return `${scheme}://${auth}${hostPort(config)}/${config.db}`;
    case 'cluster':
      return `cluster ${scheme}://${auth}${config.nodes.map(hostPort).join(',')}`;
    case 'sentinel':
      return `sentinel ${scheme}://${auth}${config.sentinelName}@${config.sentinels.map(hostPort).join(',')}/${config.db}`;
  }
}

interface Requested extends Partial<Credentials> {
  host?: string;
  port?: number;
  db?: number;
  nodes?: ParsedUrl[];
  source: string;
}

/** What the environment asks for, when options name no server. */
function fromEnv(env: Env): Requested {
  const requested: Requested = { source: 'default' };
  if (env.COVINA_REDIS_USERNAME) requested.username = env.COVINA_REDIS_USERNAME;
  if (env.COVINA_REDIS_PASSWORD) requested.password = env.COVINA_REDIS_PASSWORD;
  if (env.COVINA_REDIS_DB?.trim()) requested.db = parseDb(env.COVINA_REDIS_DB, 'COVINA_REDIS_DB');
  if (env.COVINA_REDIS_TLS !== undefined) requested.tls = parseFlag(env.COVINA_REDIS_TLS, 'COVINA_REDIS_TLS');

  if (env.COVINA_REDIS_CLUSTER_NODES?.trim()) {
    requested.nodes = parseNodes([env.COVINA_REDIS_CLUSTER_NODES], 'COVINA_REDIS_CLUSTER_NODES');
    requested.source = 'COVINA_REDIS_CLUSTER_NODES';
  } else if (env.COVINA_REDIS_URL?.trim()) {
    const url = parseRedisUrl(env.COVINA_REDIS_URL, 'COVINA_REDIS_URL');
    // The URL's own parts win over the separate variables.
    Object.assign(requested, url, { tls: url.tls || requested.tls === true, source: 'COVINA_REDIS_URL' });
  } else {
    if (env.COVINA_REDIS_HOST?.trim()) requested.host = env.COVINA_REDIS_HOST.trim();
    if (env.COVINA_REDIS_PORT?.trim()) requested.port = parsePort(env.COVINA_REDIS_PORT, 'COVINA_REDIS_PORT');
    if (requested.host !== undefined || requested.port !== undefined) requested.source = 'COVINA_REDIS_HOST';
  }
  return requested;
}

function fromOptions(options: CreateRedisOptions): Requested {
  const requested: Requested = { source: 'options' };
  if (options.url !== undefined) Object.assign(requested, parseRedisUrl(options.url, 'options.url'));
  if (options.clusterNodes !== undefined)
    requested.nodes = parseNodes(options.clusterNodes, 'options.clusterNodes');
  return requested;
}

/**
 * Resolves where and how to connect. Explicit options win field by field; when they name no
 * server (`url`, `host`, `port`, `clusterNodes`, `sentinels`), the environment decides:
 * `COVINA_REDIS_CLUSTER_NODES` (comma list: a Cluster), else `COVINA_REDIS_URL`, else
 * `COVINA_REDIS_HOST` / `COVINA_REDIS_PORT`, with `COVINA_REDIS_USERNAME`, `COVINA_REDIS_PASSWORD`,
 * `COVINA_REDIS_DB` and `COVINA_REDIS_TLS` filling what a URL leaves out. Default `localhost:6379`.
 * Throws `ConnectionConfigError` naming the bad field (values redacted).
 */
export function resolveRedisConfig(
  options: CreateRedisOptions = {},
  env: Env = process.env,
): ResolvedRedisConfig {
  const named =
    options.url !== undefined ||
    options.host !== undefined ||
    options.port !== undefined ||
    options.clusterNodes !== undefined ||
    options.sentinels !== undefined;
  const requested = named ? fromOptions(options) : fromEnv(env);
  const { nodes } = requested;

  const credentials: Credentials = {
    tls:
      options.tls === undefined
        ? requested.tls === true || (nodes?.some((node) => node.tls) ?? false)
        : options.tls !== false,
  };
  const username = options.username ?? requested.username ?? nodes?.find((node) => node.username)?.username;
  const password = options.password ?? requested.password ?? nodes?.find((node) => node.password)?.password;
  if (username !== undefined) credentials.username = username;
  if (password !== undefined) credentials.password = password;
  const db = options.db === undefined ? (requested.db ?? 0) : parseDb(options.db, 'options.db');

  let target: Target;
  if (nodes) {
    if (db !== 0)
      fail(options.db === undefined ? 'COVINA_REDIS_DB' : 'options.db', 'is not supported by Redis Cluster');
    target = { mode: 'cluster', nodes: nodes.map(({ host, port }) => ({ host, port })) };
  } else if (options.sentinels !== undefined) {
    target = {
      mode: 'sentinel',
      sentinels: parseNodes(options.sentinels, 'options.sentinels').map(({ host, port }) => ({ host, port })),
      sentinelName: options.sentinelName ?? 'mymaster',
      db,
      ...(options.sentinelPassword === undefined ? {} : { sentinelPassword: options.sentinelPassword }),
    };
  } else {
    target = {
      mode: 'standalone',
      host: options.host ?? requested.host ?? 'localhost',
      port: options.port === undefined ? (requested.port ?? 6379) : parsePort(options.port, 'options.port'),
      db,
    };
  }
  const secrets = [
    credentials.password,
    target.mode === 'sentinel' ? target.sentinelPassword : undefined,
  ].filter((secret): secret is string => Boolean(secret));
  const resolved = { ...target, ...credentials };
  return { ...resolved, source: requested.source, endpoint: describe(resolved), secrets };
}
