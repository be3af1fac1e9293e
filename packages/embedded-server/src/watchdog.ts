import { spawn } from 'node:child_process';

// $1 = server pid, $2 = a dir to remove once it is gone (ephemeral servers) or ''.
// The `read` builtin returns at EOF, when the pipe from our process closes: on exit, crash or
// SIGKILL alike. (A builtin, not `cat`: killing the shell on dispose leaves no orphan behind.)
const SCRIPT = `
alive() { kill -0 "$1" 2>/dev/null || return 1; case "$(cat /proc/$1/stat 2>/dev/null)" in *") Z "*) return 1;; esac; }
while read -r _; do :; done
kill -CONT "$1" 2>/dev/null; kill -TERM "$1" 2>/dev/null
i=0; while alive "$1" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$1" 2>/dev/null
[ -n "$2" ] && rm -rf "$2"
`;

/**
 * Ties a server's life to this process's, even through SIGKILL: a tiny detached `sh` reads a pipe
 * whose only writer is this process. When we die the kernel closes the pipe and the shell stops
 * the server (TERM, KILL after 5 s) and removes its ephemeral dir. Costs one idle `sh`.
 */
export function watchOverServer(pid: number, removeDir = ''): { dispose(): void } {
  const guard = spawn('/bin/sh', ['-c', SCRIPT, 'covina-redis-watchdog', String(pid), removeDir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: { PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` }, // for cat, sleep and rm
  });
  guard.on('error', () => {}); // no /bin/sh: servers still stop with us on a clean exit
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    dispose() {
      guard.kill('SIGKILL');
      guard.stdin?.destroy();
    },
  };
}
