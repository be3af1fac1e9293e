import { parseArgs } from 'node:util';
import type { RedisClient } from '../cache/redis-gate.js';
import { CacheKeysError, MigrationConflictError } from '../errors.js';
import { createKeyRegistry } from '../keys/registry.js';
import { migrateKeys, restoreKeysBackup } from '../migrate/migrate.js';
import { connectFromEnv } from './connect.js';
import { progressBar } from './progress.js';

const HELP = `covina-keys — COVINA key templates and key migrations

Usage:
  covina-keys templates                      list registered templates
  covina-keys parse <key>...                 show the template and params of keys
  covina-keys migrate --from <name> --to <name> [--param k=v]... --backup <file>
                      [--dry-run] [--overwrite] [--skip-verify] [--batch <n>] [--progress]
  covina-keys restore --backup <file> [--replace]

Options:
  --prefix <p>              key prefix (default: covina)
  --template <name=tpl>     register an extra template (repeatable)
  --url <redis-url>         else COVINA_REDIS_URL, else COVINA_REDIS_CLUSTER_NODES
  --json                    print the result as JSON
  -h, --help                this text
`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Runs the `covina-keys` CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    err(`covina-keys: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (command || values.help ? out : err)(HELP);
    return values.help ? 0 : 2;
  }

  let keys: ReturnType<typeof createKeyRegistry>;
  try {
    keys = createKeyRegistry({ prefix: values.prefix });
    for (const spec of values.template ?? []) {
      const eq = spec.indexOf('=');
      if (eq <= 0) throw new CacheKeysError(`--template expects name=template, got "${spec}"`);
      keys.register(spec.slice(0, eq), spec.slice(eq + 1));
    }
  } catch (error) {
    err(`covina-keys: ${(error as Error).message}`);
    return 2;
  }

  if (command === 'templates') {
    for (const name of keys.names()) out(`${name.padEnd(24)} ${keys.prefix}:${keys.template(name)}`);
    return 0;
  }
  if (command === 'parse') {
    let status = 0;
    for (const key of rest) {
      const p = keys.parse(key);
      if (!p) status = 1;
      out(
        values.json
          ? JSON.stringify({ key, ...p })
          : `${key}  ${p ? `${p.name} ${JSON.stringify(p.params)}` : '(no template)'}`,
      );
    }
    return status;
  }
  if (command !== 'migrate' && command !== 'restore') {
    err(`covina-keys: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }

  const redis = connectFromEnv(values.url, io.env);
  if (!redis) {
    err('covina-keys: no Redis given: pass --url or set COVINA_REDIS_URL (or COVINA_REDIS_CLUSTER_NODES)');
    return 2;
  }
  redis.on('error', () => {});
  const bar = progressBar(io.stderr, Boolean(values.progress));
  try {
    if (command === 'restore') {
      if (!values.backup) throw new CacheKeysError('restore needs --backup <file>');
      const result = await restoreKeysBackup({
        redis,
        backupFile: values.backup,
        replace: values.replace,
        onProgress: bar.update,
      });
      bar.stop();
      out(
        values.json
          ? JSON.stringify(result)
          : `restored ${result.restored} keys (${result.existing} existed and were kept)`,
      );
      return 0;
    }
    return await migrate(redis, keys, values, out, bar);
  } catch (error) {
    bar.stop();
    err(`covina-keys: ${(error as Error).message}`);
    if (error instanceof MigrationConflictError) for (const k of error.conflicts) err(`  ${k}`);
    return 1;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      param: { type: 'string', multiple: true },
      backup: { type: 'string' },
      'dry-run': { type: 'boolean' },
      overwrite: { type: 'boolean' },
      'skip-verify': { type: 'boolean' },
      replace: { type: 'boolean' },
      batch: { type: 'string' },
      progress: { type: 'boolean' },
      prefix: { type: 'string' },
      template: { type: 'string', multiple: true },
      url: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function migrate(
  redis: RedisClient,
  keys: ReturnType<typeof createKeyRegistry>,
  values: ReturnType<typeof parse>['values'],
  out: (line: string) => void,
  bar: ReturnType<typeof progressBar>,
): Promise<number> {
  if (!values.from || !values.to)
    throw new CacheKeysError('migrate needs --from <template> and --to <template>');
  const params: Record<string, string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CacheKeysError(`--param expects key=value, got "${p}"`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new CacheKeysError(`--batch must be a positive integer, got "${values.batch}"`);
  }
  const report = await migrateKeys({
    redis,
    keys,
    from: { name: values.from, params },
    to: values.to,
    dryRun: values['dry-run'],
    backupFile: values.backup,
    overwrite: values.overwrite,
    verify: !values['skip-verify'],
    batchSize,
    onProgress: bar.update,
  });
  bar.stop();
  if (values.json) {
    out(JSON.stringify(report));
    return 0;
  }
  const { plan } = report;
  if (report.dryRun) {
    out(`dry run: ${plan.moves.length} keys would move from "${plan.fromTemplate}" to "${plan.toTemplate}"`);
    for (const m of plan.moves.slice(0, 20)) out(`  ${m.from} -> ${m.to}`);
    if (plan.moves.length > 20) out(`  … and ${plan.moves.length - 20} more`);
    if (plan.existingTargets.length > 0) {
      out(`${plan.existingTargets.length} targets already exist (the run needs --overwrite)`);
    }
    return 0;
  }
  out(
    `moved ${report.migrated} keys from "${plan.fromTemplate}" to "${plan.toTemplate}"` +
      (report.skipped ? `, ${report.skipped} vanished meanwhile` : '') +
      `; backup: ${report.backupFile}` +
      (report.verified ? '; verified' : ''),
  );
  return 0;
}
