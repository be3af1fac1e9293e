import { useFaultRedis } from '@covina/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  type CircuitState,
  createRedis,
  getCircuitBreaker,
  getConnectionStatus,
  isAvailable,
  type RedisClient,
  RedisUnavailableError,
} from '../src/connection/index.js';
import { captureLogger, eventually } from './connection/capture-logger.js';

describe('CircuitBreaker state machine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after the threshold, probes after the cool-down, and closes on a successful probe', async () => {
    vi.useFakeTimers();
    let probeResult: 'ok' | 'fail' = 'fail';
    const probes: number[] = [];
    const breaker = new CircuitBreaker(
      { failureThreshold: 3, cooldownMs: 1000 },
      {
        probe: async () => {
          probes.push(Date.now());
          if (probeResult === 'fail') throw new Error('still down');
        },
      },
    );
    const states: CircuitState[] = [];
    breaker.onChange((to) => states.push(to));

    breaker.recordFailure();
    breaker.recordSuccess(); // a success resets the count
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.allows()).toBe(false);
    expect(breaker.retryInMs()).toBe(1000);

    await vi.advanceTimersByTimeAsync(1000); // probe fails: open again
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(probes).toHaveLength(1);

    probeResult = 'ok';
    await vi.advanceTimersByTimeAsync(1000);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(breaker.allows()).toBe(true);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', timesOpened: 2, consecutiveFailures: 0 });
  });

  it('refuses commands while half-open until the probe answers', async () => {
    vi.useFakeTimers();
    let answer: () => void = () => {};
    const breaker = new CircuitBreaker(
      { failureThreshold: 1, cooldownMs: 10 },
      { probe: () => new Promise<void>((resolve) => (answer = resolve)) },
    );
    breaker.recordFailure();
    await vi.advanceTimersByTimeAsync(10);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allows()).toBe(false);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe('closed');
  });
});

describe('circuit breaker on a client made by createRedis', () => {
  const fault = useFaultRedis();
  const clients: RedisClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('goes open → fail fast → half-open → closed across a killed and restarted server', async () => {
    const logger = captureLogger();
    const redis = createRedis({
      url: fault.url,
      circuitBreaker: { failureThreshold: 3, cooldownMs: 300 },
      reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
      maxRetriesPerRequest: 1,
      healthCheckIntervalMs: 0,
      logger,
    });
    clients.push(redis);
    const breaker = getCircuitBreaker(redis);
    if (!breaker) throw new Error('createRedis() should install a circuit breaker');
    const states: CircuitState[] = [];
    breaker.onChange((to) => states.push(to));

    await redis.set('k', 'v');
    await fault.kill();

    // Commands fail until the breaker opens (bounded: it must open within a few failures).
    for (let i = 0; i < 10 && breaker.state === 'closed'; i++) await redis.get('k').catch(() => {});
    expect(breaker.state).toBe('open');
    expect(isAvailable(redis)).toBe(false);

    // Open: commands fail fast, without being sent or queued.
    const fast = await redis.get('k').catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(RedisUnavailableError);
    expect((fast as RedisUnavailableError).context).toMatchObject({ reason: 'circuit-open', command: 'get' });
    const pipelined = await redis.pipeline().get('k').set('k2', 'x').exec();
    expect(pipelined?.map(([error]) => (error as RedisUnavailableError | null)?.context.reason)).toEqual([
      'circuit-open',
      'circuit-open',
    ]);
    const status = await getConnectionStatus(redis);
    expect(status.circuit).toMatchObject({ state: 'open' });
    expect(status.available).toBe(false);

    // Probes fail while the server stays down: the circuit opens again.
    await eventually(() => states.filter((s) => s === 'open').length >= 2);

    await fault.restart();
    await eventually(() => breaker.state === 'closed');
    expect(states.slice(-2)).toEqual(['half-open', 'closed']);
    expect(await redis.get('k')).toBeNull(); // an ephemeral server restarts empty
    expect(await redis.set('k', 'back')).toBe('OK');
    expect(isAvailable(redis)).toBe(true);
    expect(breaker.snapshot().rejected).toBe(3); // the GET and both pipelined commands
    expect(logger.lines.map((line) => line.msg)).toContain('Redis circuit open: failing commands fast');
    expect(logger.lines.map((line) => line.msg)).toContain('Redis circuit closed: commands flow again');
  });

  it('keeps subscriptions through an open circuit', async () => {
    const options = {
      url: fault.url,
      circuitBreaker: { failureThreshold: 1, cooldownMs: 200 },
      reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
      maxRetriesPerRequest: 1,
      healthCheckIntervalMs: 0,
      logger: captureLogger(),
    };
    const subscriber = createRedis(options);
    const publisher = createRedis(options);
    clients.push(subscriber, publisher);
    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    await subscriber.subscribe('events');

    await fault.kill();
    await publisher.publish('events', 'lost').catch(() => {});
    await eventually(() => getCircuitBreaker(publisher)?.state === 'open');
    await fault.restart();
    await eventually(async () => (await publisher.publish('events', 'after').catch(() => 0)) === 1);
    await eventually(() => received.includes('after'));
  });
});
