import { connect } from 'node:net';

/**
 * Just enough RESP2 to administer a server we started (PING, INFO, CLUSTER …) without pulling a
 * client library into this package. One connection per call, replies in command order.
 */

/** An error reply from the server, e.g. `-LOADING …` or `-NOAUTH …`. Returned, not thrown. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

/** The server closed the connection before all replies came (e.g. after SHUTDOWN). */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
}

export type RespValue = string | number | null | RespErrorReply | RespValue[];

export interface Endpoint {
  host: string;
  port: number;
}

export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/** Parses one reply at `offset`; `undefined` when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, offset = 0): { value: RespValue; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespErrorReply(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: after };
      if (buf.length < after + length + 2) return undefined;
      return { value: buf.toString('utf8', after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * Sends `commands` pipelined on a fresh connection and resolves with one reply per command.
 * Rejects on connection errors and when `timeoutMs` passes without all replies.
 */
export function sendCommands(
  endpoint: Endpoint,
  commands: ReadonlyArray<readonly string[]>,
  timeoutMs = 2_000,
): Promise<RespValue[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    let buffer: Buffer = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    };
    const timer = setTimeout(
      () => finish(new Error(`no reply from ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (err) => finish(err));
    socket.on('close', () =>
      finish(new ConnectionClosedError(`connection to ${endpoint.host}:${endpoint.port} closed`)),
    );
    socket.on('connect', () => socket.write(Buffer.concat(commands.map(encodeCommand))));
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let offset = 0;
      for (let parsed = parseReply(buffer, offset); parsed; parsed = parseReply(buffer, offset)) {
        replies.push(parsed.value);
        offset = parsed.next;
        if (replies.length === commands.length) return finish();
      }
      buffer = buffer.subarray(offset);
    });
  });
}

/** Sends one command (after AUTH when `password` is set); throws the server's error reply. */
export async function command(
  endpoint: Endpoint & { password?: string },
  args: readonly string[],
  timeoutMs?: number,
): Promise<RespValue> {
  const commands = endpoint.password ? [['AUTH', endpoint.password], args] : [args];
  const replies = await sendCommands(endpoint, commands, timeoutMs);
  replies.forEach((reply, i) => {
    if (reply instanceof RespErrorReply) throw new Error(`${commands[i]?.[0]} failed: ${reply.message}`);
  });
  return replies[replies.length - 1] ?? null;
}

/** `INFO`-style text (`key:value` lines) to a map. */
export function parseInfo(text: RespValue): Map<string, string> {
  const info = new Map<string, string>();
  if (typeof text !== 'string') return info;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return info;
}
