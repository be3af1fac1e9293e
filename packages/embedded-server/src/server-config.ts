import type { StartRedisOptions } from './options.js';

/** Command-line arguments for redis-server. Secrets go through `secretConfig()` instead. */
export function serverArgs(o: StartRedisOptions, port: number, dir: string): string[] {
  const args = [
    '-', // read more config from stdin (see secretConfig), then these arguments
    '--port',
    String(port),
    '--bind',
    o.bind ?? '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--loglevel',
    'notice',
  ];
  if (o.persistent) {
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '3600 1 300 100 60 10000');
  } else {
    args.push('--appendonly', 'no', '--save', '');
  }
  if (o.maxmemory !== undefined) args.push('--maxmemory', String(o.maxmemory));
  if (o.maxmemoryPolicy) args.push('--maxmemory-policy', o.maxmemoryPolicy);
  return [...args, ...(o.args ?? [])];
}

/** Every byte as `\xHH` inside double quotes: no value can break out of its config line. */
function quote(value: string): string {
  return `"${[...Buffer.from(value)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`;
}

/**
 * Config written to the server's stdin, so the password never shows in `ps` or /proc/<pid>/cmdline.
 * `masterauth` lets replicas (in a cluster) authenticate to their masters.
 */
export function secretConfig(o: StartRedisOptions): string {
  if (!o.password) return '';
  return `requirepass ${quote(o.password)}\nmasterauth ${quote(o.password)}\n`;
}
