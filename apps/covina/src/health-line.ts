import type { ConnectionStatus } from '@covina/core';

function megabytes(bytes: number | null): string {
  return bytes === null ? 'unknown' : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** `redis 7.0.15 (standalone) · memory 1.02 MB · latency 0.31 ms` */
export function formatHealthLine(status: ConnectionStatus): string {
  const latency = status.latencyMs === null ? 'unreachable' : `${status.latencyMs.toFixed(2)} ms`;
  return `redis ${status.serverVersion ?? 'unknown'} (${status.mode}) · memory ${megabytes(status.usedMemory)} · latency ${latency}`;
}
