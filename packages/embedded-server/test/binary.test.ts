import { afterEach, describe, expect, it } from 'vitest';
import { RedisBinaryNotFoundError, resolveBinary, startRedis } from '../src/index.js';
import { quiet } from './helpers.js';

describe('resolveBinary', () => {
  const saved = process.env.COVINA_REDIS_SERVER_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.COVINA_REDIS_SERVER_BIN;
    else process.env.COVINA_REDIS_SERVER_BIN = saved;
  });

  it('finds redis-server on the PATH and reads its version', async () => {
    delete process.env.COVINA_REDIS_SERVER_BIN;
    const found = await resolveBinary();
    expect(found.source).toBe('path');
    expect(found.path).toMatch(/redis-server$/);
    expect(found.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prefers COVINA_REDIS_SERVER_BIN over the PATH, and the option over both', async () => {
    const onPath = await resolveBinary();
    process.env.COVINA_REDIS_SERVER_BIN = onPath.path;
    expect((await resolveBinary()).source).toBe('env');
    expect((await resolveBinary(onPath.path)).source).toBe('option');
  });

  it('never falls back silently when the binary it was told to use is missing', async () => {
    await expect(resolveBinary('/nowhere/redis-server')).rejects.toThrow(RedisBinaryNotFoundError);
    process.env.COVINA_REDIS_SERVER_BIN = '/nowhere/redis-server';
    const failure = await startRedis({ logger: quiet }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RedisBinaryNotFoundError);
    expect((failure as RedisBinaryNotFoundError).tried).toEqual([
      'env: /nowhere/redis-server (missing or not executable)',
    ]);
  });
});
