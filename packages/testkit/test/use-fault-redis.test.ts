import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { useFaultRedis } from '../src/index.js';

const clients: Redis[] = [];
function client(url: string, commandTimeout = 500): Redis {
  // Fail fast instead of queueing: these tests are about what a client sees during a fault.
  const redis = new Redis(url, { commandTimeout, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

describe('useFaultRedis (ephemeral)', () => {
  const f = useFaultRedis();

  it('pause() makes commands time out; resume() brings answers back', async () => {
    const redis = client(f.url);
    expect(await redis.ping()).toBe('PONG');
    f.pause();
    await expect(redis.ping()).rejects.toThrow(/timed out/);
    f.resume();
    expect(await redis.ping()).toBe('PONG');
  });

  it('clientPause(ms) stalls clients while the process keeps running', async () => {
    const redis = client(f.url);
    await redis.set('k', 'v');
    await f.clientPause(1_000);
    await expect(redis.get('k')).rejects.toThrow(/timed out/);
    process.kill(f.server.pid, 0); // throws if the process were gone
    const patient = client(f.url, 10_000);
    expect(await patient.get('k')).toBe('v'); // answered once the pause is over
  });

  it('kill() loses an ephemeral server data: after restart() on the same port it is empty', async () => {
    const redis = client(f.url);
    await redis.set('doomed', '1');
    const pid = f.server.pid;
    await f.kill();
    await expect(redis.get('doomed')).rejects.toThrow();
    await f.restart();
    expect(f.server.pid).not.toBe(pid);
    const fresh = client(f.url);
    expect(await fresh.get('doomed')).toBeNull();
  });

  let pidBefore = 0;
  it('(leaves the server dead on purpose)', async () => {
    pidBefore = f.server.pid;
    await f.kill();
  });

  it('starts every test with a live server, even after a test killed it', async () => {
    expect(f.server.pid).not.toBe(pidBefore);
    expect(await client(f.url).ping()).toBe('PONG');
  });
});

describe('useFaultRedis({ persistent: true })', () => {
  const f = useFaultRedis({ persistent: true });

  it('keeps acknowledged writes through kill() and restart()', async () => {
    const redis = client(f.url);
    await redis.set('kept', 'yes');
    await f.kill();
    await f.restart();
    expect(await client(f.url).get('kept')).toBe('yes');
  });
});
