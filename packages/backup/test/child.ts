import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Child processes run the TypeScript sources with tsx; `.lua` files load as text, as in the build.
const registerLua = new URL('../../../tools/register-lua.mjs', import.meta.url).href;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Spawns a TypeScript file of this package under tsx (sources, not the build). */
export function spawnTs(file: URL, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@covina/source', '--import', tsx, '--import', registerLua, fileURLToPath(file), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Resolves with the child's stdout once a line satisfies `match` (rejects if it exits first). */
export function waitForLine(
  child: ChildProcess,
  match: (line: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (match(line)) {
          clearTimeout(timer);
          resolve(line);
          return;
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) first; stdout: ${buffer}; stderr: ${stderr}`));
    });
  });
}

/** Collects a child's output until it exits. */
export function runToEnd(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
