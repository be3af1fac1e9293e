import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackupManager, BackupOptionError } from '../src/index.js';
import { Scheduler } from '../src/scheduler.js';
import { useTempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds (a busy machine may be slow), failing after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('BackupManager lifecycle', () => {
  const ctx = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };
  const managers: BackupManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop().catch(() => {});
    vi.unstubAllEnvs();
  });

  async function manager(extra: Partial<ConstructorParameters<typeof BackupManager>[0]> = {}) {
    const m = new BackupManager({
      redis: ctx.redis,
      prefixes: [`${ctx.prefix}:`],
      path: `${await dir.create()}/b.db`,
      ...extra,
    });
    managers.push(m);
    return m;
  }

  it('runs on schedule, and stop() takes a last backup', async () => {
    await ctx.redis.set(`${ctx.prefix}:a`, 1);
    const m = await manager({ intervalSeconds: 0.15, keep: 50 });
    await m.start();
    expect(m.getBackupStats().nextBackupAt).toBeInstanceOf(Date);
    await until(() => m.listBackups().length >= 2);
    const scheduled = m.listBackups().length;
    await ctx.redis.set(`${ctx.prefix}:b`, 2);
    await m.stop();
    expect(m.listBackups().length).toBeGreaterThan(scheduled - 1);
    expect(m.listBackups()[0]?.keyCount).toBe(2);
    expect(m.getBackupStats()).toMatchObject({ ok: true, running: false, nextBackupAt: null, keyCount: 2 });
  });

  it('joins a backup already running instead of starting a second one', async () => {
    await ctx.redis.set(`${ctx.prefix}:a`, 1);
    const m = await manager();
    const [a, b] = await Promise.all([m.forceBackupNow(), m.forceBackupNow()]);
    expect(a.backupId).toBe(b.backupId);
    expect(m.listBackups()).toHaveLength(1);
  });

  it('restores at start when Redis holds none of the backed-up keys', async () => {
    await ctx.redis.set(`${ctx.prefix}:a`, 'kept');
    const first = await manager({ backupOnStop: false });
    await first.forceBackupNow();
    await ctx.redis.del(`${ctx.prefix}:a`);
    const second = await manager({ path: first.path, restoreOnStart: true, backupOnStop: false });
    await second.start();
    expect(await ctx.redis.get(`${ctx.prefix}:a`)).toBe('kept');

    // Not when Redis has state: the backup must not overwrite newer data.
    await ctx.redis.set(`${ctx.prefix}:a`, 'newer');
    const third = await manager({ path: first.path, restoreOnStart: true, backupOnStop: false });
    await third.start();
    expect(await ctx.redis.get(`${ctx.prefix}:a`)).toBe('newer');
  });

  it('records a failure in the stats without losing the previous backup', async () => {
    await ctx.redis.set(`${ctx.prefix}:a`, 1);
    const m = await manager({ method: 'tracked', maxPauseMs: 50 });
    const good = await m.forceBackupNow();
    const broken = ctx.client();
    const bad = new BackupManager({ redis: broken, prefixes: [`${ctx.prefix}:`], path: m.path });
    managers.push(bad);
    broken.disconnect();
    await expect(bad.forceBackupNow()).rejects.toThrow();
    expect(bad.getBackupStats()).toMatchObject({
      ok: false,
      consecutiveFailures: 1,
      checksum: good.checksum,
    });
    expect(bad.getBackupStats().lastError?.message).toBeTruthy();
    expect(m.verifyBackup().ok).toBe(true);
  });

  it('reads the interval from COVINA_BACKUP_INTERVAL_SECONDS and names bad options', async () => {
    vi.stubEnv('COVINA_BACKUP_INTERVAL_SECONDS', 'soon');
    await expect(manager()).rejects.toThrow(/COVINA_BACKUP_INTERVAL_SECONDS/);
    vi.stubEnv('COVINA_BACKUP_INTERVAL_SECONDS', '42');
    const m = await manager();
    await m.start();
    const due = m.getBackupStats().nextBackupAt!.getTime() - Date.now();
    expect(due).toBeGreaterThan(40_000);
    expect(due).toBeLessThanOrEqual(42_000);
    const error = await manager({ keep: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupOptionError);
    expect((error as BackupOptionError).context.field).toBe('keep');
    expect(() => new BackupManager({ redis: ctx.redis })).toThrow(/nothing to back up/);
    expect(() => new BackupManager({ redis: ctx.redis, prefixes: ['a*'] })).toThrow(/prefixes\[0\]/);
  });
});

describe('Scheduler', () => {
  it('never overlaps runs, even when a run outlasts the interval', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const scheduler = new Scheduler(10, async () => {
      running++;
      most = Math.max(most, running);
      await sleep(40);
      running--;
      runs++;
    });
    scheduler.start(true);
    await until(() => runs >= 3);
    await scheduler.stop();
    expect(most).toBe(1);
    const after = runs;
    await sleep(60);
    expect(runs).toBe(after);
  });
});
