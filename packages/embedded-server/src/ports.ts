import { createServer } from 'node:net';

// Ports this process handed out recently. The kernel may offer a port again as soon as its probe
// socket closes, so two servers started at once could otherwise be told the same one.
const recentlyHandedOut = new Map<number, number>();
const RESERVE_MS = 30_000;

function probePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe socket'));
      });
    });
  });
}

/**
 * Asks the kernel for a free TCP port on `host`, skipping ports this process handed out in the
 * last 30 s. Another process can still take it before the server binds: callers retry on
 * "Address already in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const now = Date.now();
  for (const [port, at] of recentlyHandedOut) if (now - at > RESERVE_MS) recentlyHandedOut.delete(port);
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await probePort(host);
    if (!recentlyHandedOut.has(port)) {
      recentlyHandedOut.set(port, now);
      return port;
    }
  }
  return probePort(host);
}
