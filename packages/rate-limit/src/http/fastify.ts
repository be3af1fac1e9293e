import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { createHttpDecider, PROBLEM_JSON } from './decide.js';
import type { HttpRateLimitOptions } from './options.js';

export { rateLimitHeaders } from './headers.js';
export type { AccessList, HttpRateLimitOptions } from './options.js';

export interface FastifyRateLimitOptions extends HttpRateLimitOptions<FastifyRequest> {
  /**
   * Requests this returns true for are not limited (health checks, static files…).
   * @default none
   */
  skip?: (request: FastifyRequest) => boolean;
}

const plugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (fastify, options) => {
  const decide = createHttpDecider(options);
  fastify.addHook('onRequest', async (request, reply) => {
    if (options.skip?.(request)) return;
    const decision = await decide(request, request.raw);
    reply.headers(decision.headers);
    if (decision.action === 'reject') {
      return reply.code(decision.status).type(PROBLEM_JSON).send(decision.body);
    }
  });
};

/**
 * Rate limiting as a Fastify plugin (an `onRequest` hook): sets the `RateLimit` headers, or
 * answers 429 (with `Retry-After` and a JSON problem body) or 403 for the deny list. Not
 * encapsulated: registered at the root it limits every route; register it inside a plugin to
 * limit only that plugin's routes. The client IP comes from this plugin's `trustedProxies`,
 * not from Fastify's `trustProxy`, so one setting decides it for every adapter.
 *
 * ```ts
 * await app.register(fastifyRateLimit, { limiter });
 * ```
 */
export const fastifyRateLimit = fastifyPlugin(plugin, { fastify: '5.x', name: '@covina/rate-limit' });
