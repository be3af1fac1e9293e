import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

const spawned = new Set<ChildProcess>();

/** Runs a TypeScript file of this package in a new node process (through tsx), as a user would. */
export function spawnTs(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@covina/source', '--import', 'tsx', file, ...args], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  return child;
}

/** SIGKILLs children a failed test left running (their servers follow through the watchdog). */
export function killLeftovers(): void {
  for (const child of spawned) child.kill('SIGKILL');
  spawned.clear();
}

/** Resolves with the first `lines` lines the child prints on stdout; rejects if it exits first. */
export function readLines(child: ChildProcess, lines: number, timeoutMs = 20_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no output within ${timeoutMs} ms\n${err}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const got = out.split('\n');
      if (got.length > lines) {
        clearTimeout(timer);
        resolve(got.slice(0, lines));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before printing ${lines} line(s)\n${out}\n${err}`));
    });
  });
}

/** Resolves with the exit code (or signal) once the child exits. */
export function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
}
