import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConnectionConfigError } from '../errors/connection-errors.js';

/** The variables naming TLS files, and the option each fills. */
const FILES = {
  COVINA_REDIS_TLS_CA_FILE: 'ca',
  COVINA_REDIS_TLS_CERT_FILE: 'cert',
  COVINA_REDIS_TLS_KEY_FILE: 'key',
} as const;

/**
 * TLS material named by the environment: a CA to verify the server with, and a client
 * certificate and key for servers that require one (`tls-auth-clients yes`). Files, not
 * values, so keys stay out of process listings and environment dumps. An unreadable file
 * throws `ConnectionConfigError` naming the variable (never the file's content).
 */
export function tlsFilesFromEnv(env: Record<string, string | undefined>): TlsOptions {
  const tls: TlsOptions = {};
  for (const [variable, option] of Object.entries(FILES) as Array<
    [keyof typeof FILES, 'ca' | 'cert' | 'key']
  >) {
    const path = env[variable]?.trim();
    if (!path) continue;
    try {
      tls[option] = readFileSync(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConnectionConfigError(`${variable} names a file that cannot be read (${reason}): ${path}`, {
        context: { field: variable, value: path },
      });
    }
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    const missing = tls.cert === undefined ? 'COVINA_REDIS_TLS_CERT_FILE' : 'COVINA_REDIS_TLS_KEY_FILE';
    throw new ConnectionConfigError(
      `${missing} is required with its pair (a client certificate and its key)`,
      {
        context: { field: missing },
      },
    );
  }
  return tls;
}
