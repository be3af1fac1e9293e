import { type ChildProcess, spawn } from 'node:child_process';
import { LogTail } from './log-tail.js';
import { probe, requestShutdown } from './probe.js';
import { signal } from './process-state.js';
import type { Endpoint } from './resp.js';
import { watchOverServer } from './watchdog.js';

const POLL_MS = 10;

/** One redis-server process, watched over so it never outlives this one. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly log: LogTail;
  private readonly exited: Promise<void>;
  private hasExited = false;
  private readonly watchdog: { dispose(): void };

  constructor(
    binary: string,
    args: string[],
    stdinConfig: string,
    private readonly endpoint: Endpoint,
    private readonly options: { password?: string; removeDirOnOrphan?: string },
  ) {
    this.log = new LogTail(options.password ? [options.password] : []);
    // Its own process group: a Ctrl-C meant for us must not kill it before we stop it in order.
    this.child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.exited = new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (err) => {
        this.log.push(`could not run ${binary}: ${err.message}\n`);
        resolve();
      });
    }).then(() => {
      this.hasExited = true;
    });
    this.child.stdout?.on('data', (d: Buffer) => this.log.push(d));
    this.child.stderr?.on('data', (d: Buffer) => this.log.push(d));
    this.child.stdin?.on('error', () => {}); // EPIPE when it dies before reading its config
    this.child.stdin?.end(stdinConfig);
    // A server must not keep the parent's event loop alive: a test runner has to be able to exit.
    this.child.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    this.pid = this.child.pid ?? -1;
    this.watchdog = this.pid > 0 ? watchOverServer(this.pid, options.removeDirOnOrphan) : { dispose() {} };
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /** Probes whenever the server prints something, and every few ms, until it answers PING. */
  async waitUntilReady(deadline: number): Promise<'ready' | 'exited' | 'timeout'> {
    const { password } = this.options;
    while (Date.now() < deadline) {
      if (this.hasExited) return 'exited';
      const result = await probe(this.endpoint, { expectedPid: this.pid, ...(password ? { password } : {}) });
      if (result === 'ready') return 'ready';
      if (this.hasExited) return 'exited';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        this.log.onData = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.log.onData = undefined;
    }
    return 'timeout';
  }

  /**
   * Graceful stop: SHUTDOWN (the server saves when persistent, exactly as on SIGTERM), SIGTERM if
   * it cannot take the command, SIGKILL once `graceMs` have passed.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.hasExited) {
      signal(this.pid, 'SIGCONT'); // a paused server can act on neither a command nor a signal
      const accepted = await requestShutdown(this.endpoint, this.options.password);
      if (!accepted) signal(this.pid, 'SIGTERM');
      if (!(await this.waitForExit(graceMs))) {
        signal(this.pid, 'SIGKILL');
        await this.waitForExit(5_000);
      }
    }
    this.watchdog.dispose();
  }

  /** SIGKILL. */
  async kill(): Promise<void> {
    if (!this.hasExited) {
      signal(this.pid, 'SIGKILL');
      await this.waitForExit(5_000);
    }
    this.watchdog.dispose();
  }

  pause(): void {
    if (!this.hasExited) signal(this.pid, 'SIGSTOP');
  }

  resume(): void {
    if (!this.hasExited) signal(this.pid, 'SIGCONT');
  }

  /** Waits for the exit event (not polling). The child is ref'd meanwhile, or a script whose last
   * act is `await server.stop()` would end with that promise unsettled. */
  private async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.hasExited) return true;
    this.child.ref();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const exited = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!exited) this.child.unref();
    return exited;
  }
}
