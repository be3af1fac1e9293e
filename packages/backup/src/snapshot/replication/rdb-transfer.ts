import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';

/** Where and how to open a raw connection to one Redis server. */
export interface ServerEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** TLS options when the client uses TLS (`rediss://`). */
  tls?: ConnectionOptions;
}

/** The server refused to send an RDB (no permission, a replica-only command, an old server). */
export class SyncRefusedError extends Error {
  constructor(
    message: string,
    readonly reply: string,
  ) {
    super(message);
    this.name = 'SyncRefusedError';
  }
}

export interface RdbTransferOptions {
  /** Give up when the server sends nothing (not even a keep-alive newline) for this long. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Told the size of the RDB once the server announces it (not for diskless transfers). */
  onTotal?(bytes: number): void;
}

const CRLF = Buffer.from('\r\n');
const EOF_MARK_LENGTH = 40;

function command(...args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/**
 * Asks one Redis server for a point-in-time copy of its dataset, the way a replica does: the
 * server forks, writes an RDB and streams it; every byte goes to `onData`. This is the only way
 * to copy a dataset consistently without stopping writers: the fork shares memory copy-on-write,
 * so the main thread stays responsive. `REPLCONF rdb-only 1` (Redis 7) tells the server not to
 * keep this connection as a replica afterwards.
 */
export function transferRdb(
  endpoint: ServerEndpoint,
  onData: (chunk: Buffer) => void,
  options: RdbTransferOptions,
): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = endpoint.tls
      ? tlsConnect({ host: endpoint.host, port: endpoint.port, ...endpoint.tls })
      : netConnect({ host: endpoint.host, port: endpoint.port });
    let settled = false;
    let buffer: Buffer = Buffer.alloc(0);
    let phase: 'auth' | 'replconf' | 'sync' | 'body' = endpoint.password === undefined ? 'replconf' : 'auth';
    let remaining = -1; // bytes of a `$<len>` body still to come
    let eofMark: Buffer | undefined; // diskless transfers end with a 40-byte mark instead
    let held: Buffer = Buffer.alloc(0);
    let bytes = 0;

    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve({ bytes });
    };
    const onAbort = () => finish(options.signal?.reason ?? new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(options.idleTimeoutMs, () =>
      finish(
        new Error(
          `No data from ${endpoint.host}:${endpoint.port} for ${options.idleTimeoutMs} ms during SYNC`,
        ),
      ),
    );
    socket.setNoDelay(true);
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      finish(new Error(`Connection to ${endpoint.host}:${endpoint.port} closed during SYNC`)),
    );

    const start = () => {
      if (phase === 'auth') {
        const args = endpoint.username ? [endpoint.username, endpoint.password!] : [endpoint.password!];
        socket.write(command('AUTH', ...args));
      } else {
        socket.write(command('REPLCONF', 'rdb-only', '1'));
      }
    };
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', start);

    const body = (chunk: Buffer) => {
      if (remaining >= 0) {
        const take = Math.min(remaining, chunk.length);
        if (take > 0) {
          bytes += take;
          onData(take === chunk.length ? chunk : chunk.subarray(0, take));
        }
        remaining -= take;
        if (remaining === 0) finish();
        return;
      }
      // EOF-mark mode: hold back the last 40 bytes until we know they are not the mark.
      const all = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      if (all.length >= EOF_MARK_LENGTH && all.subarray(all.length - EOF_MARK_LENGTH).equals(eofMark!)) {
        const data = all.subarray(0, all.length - EOF_MARK_LENGTH);
        bytes += data.length;
        if (data.length > 0) onData(data);
        finish();
        return;
      }
      const keep = Math.min(EOF_MARK_LENGTH, all.length);
      const data = all.subarray(0, all.length - keep);
      held = Buffer.from(all.subarray(all.length - keep));
      bytes += data.length;
      if (data.length > 0) onData(data);
    };

    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        if (phase === 'body') return body(chunk);
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          // The server sends bare newlines as keep-alives while it prepares the RDB.
          let skip = 0;
          while (skip < buffer.length && buffer[skip] === 0x0a) skip++;
          buffer = buffer.subarray(skip);
          const end = buffer.indexOf(CRLF);
          if (end < 0) return;
          const line = buffer.subarray(0, end).toString('utf8');
          buffer = buffer.subarray(end + 2);
          if (phase === 'auth') {
            if (line.startsWith('-'))
              throw new SyncRefusedError(`AUTH was refused: ${line.slice(1)}`, line.slice(1));
            phase = 'replconf';
            socket.write(command('REPLCONF', 'rdb-only', '1'));
          } else if (phase === 'replconf') {
            // Servers before 7.0 do not know rdb-only: they will stream commands after the RDB,
            // which we never read.
            phase = 'sync';
            socket.write(command('SYNC'));
          } else {
            if (line.startsWith('-'))
              throw new SyncRefusedError(`SYNC was refused: ${line.slice(1)}`, line.slice(1));
            if (!line.startsWith('$'))
              throw new Error(`Unexpected reply to SYNC: ${JSON.stringify(line.slice(0, 80))}`);
            phase = 'body';
            if (line.startsWith('$EOF:')) {
              eofMark = Buffer.from(line.slice(5), 'latin1');
              if (eofMark.length !== EOF_MARK_LENGTH) throw new Error('Malformed diskless SYNC header');
            } else {
              remaining = Number(line.slice(1));
              if (!Number.isSafeInteger(remaining) || remaining < 0)
                throw new Error(`Malformed SYNC header ${line}`);
              if (remaining === 0) return finish();
            }
            const rest = buffer;
            buffer = Buffer.alloc(0);
            if (rest.length > 0) body(rest);
            return;
          }
        }
      } catch (error) {
        finish(error as Error);
      }
    });
  });
}
