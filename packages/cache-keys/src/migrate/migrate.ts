import type { RedisClient } from '../cache/redis-gate.js';
import { scanKeys } from '../cache/scan.js';
import { MigrationConflictError, MigrationError, MigrationVerifyError } from '../errors.js';
import { type AnyKeyRegistry, createKeyRegistry } from '../keys/registry.js';
import type { ParamValue } from '../keys/template-types.js';
import { BackupWriter, readBackup } from './backup-file.js';
import { dumpKeys, existsEach, restoreKeys } from './dump.js';

export type MigrationPhase = 'scan' | 'backup' | 'migrate' | 'verify' | 'restore';

export interface MigrateKeysOptions {
  /** An ioredis `Redis` or `Cluster` (every master is scanned). */
  redis: RedisClient;
  /**
   * The registry holding both templates.
   * @default createKeyRegistry()
   */
  keys?: AnyKeyRegistry;
  /** Keys to move: every key of template `name` whose parameters match `params`. */
  from: { name: string; params?: Record<string, ParamValue> };
  /** Template to move them to; its parameters must all exist in `from`'s template. */
  to: string;
  /**
   * Only compute and return the plan (nothing is written, no backup needed).
   * @default false
   */
  dryRun?: boolean;
  /**
   * JSON-lines file written (and flushed) before any key changes: restore it with
   * `restoreKeysBackup`. Required unless `dryRun`; must not exist yet.
   */
  backupFile?: string;
  /**
   * Check afterwards that every target exists and no source is left.
   * @default true
   */
  verify?: boolean;
  /**
   * Replace target keys that already exist (else the migration refuses to start).
   * @default false
   */
  overwrite?: boolean;
  /**
   * Keys per SCAN COUNT and per DUMP/RESTORE round trip.
   * @default 500
   */
  batchSize?: number;
  /** Progress callback (the CLI draws its bar with it). @default undefined */
  onProgress?: (progress: { phase: MigrationPhase; done: number; total: number }) => void;
}

/** One key to move. */
export interface KeyMove {
  from: string;
  to: string;
}

export interface MigrationPlan {
  fromTemplate: string;
  toTemplate: string;
  moves: KeyMove[];
  /** Targets that already exist (a run without `overwrite` refuses to start). */
  existingTargets: string[];
}

export interface MigrationReport {
  plan: MigrationPlan;
  dryRun: boolean;
  /** Keys moved. */
  migrated: number;
  /** Keys that vanished (expired or deleted) between planning and moving. */
  skipped: number;
  backupFile?: string;
  /** `true` when verification ran and passed; `undefined` when it did not run. */
  verified?: boolean;
}

/**
 * Moves keys from one template to another, keeping values and TTLs: DUMP + PTTL, RESTORE
 * under the new name, UNLINK the old one (RENAME cannot cross Cluster slots). The plan is
 * computed first; then a backup file is written and flushed before any key changes; counts
 * are verified at the end. Keys written during the migration may be lost: stop writers first.
 */
export async function migrateKeys(options: MigrateKeysOptions): Promise<MigrationReport> {
  const keys: AnyKeyRegistry = options.keys ?? createKeyRegistry();
  const batch = options.batchSize ?? 500;
  const progress = options.onProgress ?? (() => {});
  const fromParams = options.from.params ?? {};
  if (!options.dryRun && !options.backupFile) {
    throw new MigrationError(
      'backupFile is required (a migration always writes a backup first); or use dryRun',
    );
  }
  if (!keys.has(options.from.name))
    throw new MigrationError(`from: no template named "${options.from.name}"`);
  if (!keys.has(options.to)) throw new MigrationError(`to: no template named "${options.to}"`);
  const sourceParams = keys.paramsOf(options.from.name);
  const missing = keys.paramsOf(options.to).filter((p) => !sourceParams.includes(p));
  if (missing.length > 0) {
    throw new MigrationError(
      `to: template "${options.to}" needs ${missing.map((p) => `{${p}}`).join(', ')}, which ` +
        `"${options.from.name}" keys do not have`,
    );
  }

  const plan = await planMigration(
    options.redis,
    keys,
    options.from.name,
    fromParams,
    options.to,
    batch,
    progress,
  );
  if (options.dryRun) return { plan, dryRun: true, migrated: 0, skipped: 0 };
  if (plan.existingTargets.length > 0 && !options.overwrite) {
    throw new MigrationConflictError(
      `${plan.existingTargets.length} target key(s) already exist; nothing was changed (pass overwrite to replace them)`,
      plan.existingTargets.slice(0, 20),
    );
  }

  const backupFile = options.backupFile!;
  const targetOf = new Map(plan.moves.map((m) => [m.from, m.to]));
  const sources = plan.moves.map((m) => m.from);
  const backup = await BackupWriter.create(backupFile, {
    reason: `migrate ${options.from.name} -> ${options.to}`,
    count: sources.length,
  });
  try {
    for (let i = 0; i < sources.length; i += batch) {
      await backup.write(await dumpKeys(options.redis, sources.slice(i, i + batch)));
      progress({ phase: 'backup', done: Math.min(i + batch, sources.length), total: sources.length });
    }
  } finally {
    await backup.close();
  }

  let migrated = 0;
  const moved: KeyMove[] = [];
  for (let i = 0; i < sources.length; i += batch) {
    const dumped = await dumpKeys(options.redis, sources.slice(i, i + batch));
    await restoreKeys(options.redis, dumped, (k) => targetOf.get(k)!, Boolean(options.overwrite));
    await unlinkEach(
      options.redis,
      dumped.map((d) => d.key),
    );
    for (const d of dumped) moved.push({ from: d.key, to: targetOf.get(d.key)! });
    migrated += dumped.length;
    progress({ phase: 'migrate', done: Math.min(i + batch, sources.length), total: sources.length });
  }
  const report: MigrationReport = {
    plan,
    dryRun: false,
    migrated,
    skipped: sources.length - migrated,
    backupFile,
  };
  if (options.verify ?? true) report.verified = await verifyMoves(options.redis, moved, batch, progress);
  return report;
}

async function planMigration(
  redis: RedisClient,
  keys: AnyKeyRegistry,
  from: string,
  fromParams: Record<string, ParamValue>,
  to: string,
  batch: number,
  progress: NonNullable<MigrateKeysOptions['onProgress']>,
): Promise<MigrationPlan> {
  const toParams = keys.paramsOf(to);
  const moves: KeyMove[] = [];
  const targets = new Map<string, string>();
  const scan = scanKeys(redis, keys.pattern(from, fromParams), {
    count: batch,
    timeoutMs: 30_000,
    filter: (k) => keys.matches(k, from, fromParams),
  });
  for await (const found of scan) {
    for (const key of found) {
      const params = keys.parse(key)!.params as Record<string, string>;
      const target = keys.formatDynamic(to, Object.fromEntries(toParams.map((p) => [p, params[p]!])));
      const clash = targets.get(target);
      if (clash !== undefined) {
        throw new MigrationConflictError(
          `${clash} and ${key} would both move to ${target}; nothing was changed`,
          [target],
        );
      }
      targets.set(target, key);
      moves.push({ from: key, to: target });
    }
    progress({ phase: 'scan', done: moves.length, total: moves.length });
  }
  const existingTargets: string[] = [];
  for (let i = 0; i < moves.length; i += batch) {
    const chunk = moves.slice(i, i + batch);
    const exists = await existsEach(
      redis,
      chunk.map((m) => m.to),
    );
    chunk.forEach((m, j) => {
      if (exists[j] === 1 && m.to !== m.from) existingTargets.push(m.to);
    });
  }
  return { fromTemplate: from, toTemplate: to, moves, existingTargets };
}

async function verifyMoves(
  redis: RedisClient,
  moved: readonly KeyMove[],
  batch: number,
  progress: NonNullable<MigrateKeysOptions['onProgress']>,
): Promise<boolean> {
  let targetsFound = 0;
  let sourcesLeft = 0;
  for (let i = 0; i < moved.length; i += batch) {
    const chunk = moved.slice(i, i + batch);
    const [targets, sources] = await Promise.all([
      existsEach(
        redis,
        chunk.map((m) => m.to),
      ),
      existsEach(
        redis,
        chunk.map((m) => m.from),
      ),
    ]);
    targetsFound += targets.reduce((a, b) => a + b, 0);
    sourcesLeft += sources.reduce((a, b) => a + b, 0);
    progress({ phase: 'verify', done: Math.min(i + batch, moved.length), total: moved.length });
  }
  // A target may have expired meanwhile (its TTL was kept): only count it missing if it had time left.
  if (targetsFound !== moved.length || sourcesLeft > 0) {
    throw new MigrationVerifyError(
      `Verification failed: ${targetsFound}/${moved.length} target keys exist, ${sourcesLeft} source keys remain`,
      moved.length,
      targetsFound,
    );
  }
  return true;
}

async function unlinkEach(redis: RedisClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (redis.isCluster) await Promise.all(keys.map((k) => redis.unlink(k)));
  else await redis.unlink(...keys);
}

export interface RestoreBackupOptions {
  redis: RedisClient;
  /** A file written by `migrateKeys`. */
  backupFile: string;
  /**
   * Replace keys that exist (else they are left as they are and counted in `existing`).
   * @default false
   */
  replace?: boolean;
  /** @default 500 */
  batchSize?: number;
  onProgress?: MigrateKeysOptions['onProgress'];
}

/** Puts the keys of a backup file back (values and the TTLs they had at backup time). */
export async function restoreKeysBackup(
  options: RestoreBackupOptions,
): Promise<{ restored: number; existing: number }> {
  const batch = options.batchSize ?? 500;
  let total = 0;
  let restored = 0;
  let existing = 0;
  for await (const item of readBackup(options.backupFile, batch)) {
    if (!Array.isArray(item)) {
      total = item.count;
      continue;
    }
    let toRestore = item;
    if (!options.replace) {
      const exists = await existsEach(
        options.redis,
        item.map((d) => d.key),
      );
      toRestore = item.filter((_, i) => exists[i] === 0);
      existing += item.length - toRestore.length;
    }
    await restoreKeys(options.redis, toRestore, (k) => k, Boolean(options.replace));
    restored += toRestore.length;
    options.onProgress?.({ phase: 'restore', done: restored + existing, total });
  }
  return { restored, existing };
}
