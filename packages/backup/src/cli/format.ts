import type { BackupInfo } from '../file/catalog.js';
import type { VerifyReport } from '../file/reader.js';
import type { RestoreReport } from '../restore/restore.js';
import type { BackupResult } from '../run-backup.js';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function age(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatBackup(result: BackupResult): string {
  const methods = result.nodes.map((n) => `${n.node} ${n.method}`).join(', ');
  return [
    `backup written: ${result.file}`,
    `  taken at   ${result.takenAt.toISOString()} (${methods})`,
    `  duration   ${result.durationMs} ms`,
    `  size       ${bytes(result.bytes)}`,
    `  keys       ${result.keyCount}   files ${result.fileCount}   tasks ${result.taskCount}`,
    `  by status  ${
      Object.entries(result.tasksByStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ') || '-'
    }`,
    `  checksum   ${result.checksum}`,
  ].join('\n');
}

export function formatList(backups: readonly BackupInfo[]): string {
  if (backups.length === 0) return 'no backups';
  const rows = [['', 'taken at', 'size', 'keys', 'files', 'tasks', 'file']];
  for (const b of backups) {
    rows.push([
      b.current ? '*' : b.readable ? '' : '!',
      b.takenAt.toISOString(),
      bytes(b.bytes),
      String(b.keyCount ?? '-'),
      String(b.fileCount ?? '-'),
      String(b.taskCount ?? '-'),
      b.readable ? b.path : `${b.path} (${b.error})`,
    ]);
  }
  return `${table(rows)}\n(* current, ! unreadable)`;
}

export function formatVerify(report: VerifyReport): string {
  const counts = Object.entries(report.counts)
    .map(([t, n]) => `${t.replace('backup_', '')} ${n}`)
    .join(', ');
  if (report.ok)
    return `OK ${report.path}\n  ${counts}\n  checksum ${report.digest}\n  checked in ${report.durationMs} ms`;
  return [`CORRUPT ${report.path}`, ...report.problems.map((p) => `  - ${p}`)].join('\n');
}

export function formatRestore(report: RestoreReport): string {
  const head = report.dryRun
    ? `dry run: restoring ${report.path} (taken ${report.takenAt}) would change:`
    : `restored ${report.path} (taken ${report.takenAt}): ${report.restoredKeys} keys written, ${report.deletedKeys} deleted in ${report.durationMs} ms`;
  const rows = [['scope', 'in backup', 'in redis', 'create', 'overwrite', 'unchanged', 'delete', 'expired']];
  for (const s of report.scopes) {
    rows.push([
      s.scope,
      String(s.keysInBackup),
      String(s.keysInRedis),
      String(s.create),
      String(s.overwrite),
      String(s.unchanged),
      String(s.delete),
      String(s.expired),
    ]);
  }
  const status = Object.entries(report.tasksByStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return `${head}\n${table(rows)}\nbackup holds ${report.fileCount} files, ${report.taskCount} tasks${status ? ` (${status})` : ''}`;
}
