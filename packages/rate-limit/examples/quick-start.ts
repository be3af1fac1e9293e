import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter } from '@covina/rate-limit';
import { createHttpRateLimit } from '@covina/rate-limit/http';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.COVINA_REDIS_URL ?? 'redis://127.0.0.1:6379');

// 10 per minute and 1,000 per hour for each user, checked together: all or nothing.
const limiter = new RateLimiter({
  redis,
  name: 'api',
  algorithm: 'gcra',
  limits: [
    { limit: 10, windowMs: 60_000, name: 'minute' },
    { limit: 1_000, windowMs: 3_600_000, name: 'hour' },
  ],
  timeoutMs: 1_000,
  onRedisFailure: 'insurance', // Redis down or slower than 1 s: decide in memory
});

for (let i = 0; i < 10; i++) await limiter.check('user-42');
const denied = await limiter.check('user-42');
console.log(denied.allowed, denied.retryAfterMs > 5_000); // false true (one request back every 6 s)

// The same limiter in front of a node:http server: 429, Retry-After, RateLimit headers.
const rateLimit = createHttpRateLimit({ limiter, key: (req) => req.headers['x-user'] as string | undefined });
const server = createServer(async (req, res) => {
  if (!(await rateLimit(req, res))) return;
  res.end('hello');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-user': 'user-42' } });
console.log(res.status, res.headers.get('retry-after')); // 429 6
console.log(res.headers.get('ratelimit')); // "minute";r=0;t=60, "hour";r=990;t=36

await limiter.reset('user-42');
server.close();
await redis.quit();
