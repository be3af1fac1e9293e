import { parseArgs } from 'node:util';
import { createKeyRegistry } from '@covina/cache-keys';
import { createRedis } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import { BackupCorruptError, BackupError, BackupSchemaError } from '../errors.js';
import { listBackupFiles } from '../file/catalog.js';
import { backupPaths } from '../file/paths.js';
import { BackupFile } from '../file/reader.js';
import { BackupManager } from '../manager.js';
import { DEFAULT_PATH } from '../options.js';
import { discoverPipelines } from '../pipeline/discover.js';
import { restoreBackup } from '../restore/restore.js';
import type { SnapshotMethodOption } from '../snapshot/take-snapshot.js';
import { age, bytes, formatBackup, formatList, formatRestore, formatVerify } from './format.js';
import { createProgress } from './progress.js';

export const HELP = `covina-backup: SQLite backups of COVINA pipeline state in Redis

Usage:
  covina-backup now      [--pipeline <name>]... [--prefix <key prefix>]... [--method auto|replication|tracked]
  covina-backup stats
  covina-backup list
  covina-backup verify   [<file>]
  covina-backup restore  [<file>] [--dry-run] [--scope <scope>]... [--yes] [--no-verify]

Options:
  -p, --path <file>      the current backup file (default $COVINA_BACKUP_PATH or ${DEFAULT_PATH})
      --pipeline <name>  pipeline to back up (repeatable; default: every pipeline found in Redis)
      --prefix <prefix>  key prefix to back up as well, e.g. covina:state: (repeatable)
      --key-prefix <p>   prefix of the pipelines' keys (default $COVINA_KEY_PREFIX or covina)
      --method <m>       how to take a consistent copy (default auto)
      --keep <n>         backups to keep (default 5)
      --dry-run          restore: only show what would change
      --scope <scope>    restore: only this scope (pipeline:<name>, prefix:<prefix> or a pipeline name)
  -y, --yes              restore: overwrite or delete existing keys without asking for --dry-run first
      --no-verify        restore: skip the full check of the file before and of Redis after
      --json             print JSON instead of text
  -q, --quiet            no progress output
  -h, --help             this help

Redis: $COVINA_REDIS_URL (redis:// or rediss://), else COVINA_REDIS_HOST / _PORT / _PASSWORD,
or COVINA_REDIS_CLUSTER_NODES. Exit codes: 0 ok, 1 failed, 2 bad usage, 3 corrupt backup.
`;

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

const COMMANDS = ['now', 'stats', 'list', 'verify', 'restore'] as const;
type Command = (typeof COMMANDS)[number];

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      path: { type: 'string', short: 'p' },
      pipeline: { type: 'string', multiple: true },
      prefix: { type: 'string', multiple: true },
      'key-prefix': { type: 'string' },
      method: { type: 'string' },
      keep: { type: 'string' },
      'dry-run': { type: 'boolean' },
      scope: { type: 'string', multiple: true },
      yes: { type: 'boolean', short: 'y' },
      'no-verify': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  return { values, command, rest };
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, command, rest } = args;
  if (values.help || command === undefined) {
    (values.help ? io.stdout : io.stderr).write(HELP);
    return values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command as Command)) {
    io.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  const path = rest[0] ?? values.path ?? io.env.COVINA_BACKUP_PATH ?? DEFAULT_PATH;
  const json = values.json ?? false;
  const print = (value: unknown, text: string) =>
    io.stdout.write(`${json ? JSON.stringify(value, null, 2) : text}\n`);
  const progress = createProgress(io.stdout, !values.quiet && !json);
  let redis: Redis | Cluster | undefined;
  const connect = () => {
    redis ??= createRedis({ env: io.env, connectionName: 'covina-backup' }) as Redis | Cluster;
    return redis;
  };
  try {
    switch (command as Command) {
      case 'now': {
        const method = (values.method ?? 'auto') as SnapshotMethodOption;
        const keyPrefix = values['key-prefix'] ?? io.env.COVINA_KEY_PREFIX ?? 'covina';
        const client = connect();
        let pipelines = values.pipeline ?? [];
        if (pipelines.length === 0 && (values.prefix ?? []).length === 0) {
          pipelines = await discoverPipelines(client, createKeyRegistry({ prefix: keyPrefix }));
          if (pipelines.length === 0)
            throw new UsageError(`No pipeline found under "${keyPrefix}:"; pass --pipeline or --prefix`);
        }
        const keep = values.keep === undefined ? undefined : Number(values.keep);
        const manager = new BackupManager({
          redis: client,
          pipelines,
          prefixes: values.prefix ?? [],
          keyPrefix,
          path,
          method,
          ...(keep === undefined ? {} : { keep }),
        });
        const result = await manager.forceBackupNow({
          onProgress: (p) => {
            if (p.phase === 'transfer') progress.update(p.bytes, p.totalBytes, `${p.node} transfer (bytes)`);
            else progress.update(p.keys, undefined, `${p.node} ${p.phase} (keys)`);
          },
        });
        progress.stop();
        print(result, formatBackup(result));
        return 0;
      }
      case 'stats': {
        using file = BackupFile.open(backupPaths(path).current);
        const m = file.metadata();
        const takenAt = new Date(m.created_at ?? 0);
        const stats = {
          path: file.path,
          takenAt: takenAt.toISOString(),
          ageMs: Date.now() - takenAt.getTime(),
          durationMs: Number(m.duration_ms ?? 0),
          bytes: file.size(),
          checksum: m.manifest_digest ?? null,
          method: m.method ?? null,
          pipelines: JSON.parse(m.pipelines ?? '[]') as string[],
          keyCount: Number(m.key_count ?? 0),
          fileCount: Number(m.file_count ?? 0),
          taskCount: Number(m.task_count ?? 0),
          tasksByStatus: JSON.parse(m.tasks_by_status ?? '{}') as Record<string, number>,
          backups: listBackupFiles(backupPaths(path)).length,
        };
        print(
          stats,
          [
            `current backup: ${stats.path}`,
            `  taken at   ${stats.takenAt} (${age(stats.ageMs)} ago) by ${stats.method}`,
            `  duration   ${stats.durationMs} ms, size ${bytes(stats.bytes)}`,
            `  pipelines  ${stats.pipelines.join(', ') || '-'}`,
            `  keys       ${stats.keyCount}   files ${stats.fileCount}   tasks ${stats.taskCount}`,
            `  by status  ${
              Object.entries(stats.tasksByStatus)
                .map(([s, n]) => `${s} ${n}`)
                .join(', ') || '-'
            }`,
            `  checksum   ${stats.checksum}`,
            `  on disk    ${stats.backups} backup(s)`,
          ].join('\n'),
        );
        return 0;
      }
      case 'list': {
        const backups = listBackupFiles(backupPaths(path));
        print(backups, formatList(backups));
        return 0;
      }
      case 'verify': {
        using file = BackupFile.open(rest[0] ?? backupPaths(path).current);
        const report = file.verify((done, total) => progress.update(done, total, 'verify (rows)'));
        progress.stop();
        print(report, formatVerify(report));
        return report.ok ? 0 : 3;
      }
      case 'restore': {
        const verify = !values['no-verify'];
        const scopes = values.scope;
        const client = connect();
        const file = rest[0] ?? backupPaths(path).current;
        const onProgress = (p: { phase: string; done: number; total: number }) =>
          progress.update(p.done, p.total, `${p.phase} (${p.phase === 'verify' ? 'rows' : 'keys'})`);
        if (!values['dry-run'] && !values.yes) {
          // A restore overwrites and deletes keys: look first, and ask for --yes when it would.
          const plan = await restoreBackup(client, file, {
            dryRun: true,
            verify,
            onProgress,
            ...(scopes ? { scopes } : {}),
          });
          progress.stop();
          const destructive = plan.scopes.some((s) => s.overwrite > 0 || s.delete > 0);
          if (destructive) {
            io.stderr.write(
              `${formatRestore(plan)}\n\nThis restore would overwrite or delete keys; run it again with --yes.\n`,
            );
            return 1;
          }
        }
        const report = await restoreBackup(client, file, {
          dryRun: values['dry-run'] ?? false,
          verify,
          onProgress,
          ...(scopes ? { scopes } : {}),
        });
        progress.stop();
        print(report, formatRestore(report));
        return 0;
      }
    }
    return 2;
  } catch (error) {
    progress.stop();
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    const e = error as Error & { code?: string };
    io.stderr.write(`covina-backup ${command} failed${e.code ? ` (${e.code})` : ''}: ${e.message}\n`);
    return error instanceof BackupCorruptError || error instanceof BackupSchemaError
      ? 3
      : error instanceof BackupError && e.code === 'E_BACKUP_OPTION'
        ? 2
        : 1;
  } finally {
    await redis?.quit().catch(() => redis?.disconnect());
  }
}
