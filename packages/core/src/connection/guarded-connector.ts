import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { SentinelConnector } from 'ioredis';

/** What ioredis expects of `options.Connector` (its `ConnectorConstructor`), loosely typed. */
type ConnectorClass = new (options: never) => { connect(...args: never[]): Promise<unknown> };

const ignore = () => {};

/**
 * ioredis listens for a socket's errors with `once` (redis/ioredis#961, closed unfixed): a socket
 * that errors twice, such as a TLS handshake answered with two alerts, throws the second error
 * as an uncaught exception and takes the process down. The guarded connector gives every socket
 * it opens a permanent listener; ioredis still receives and reports the first error.
 */
function guarded<C extends ConnectorClass>(Base: C): C {
  return class extends (Base as ConnectorClass) {
    override async connect(...args: never[]): Promise<unknown> {
      const stream = await super.connect(...args);
      (stream as Duplex).on('error', ignore);
      return stream;
    }
  } as C;
}

/** ioredis does not export its standalone connector; its path has been stable through v5. */
function standaloneConnector(): ConnectorClass | undefined {
  try {
    const required = createRequire(import.meta.url)('ioredis/built/connectors/StandaloneConnector.js') as {
      default?: ConnectorClass;
    };
    return required.default;
  } catch {
    return undefined;
  }
}

const standalone = standaloneConnector();

/**
 * The `Connector` option for a standalone or sentinel client (duplicates and cluster nodes
 * inherit it through their options), or nothing when ioredis's layout is not the one known.
 */
export function guardedConnector(mode: 'standalone' | 'sentinel'): { Connector?: never } {
  const Base = mode === 'sentinel' ? (SentinelConnector as unknown as ConnectorClass) : standalone;
  return Base ? { Connector: guarded(Base) as never } : {};
}
