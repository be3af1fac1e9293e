import { packageBuild } from '../../tsup.config.base.js';

// One entry per subpath export, so a user of `/express` never loads Fastify (and vice versa).
// Splitting puts the code they share in common chunks (ESM and CJS), so each class exists
// once: `instanceof RateLimitConfigError` holds whichever entry threw it.
export default packageBuild(undefined, {
  entry: {
    index: 'src/index.ts',
    http: 'src/http/node.ts',
    express: 'src/http/express.ts',
    fastify: 'src/http/fastify.ts',
  },
  splitting: true,
});
