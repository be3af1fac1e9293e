import { describe, expect, it } from 'vitest';
import {
  ConnectionConfigError,
  reconnectDelay,
  redactSecrets,
  redactUrl,
  resolveRedisConfig,
} from '../src/connection/index.js';

const resolve = (env: Record<string, string>, options = {}) => resolveRedisConfig(options, env);

function configError(env: Record<string, string>, options = {}): ConnectionConfigError {
  try {
    resolve(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectionConfigError);
    return error as ConnectionConfigError;
  }
  throw new Error('expected a ConnectionConfigError');
}

describe('resolveRedisConfig from the environment', () => {
  it('defaults to localhost:6379, db 0, no TLS', () => {
    expect(resolve({})).toMatchObject({
      mode: 'standalone',
      host: 'localhost',
      port: 6379,
      db: 0,
      tls: false,
      source: 'default',
    });
  });

  it('reads COVINA_REDIS_URL with credentials, database and rediss:// for TLS', () => {
    const config = resolve({ COVINA_REDIS_URL: 'rediss://app:s%40cret@cache.internal:6380/4' });
    expect(config).toMatchObject({
      mode: 'standalone',
      host: 'cache.internal',
      port: 6380,
      db: 4,
      tls: true,
      username: 'app',
      password: 's@cret',
      source: 'COVINA_REDIS_URL',
    });
    expect(config.endpoint).toBe('rediss://app:***@cache.internal:6380/4');
    expect(config.secrets).toEqual(['s@cret']);
  });

  it('reads host, port, password, db and TLS variables when there is no URL', () => {
    const config = resolve({
      COVINA_REDIS_HOST: '10.0.0.7',
      COVINA_REDIS_PORT: '6390',
      COVINA_REDIS_PASSWORD: 'hunter2',
      COVINA_REDIS_DB: '2',
      COVINA_REDIS_TLS: 'true',
    });
    expect(config).toMatchObject({ host: '10.0.0.7', port: 6390, password: 'hunter2', db: 2, tls: true });
    expect(config.endpoint).toBe('rediss://:***@10.0.0.7:6390/2');
  });

  it('prefers the URL over host and port, and lets COVINA_REDIS_PASSWORD fill a URL without one', () => {
    const config = resolve({
      COVINA_REDIS_URL: 'redis://db.example:7000',
      COVINA_REDIS_HOST: 'ignored',
      COVINA_REDIS_PASSWORD: 'from-env',
    });
    expect(config).toMatchObject({ host: 'db.example', port: 7000, password: 'from-env' });
  });

  it('builds a cluster from COVINA_REDIS_CLUSTER_NODES (host:port, IPv6, URLs)', () => {
    const config = resolve({
      COVINA_REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, [::1]:7001 ,rediss://:pw@node3:7002,',
      COVINA_REDIS_URL: 'redis://ignored:1',
    });
    expect(config.mode).toBe('cluster');
    if (config.mode !== 'cluster') return;
    expect(config.nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
      { host: 'node3', port: 7002 },
    ]);
    expect(config).toMatchObject({ tls: true, password: 'pw', source: 'COVINA_REDIS_CLUSTER_NODES' });
    expect(config.endpoint).toBe('cluster rediss://:***@10.0.0.1:7000,[::1]:7001,node3:7002');
  });

  it('ignores the environment when options name a server, and lets options win field by field', () => {
    const env = { COVINA_REDIS_URL: 'redis://:envpass@env-host:1111', COVINA_REDIS_PASSWORD: 'x' };
    expect(resolve(env, { host: 'opt-host' })).toMatchObject({ host: 'opt-host', port: 6379 });
    expect(resolve(env, { host: 'opt-host' }).password).toBeUndefined();
    expect(resolve(env, { password: 'explicit' })).toMatchObject({
      host: 'env-host',
      port: 1111,
      password: 'explicit',
    });
    expect(resolve({}, { url: 'redis://u:p@h:1/3', db: 5 })).toMatchObject({
      host: 'h',
      port: 1,
      db: 5,
      username: 'u',
    });
  });

  it('configures sentinels from options', () => {
    const config = resolve(
      {},
      { sentinels: [{ host: 's1', port: 26379 }], sentinelName: 'main', sentinelPassword: 'sp' },
    );
    expect(config).toMatchObject({
      mode: 'sentinel',
      sentinelName: 'main',
      sentinels: [{ host: 's1', port: 26379 }],
    });
    expect(config.secrets).toEqual(['sp']);
  });

  it('rejects bad values with an error naming the field and never showing the password', () => {
    const badScheme = configError({ COVINA_REDIS_URL: 'http://user:topsecret@host:1' });
    expect(badScheme.context.field).toBe('COVINA_REDIS_URL');
    expect(badScheme.message).toContain('redis://');
    expect(`${badScheme.message} ${JSON.stringify(badScheme)}`).not.toContain('topsecret');

    expect(configError({ COVINA_REDIS_PORT: '63a' }).context.field).toBe('COVINA_REDIS_PORT');
    expect(configError({ COVINA_REDIS_PORT: '70000' }).message).toMatch(/port number/);
    expect(configError({ COVINA_REDIS_URL: 'redis://:pw@host:1/notadb' }).context.field).toMatch(
      /COVINA_REDIS_URL/,
    );
    expect(configError({ COVINA_REDIS_TLS: 'maybe' }).context.field).toBe('COVINA_REDIS_TLS');
    expect(configError({ COVINA_REDIS_CLUSTER_NODES: 'a:1,b:x' }).context.field).toBe(
      'COVINA_REDIS_CLUSTER_NODES',
    );
    expect(configError({ COVINA_REDIS_CLUSTER_NODES: 'a:1', COVINA_REDIS_DB: '3' }).message).toMatch(
      /Cluster/,
    );
    const notUrl = configError({ COVINA_REDIS_URL: 'redis://:hunter2@exa mple:1' });
    expect(notUrl.message).not.toContain('hunter2');
  });
});

describe('redaction', () => {
  it('hides URL passwords, even with an unescaped @, and any known secret', () => {
    expect(redactUrl('connect redis://user:pa55@host:6379/0 failed')).toBe(
      'connect redis://user:***@host:6379/0 failed',
    );
    expect(redactUrl('rediss://:p@ss@host:1')).toBe('rediss://:***@host:1');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactSecrets('ERR AUTH s3cr3t called without any password configured', ['s3cr3t'])).toBe(
      'ERR AUTH *** called without any password configured',
    );
  });
});

describe('reconnectDelay', () => {
  it('grows exponentially with equal jitter, capped, and stops after maxAttempts', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, {}, high))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, {}, low))).toEqual([50, 100, 200, 400]);
    expect(reconnectDelay(40, { maxDelayMs: 3000 }, high)).toBe(3000);
    expect(reconnectDelay(40, { maxDelayMs: 3000 }, low)).toBe(1500);
    expect(reconnectDelay(3, { maxAttempts: 2 })).toBeNull();
  });
});
