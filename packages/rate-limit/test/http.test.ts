import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useRedis } from '@covina/testkit';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { expressRateLimit } from '../src/http/express.js';
import { fastifyRateLimit } from '../src/http/fastify.js';
import { createHttpRateLimit, type HttpRateLimitOptions } from '../src/http/node.js';
import { RateLimiter, type RateLimitRule } from '../src/index.js';

const ctx = useRedis();
const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

type Options = Omit<HttpRateLimitOptions<IncomingMessage>, 'limiter'> & {
  limits: RateLimitRule | RateLimitRule[];
};

/** Starts a server on 127.0.0.1, port 0, answering `ok` behind the adapter; returns its URL. */
type Start = (options: Options) => Promise<string>;

function limiterFor(options: Options) {
  // GCRA: its reset times are exact (one unit back per window / limit), so headers are predictable.
  return new RateLimiter({
    redis: ctx.redis,
    prefix: ctx.prefix,
    name: 'http',
    algorithm: 'gcra',
    limits: options.limits,
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        // Keep-alive sockets too: fetch must never reuse one to a server of an earlier test.
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const adapters: Array<[string, Start]> = [
  [
    'node:http',
    (options) => {
      const rateLimit = createHttpRateLimit({ ...options, limiter: limiterFor(options) });
      return listen(
        createServer(async (req, res) => {
          if (!(await rateLimit(req, res))) return;
          res.end('ok');
        }),
      );
    },
  ],
  [
    'express',
    (options) => {
      const app = express();
      app.use(expressRateLimit({ ...options, limiter: limiterFor(options) }));
      app.get('/', (_req, res) => {
        res.send('ok');
      });
      return listen(createServer(app));
    },
  ],
  [
    'fastify',
    async (options) => {
      const app: FastifyInstance = Fastify({ logger: false });
      const { key, cost, allow, deny, body, ...rest } = options;
      await app.register(fastifyRateLimit, {
        ...rest,
        limiter: limiterFor(options),
        // The shared options are written for IncomingMessage: hand them the raw request.
        ...(key && { key: (request) => key(request.raw) }),
        ...(cost && { cost: (request) => cost(request.raw) }),
        ...(allow && { allow: typeof allow === 'function' ? (request) => allow(request.raw) : allow }),
        ...(deny && { deny: typeof deny === 'function' ? (request) => deny(request.raw) : deny }),
        ...(body && { body: (result, request) => body(result, request.raw) }),
      });
      app.get('/', async () => 'ok');
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
  ],
];

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

describe.each(adapters)('%s adapter', (_name, start) => {
  it('sets RateLimit and RateLimit-Policy on allowed responses, then answers 429 with Retry-After and JSON', async () => {
    const url = await start({ limits: { limit: 2, windowMs: 60_000 } });
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('ok');
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    // One unit comes back every 30 s.
    expect(first.headers.get('ratelimit')).toBe('"default";r=1;t=30');
    expect((await get(url)).headers.get('ratelimit')).toBe('"default";r=0;t=60');

    const denied = await get(url);
    expect(denied.status).toBe(429);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(denied.headers.get('ratelimit')).toMatch(/^"default";r=0;t=(59|60)$/);
    const body = (await denied.json()) as { retryAfterMs: number };
    expect(body).toMatchObject({ title: 'Too Many Requests', status: 429, policy: 'default' });
    expect(body.retryAfterMs).toBeGreaterThan(29_000);
  });

  it('lists every rule of a multi-rule limiter, and names the one that denied', async () => {
    const url = await start({
      limits: [
        { limit: 1, windowMs: 1000, name: 'burst' },
        { limit: 100, windowMs: 3_600_000, name: 'hourly' },
      ],
    });
    const ok = await get(url);
    expect(ok.headers.get('ratelimit-policy')).toBe('"burst";q=1;w=1, "hourly";q=100;w=3600');
    expect(ok.headers.get('ratelimit')).toBe('"burst";r=0;t=1, "hourly";r=99;t=36');
    const denied = await get(url);
    expect(denied.status).toBe(429);
    expect(((await denied.json()) as { policy: string }).policy).toBe('burst');
  });

  it('keys by a function, with a cost per request', async () => {
    const url = await start({
      limits: { limit: 5, windowMs: 60_000 },
      key: (req) => req.headers['x-api-key'] as string | undefined,
      cost: (req) => Number(req.headers['x-cost'] ?? 1),
    });
    expect((await get(url, { 'x-api-key': 'a', 'x-cost': '5' })).status).toBe(200);
    expect((await get(url, { 'x-api-key': 'a' })).status).toBe(429);
    expect((await get(url, { 'x-api-key': 'b' })).status).toBe(200);
    // No key: not limited.
    const anonymous = await get(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('ratelimit')).toBeNull();
  });

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const direct = await start({ limits: { limit: 1, windowMs: 60_000 } });
    expect((await get(direct, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    // A spoofed header buys no fresh quota: the client is still 127.0.0.1.
    expect((await get(direct, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);

    const proxied = await start({ limits: { limit: 1, windowMs: 60_000 }, trustedProxies: ['127.0.0.0/8'] });
    expect((await get(proxied, { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' })).status).toBe(200);
    expect((await get(proxied, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // The client is the right-most untrusted hop: 198.51.100.1 again.
    expect((await get(proxied, { 'x-forwarded-for': '10.9.9.9, 198.51.100.1' })).status).toBe(429);
  });

  it('lets the allow list through unlimited and refuses the deny list with 403', async () => {
    const allowed = await start({ limits: { limit: 1, windowMs: 60_000 }, allow: ['127.0.0.0/8'] });
    for (let i = 0; i < 3; i++) {
      const res = await get(allowed);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
    const denied = await start({
      limits: { limit: 100, windowMs: 60_000 },
      key: (req) => req.headers['x-user'] as string | undefined,
      deny: ['mallory'],
    });
    const res = await get(denied, { 'x-user': 'mallory' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { title: string }).title).toBe('Forbidden');
    expect((await get(denied, { 'x-user': 'alice' })).status).toBe(200);
  });

  it('matches the lists by address range, subject key or predicate', async () => {
    const url = await start({
      limits: { limit: 1, windowMs: 60_000 },
      key: (req) => req.headers['x-user'] as string | undefined,
      allow: ['ops-bot'],
      deny: (req) => req.headers['x-banned'] === 'yes',
    });
    for (let i = 0; i < 3; i++) expect((await get(url, { 'x-user': 'ops-bot' })).status).toBe(200);
    expect((await get(url, { 'x-user': 'eve', 'x-banned': 'yes' })).status).toBe(403);
    expect((await get(url, { 'x-user': 'alice' })).status).toBe(200);
    expect((await get(url, { 'x-user': 'alice' })).status).toBe(429);

    const ranged = await start({ limits: { limit: 100, windowMs: 60_000 }, deny: ['127.0.0.0/8'] });
    expect((await get(ranged)).status).toBe(403);
  });

  it('headers: false sends no RateLimit fields (denials keep Retry-After), and body shapes the 429', async () => {
    const url = await start({
      limits: { limit: 1, windowMs: 60_000 },
      headers: false,
      body: (result) => ({ error: 'slow down', waitMs: result.retryAfterMs }),
    });
    const ok = await get(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit')).toBeNull();
    expect(ok.headers.get('ratelimit-policy')).toBeNull();
    const denied = await get(url);
    expect(denied.status).toBe(429);
    expect(denied.headers.get('ratelimit')).toBeNull();
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    const body = (await denied.json()) as { error: string; waitMs: number };
    expect(body.error).toBe('slow down');
    expect(body.waitMs).toBeGreaterThan(59_000);
  });
});

describe('fastify adapter', () => {
  it('does not limit the routes skip() returns true for', async () => {
    const app = Fastify({ logger: false });
    await app.register(fastifyRateLimit, {
      limiter: limiterFor({ limits: { limit: 1, windowMs: 60_000 } }),
      skip: (request) => request.url === '/health',
    });
    app.get('/', async () => 'ok');
    app.get('/health', async () => 'up');
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (let i = 0; i < 3; i++) expect((await get(`${url}/health`)).status).toBe(200);
    expect((await get(url)).status).toBe(200);
    expect((await get(url)).status).toBe(429);
  });
});
