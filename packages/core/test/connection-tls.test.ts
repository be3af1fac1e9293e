import { freePort, type RedisServerHandle, startRedis } from '@covina/embedded-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionConfigError,
  createRedis,
  getConnectionStatus,
  type RedisClient,
  RedisUnavailableError,
} from '../src/connection/index.js';
import { captureLogger, eventually, silentLogger } from './connection/capture-logger.js';
import { hasOpenssl, makeTlsFiles, type TlsFiles } from './connection/tls-certs.js';

const SECRET = 'tls-Pa55word';

// Certificates are made with the openssl command; without it this file is skipped (and says so).
describe.skipIf(!(await hasOpenssl()))('createRedis over TLS (rediss://), against a real TLS server', () => {
  let files: TlsFiles;
  let server: RedisServerHandle;
  let tlsPort = 0;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    files = await makeTlsFiles();
    tlsPort = await freePort();
    // The plain port stays for the launcher's readiness probe; clients use the TLS one.
    server = await startRedis({
      password: SECRET,
      logger: { info() {}, warn() {} },
      args: [
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        files.certFile,
        '--tls-key-file',
        files.keyFile,
        '--tls-ca-cert-file',
        files.caFile,
        '--tls-auth-clients',
        'no',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await server?.stop();
    await files?.remove();
  });

  it('connects with rediss:// and the CA, from the environment as a deployment would', async () => {
    const logger = captureLogger();
    const redis = createRedis({
      env: { COVINA_REDIS_URL: `rediss://:${SECRET}@127.0.0.1:${tlsPort}` },
      tls: { ca: files.ca },
      logger,
    });
    clients.push(redis);
    expect(await redis.set('k', 'over tls')).toBe('OK');
    expect(await redis.get('k')).toBe('over tls');
    // The server sees this connection on its TLS port.
    const client = await redis.client('INFO');
    expect(client).toMatch(new RegExp(`laddr=127\\.0\\.0\\.1:${tlsPort}\\b`));
    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({ connected: true, endpoint: `rediss://:***@127.0.0.1:${tlsPort}/0` });
    expect(logger.text()).not.toContain(SECRET);
  });

  it('refuses a server whose certificate it cannot verify: a typed error, no hang, no password in it', async () => {
    const logger = captureLogger();
    const redis = createRedis({
      url: `rediss://:${SECRET}@127.0.0.1:${tlsPort}`, // no CA: the self-signed chain is untrusted
      maxRetriesPerRequest: 1,
      reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
      healthCheckIntervalMs: 0,
      logger,
    });
    clients.push(redis);
    const error = await redis.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    await eventually(() => /certificate/i.test(logger.text()));
    expect(`${logger.text()} ${String(error)} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('a plain redis:// client on the TLS port fails instead of hanging', async () => {
    const redis = createRedis({
      url: `redis://:${SECRET}@127.0.0.1:${tlsPort}`,
      maxRetriesPerRequest: 1,
      connectTimeoutMs: 1000,
      commandTimeoutMs: 2000,
      reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
      healthCheckIntervalMs: 0,
      logger: silentLogger,
    });
    clients.push(redis);
    const error = await redis.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toMatch(/^E_REDIS_(UNAVAILABLE|TIMEOUT)$/);
  });

  it('presents a client certificate named by the environment to a server that requires one (mutual TLS)', async () => {
    const mtlsPort = await freePort();
    const mtls = await startRedis({
      password: SECRET,
      logger: { info() {}, warn() {} },
      args: [
        '--tls-port',
        String(mtlsPort),
        '--tls-cert-file',
        files.certFile,
        '--tls-key-file',
        files.keyFile,
        '--tls-ca-cert-file',
        files.caFile,
        '--tls-auth-clients',
        'yes',
      ],
    });
    try {
      const url = `rediss://:${SECRET}@127.0.0.1:${mtlsPort}`;
      // The server's certificate, signed by the same CA, serves as the client's.
      const withCertificate = createRedis({
        env: {
          COVINA_REDIS_URL: url,
          COVINA_REDIS_TLS_CA_FILE: files.caFile,
          COVINA_REDIS_TLS_CERT_FILE: files.certFile,
          COVINA_REDIS_TLS_KEY_FILE: files.keyFile,
        },
        logger: silentLogger,
      });
      clients.push(withCertificate);
      expect(await withCertificate.ping()).toBe('PONG');

      const logger = captureLogger();
      const without = createRedis({
        env: { COVINA_REDIS_URL: url, COVINA_REDIS_TLS_CA_FILE: files.caFile },
        maxRetriesPerRequest: 1,
        connectTimeoutMs: 1000,
        reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
        healthCheckIntervalMs: 0,
        logger,
      });
      clients.push(without);
      const error = await without.ping().catch((e: unknown) => e);
      expect((error as { code?: string }).code).toMatch(/^E_REDIS_(UNAVAILABLE|TIMEOUT)$/);
      expect(`${logger.text()} ${String(error)} ${JSON.stringify(error)}`).not.toContain(SECRET);
    } finally {
      await mtls.stop();
    }
  });

  it('names the variable of a TLS file it cannot read, and asks for a certificate and its key together', () => {
    const url = `rediss://:${SECRET}@127.0.0.1:${tlsPort}`;
    const missing = `${files.dir}/no-such.pem`;
    expect(() =>
      createRedis({
        env: { COVINA_REDIS_URL: url, COVINA_REDIS_TLS_CA_FILE: missing },
        logger: silentLogger,
      }),
    ).toThrow(ConnectionConfigError);
    expect(() =>
      createRedis({
        env: { COVINA_REDIS_URL: url, COVINA_REDIS_TLS_CA_FILE: missing },
        logger: silentLogger,
      }),
    ).toThrow(/COVINA_REDIS_TLS_CA_FILE names a file that cannot be read \(ENOENT\)/);
    expect(() =>
      createRedis({
        env: { COVINA_REDIS_URL: url, COVINA_REDIS_TLS_CERT_FILE: files.certFile },
        logger: silentLogger,
      }),
    ).toThrow(/COVINA_REDIS_TLS_KEY_FILE is required/);
  });
});
