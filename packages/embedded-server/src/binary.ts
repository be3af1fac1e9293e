import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { RedisBinaryNotFoundError } from './errors.js';

const run = promisify(execFile);

/** Where the binary came from, in the order they are tried. */
export type BinarySource = 'option' | 'env' | 'path' | 'redis-memory-server';

export interface ResolvedBinary {
  path: string;
  source: BinarySource;
  /** e.g. "7.0.15" */
  version: string;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

interface RedisMemoryServerModule {
  RedisBinary?: { getPath(opts?: object): Promise<string> };
  default?: { RedisBinary?: { getPath(opts?: object): Promise<string> } };
}

/**
 * redis-memory-server is an optional peer: imported only when nothing else is installed, from
 * this package's location first, then from the working directory (the user's project).
 */
async function importRedisMemoryServer(): Promise<RedisMemoryServerModule | undefined> {
  const name = 'redis-memory-server';
  try {
    return (await import(name)) as RedisMemoryServerModule;
  } catch {
    try {
      const resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(name);
      return (await import(pathToFileURL(resolved).href)) as RedisMemoryServerModule;
    } catch {
      return undefined;
    }
  }
}

async function fromRedisMemoryServer(): Promise<string | undefined> {
  const mod = await importRedisMemoryServer();
  const binary = mod?.RedisBinary ?? mod?.default?.RedisBinary;
  // May download and build Redis on first use: that is redis-memory-server's job and cache.
  return binary ? await binary.getPath() : undefined;
}

/** Runs `redis-server --version`: "Redis server v=7.0.15 sha=…" → "7.0.15". */
export async function binaryVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['--version'], { timeout: 5_000 });
  return /v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
}

const cache = new Map<string, Promise<ResolvedBinary>>();

/**
 * Finds redis-server: `explicit`, then COVINA_REDIS_SERVER_BIN, then `redis-server` on the PATH,
 * then the binary redis-memory-server provides. A binary named explicitly (option or env) must
 * work: it is never silently replaced by another. Results are cached per process.
 */
export function resolveBinary(explicit?: string): Promise<ResolvedBinary> {
  const cacheKey = `${explicit ?? ''}\0${process.env.COVINA_REDIS_SERVER_BIN ?? ''}`;
  let found = cache.get(cacheKey);
  if (!found) {
    found = locate(explicit);
    found.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, found);
  }
  return found;
}

async function checked(path: string, source: BinarySource): Promise<ResolvedBinary> {
  if (!(await isExecutable(path))) {
    throw new RedisBinaryNotFoundError([`${source}: ${path} (missing or not executable)`]);
  }
  try {
    return { path, source, version: await binaryVersion(path) };
  } catch (cause) {
    throw new RedisBinaryNotFoundError([`${source}: ${path} (\`--version\` failed)`], { cause });
  }
}

async function locate(explicit?: string): Promise<ResolvedBinary> {
  if (explicit) return checked(explicit, 'option');
  const fromEnv = process.env.COVINA_REDIS_SERVER_BIN;
  if (fromEnv) return checked(fromEnv, 'env');
  const onPath = await findOnPath('redis-server');
  if (onPath) return checked(onPath, 'path');
  let provided: string | undefined;
  try {
    provided = await fromRedisMemoryServer();
  } catch (cause) {
    throw new RedisBinaryNotFoundError(['PATH', 'redis-memory-server (failed to provide one)'], { cause });
  }
  if (provided) return checked(provided, 'redis-memory-server');
  throw new RedisBinaryNotFoundError([
    'option',
    'COVINA_REDIS_SERVER_BIN',
    'PATH',
    'redis-memory-server (not installed)',
  ]);
}
