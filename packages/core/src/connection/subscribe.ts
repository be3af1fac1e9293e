import type { Cluster, Redis } from 'ioredis';

/** Resolves on the client's next `ready`, `close` or `end`. */
function nextStateChange(client: Redis | Cluster): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      client.off('ready', done);
      client.off('close', done);
      client.off('end', done);
      resolve();
    };
    client.on('ready', done);
    client.on('close', done);
    client.on('end', done);
  });
}

/** Runs `send` once the client is not in the middle of its connection handshake. */
async function outsideHandshake<T>(client: Redis | Cluster, send: () => Promise<T>): Promise<T> {
  while (client.status === 'connect') await nextStateChange(client);
  return send();
}

/**
 * `client.subscribe(...channels)`, never sent in the middle of the connection handshake; use it
 * for every SUBSCRIBE on a connection of its own (`duplicate()`).
 *
 * While a client is `connect`ing (connected, handshake not finished), ioredis writes
 * (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE at once instead of queueing them, as they are allowed
 * while Redis loads: the connection enters subscriber mode before the handshake's INFO ready
 * check, which then fails ("ERR Can't execute 'info'…" from the server, or "Connection in
 * subscriber mode…" from ioredis). ioredis rejects every command pending on that connection
 * with that error and reconnects, without the subscription made meanwhile. Waiting for the
 * handshake to end keeps the usual paths: sent at once when ready, queued and sent after the
 * handshake while (re)connecting.
 */
export function subscribeChannels(client: Redis | Cluster, channels: readonly string[]): Promise<unknown> {
  return outsideHandshake(client, () => client.subscribe(...channels));
}

/** `client.unsubscribe(...channels)`, never sent in the middle of the connection handshake (see `subscribeChannels`). */
export function unsubscribeChannels(client: Redis | Cluster, channels: readonly string[]): Promise<unknown> {
  return outsideHandshake(client, () => client.unsubscribe(...channels));
}
