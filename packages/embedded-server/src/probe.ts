import { ConnectionClosedError, type Endpoint, parseInfo, RespErrorReply, sendCommands } from './resp.js';

/**
 * - `ready`: PONG from the expected process,
 * - `foreign`: PONG, but from another process (we lost a port race to it),
 * - `down`: no connection, or not ready yet (`-LOADING` while reading the AOF/RDB).
 */
export type ProbeResult = 'ready' | 'foreign' | 'down';

/** One PING (after AUTH when a password is set), and `INFO server` to tell whose server answered. */
export async function probe(
  endpoint: Endpoint,
  options: { password?: string; expectedPid?: number; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const commands = [['PING'], ['INFO', 'server']];
  if (options.password) commands.unshift(['AUTH', options.password]);
  let replies: unknown[];
  try {
    replies = await sendCommands(endpoint, commands, options.timeoutMs ?? 1_000);
  } catch {
    return 'down';
  }
  const [pong, info] = replies.slice(-2);
  if (pong !== 'PONG') return 'down';
  if (options.expectedPid === undefined) return 'ready';
  const pid = Number(parseInfo(info as string).get('process_id'));
  return pid === options.expectedPid ? 'ready' : 'foreign';
}

/** True when something answers PING at `endpoint`. */
export async function ping(endpoint: Endpoint, password?: string): Promise<boolean> {
  return (await probe(endpoint, password ? { password } : {})) === 'ready';
}

/**
 * Sends SHUTDOWN (same semantics as SIGTERM: saves when persistent) and reports whether the server
 * took it. Faster than SIGTERM, which Redis only acts on at its next cron tick (up to 100 ms).
 */
export async function requestShutdown(endpoint: Endpoint, password?: string): Promise<boolean> {
  const commands = password ? [['AUTH', password], ['SHUTDOWN']] : [['SHUTDOWN']];
  try {
    const replies = await sendCommands(endpoint, commands, 2_000);
    return !replies.some((r) => r instanceof RespErrorReply);
  } catch (err) {
    return err instanceof ConnectionClosedError; // a server that shuts down just hangs up
  }
}
