import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useRedis } from '@covina/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { createKeyRegistry, MigrationConflictError, migrateKeys, restoreKeysBackup } from '../src/index.js';

const ctx = useRedis();
let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'covina-migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const registry = () =>
  createKeyRegistry({ prefix: ctx.prefix })
    .register('ocrV1', 'ocr:{document_uuid}')
    .register('ocrV2', 'doc:ocr2:{document_uuid}')
    .register('pageV1', 'page:{document_uuid}:{page}')
    .register('pageByDoc', 'pagedoc:{document_uuid}');

async function seed(count: number) {
  const keys = registry();
  const pipeline = ctx.redis.pipeline();
  for (let i = 0; i < count; i++) {
    const key = keys.format('ocrV1', { document_uuid: `d${i}` });
    if (i % 2 === 0) pipeline.set(key, `text ${i}`, 'PX', 600_000);
    else pipeline.hset(key, { text: `text ${i}`, n: i }); // any type, no TTL
  }
  await pipeline.exec();
  return keys;
}

describe('migrateKeys', () => {
  it('dry run returns the plan and changes nothing', async () => {
    const keys = await seed(5);
    const report = await migrateKeys({
      redis: ctx.redis,
      keys,
      from: { name: 'ocrV1' },
      to: 'ocrV2',
      dryRun: true,
    });
    expect(report.dryRun).toBe(true);
    expect(report.plan.moves).toHaveLength(5);
    expect(report.plan.moves).toContainEqual({
      from: `${ctx.prefix}:ocr:d3`,
      to: `${ctx.prefix}:doc:ocr2:d3`,
    });
    expect(await ctx.redis.exists(`${ctx.prefix}:ocr:d3`)).toBe(1);
    expect(await ctx.redis.exists(`${ctx.prefix}:doc:ocr2:d3`)).toBe(0);
  });

  it('moves values of any type keeping TTLs, after writing a restorable backup; verifies', async () => {
    const keys = await seed(30);
    const backupFile = join(dir, 'backup.jsonl');
    const phases = new Set<string>();
    const report = await migrateKeys({
      redis: ctx.redis,
      keys,
      from: { name: 'ocrV1' },
      to: 'ocrV2',
      backupFile,
      batchSize: 7,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(report).toMatchObject({ migrated: 30, skipped: 0, verified: true, backupFile });
    expect([...phases]).toEqual(['scan', 'backup', 'migrate', 'verify']);
    expect(await ctx.redis.get(`${ctx.prefix}:doc:ocr2:d4`)).toBe('text 4');
    expect(await ctx.redis.hgetall(`${ctx.prefix}:doc:ocr2:d5`)).toEqual({ text: 'text 5', n: '5' });
    const ttl = await ctx.redis.pttl(`${ctx.prefix}:doc:ocr2:d4`);
    expect(ttl).toBeGreaterThan(590_000);
    expect(await ctx.redis.pttl(`${ctx.prefix}:doc:ocr2:d5`)).toBe(-1);
    expect(await ctx.redis.exists(`${ctx.prefix}:ocr:d4`)).toBe(0);

    const lines = (await readFile(backupFile, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(31);
    expect(JSON.parse(lines[0]!)).toMatchObject({ covinaKeysBackup: 1, count: 30 });

    // The backup puts the old keys back, with their values and TTLs.
    expect(await restoreKeysBackup({ redis: ctx.redis, backupFile })).toEqual({ restored: 30, existing: 0 });
    expect(await ctx.redis.get(`${ctx.prefix}:ocr:d4`)).toBe('text 4');
    expect(await ctx.redis.pttl(`${ctx.prefix}:ocr:d4`)).toBeGreaterThan(590_000);
    expect(await ctx.redis.hget(`${ctx.prefix}:ocr:d5`, 'text')).toBe('text 5');
    expect(await restoreKeysBackup({ redis: ctx.redis, backupFile })).toEqual({ restored: 0, existing: 30 });
  });

  it('refuses to start when targets exist (nothing changed, no backup) unless overwrite', async () => {
    const keys = await seed(3);
    await ctx.redis.set(`${ctx.prefix}:doc:ocr2:d1`, 'newer');
    const backupFile = join(dir, 'b.jsonl');
    const run = () =>
      migrateKeys({ redis: ctx.redis, keys, from: { name: 'ocrV1' }, to: 'ocrV2', backupFile });
    await expect(run()).rejects.toBeInstanceOf(MigrationConflictError);
    expect(await ctx.redis.exists(`${ctx.prefix}:ocr:d1`)).toBe(1);
    await expect(readFile(backupFile)).rejects.toThrow();
    const report = await migrateKeys({
      redis: ctx.redis,
      keys,
      from: { name: 'ocrV1' },
      to: 'ocrV2',
      backupFile,
      overwrite: true,
    });
    expect(report.migrated).toBe(3);
    expect(await ctx.redis.hget(`${ctx.prefix}:doc:ocr2:d1`, 'text')).toBe('text 1');
  });

  it('rejects targets needing params the source lacks, and many-to-one moves', async () => {
    const keys = registry();
    await expect(
      migrateKeys({ redis: ctx.redis, keys, from: { name: 'ocrV1' }, to: 'pageV1', dryRun: true }),
    ).rejects.toThrow(/needs \{page\}/);
    await ctx.redis.set(keys.format('pageV1', { document_uuid: 'd', page: 1 }), 'a');
    await ctx.redis.set(keys.format('pageV1', { document_uuid: 'd', page: 2 }), 'b');
    await expect(
      migrateKeys({ redis: ctx.redis, keys, from: { name: 'pageV1' }, to: 'pageByDoc', dryRun: true }),
    ).rejects.toThrow(/would both move to/);
    await expect(
      migrateKeys({ redis: ctx.redis, keys, from: { name: 'ocrV1' }, to: 'ocrV2' }),
    ).rejects.toThrow(/backupFile is required/);
  });

  it('moves only keys matching the given params', async () => {
    const keys = registry();
    for (const [doc, page] of [
      ['a', 1],
      ['a', 2],
      ['b', 1],
    ] as const) {
      await ctx.redis.set(keys.format('pageV1', { document_uuid: doc, page }), `${doc}${page}`);
    }
    keys.register('pageV2', 'pages:{document_uuid}:{page}');
    const report = await migrateKeys({
      redis: ctx.redis,
      keys,
      from: { name: 'pageV1', params: { document_uuid: 'a' } },
      to: 'pageV2',
      backupFile: join(dir, 'p.jsonl'),
    });
    expect(report.migrated).toBe(2);
    expect(await ctx.redis.get(`${ctx.prefix}:page:b:1`)).toBe('b1');
    expect(await ctx.redis.get(`${ctx.prefix}:pages:a:2`)).toBe('a2');
  });
});

const sink = (write: (s: string) => void) =>
  ({
    write(s: string) {
      write(s);
      return true;
    },
  }) as unknown as NodeJS.WritableStream;

describe('covina-keys CLI', () => {
  const io = () => {
    let stdout = '';
    let stderr = '';
    return {
      io: {
        stdout: sink((s) => {
          stdout += s;
        }),
        stderr: sink((s) => {
          stderr += s;
        }),
        env: { COVINA_REDIS_URL: ctx.url } as NodeJS.ProcessEnv,
      },
      out: () => stdout,
      err: () => stderr,
    };
  };
  const templates = [
    '--prefix',
    '',
    '--template',
    'ocrV1=ocr:{document_uuid}',
    '--template',
    'ocrV2=doc:ocr2:{document_uuid}',
  ];

  it('migrate --dry-run prints the plan; migrate moves; restore undoes', async () => {
    await seed(3);
    templates[1] = ctx.prefix;
    const dry = io();
    expect(
      await runCli(['migrate', '--from', 'ocrV1', '--to', 'ocrV2', '--dry-run', ...templates], dry.io),
    ).toBe(0);
    expect(dry.out()).toContain('dry run: 3 keys would move from "ocrV1" to "ocrV2"');
    expect(dry.out()).toContain(`${ctx.prefix}:ocr:d0 -> ${ctx.prefix}:doc:ocr2:d0`);

    const backup = join(dir, 'cli.jsonl');
    const run = io();
    const args = [
      'migrate',
      '--from',
      'ocrV1',
      '--to',
      'ocrV2',
      '--backup',
      backup,
      '--progress',
      ...templates,
    ];
    expect(await runCli(args, run.io)).toBe(0);
    expect(run.out()).toMatch(/moved 3 keys .*; verified/);
    expect(run.err()).toMatch(/migrate +\[.*\] 100% \| 3\/3 keys/);
    expect(await ctx.redis.get(`${ctx.prefix}:doc:ocr2:d0`)).toBe('text 0');

    const undo = io();
    expect(await runCli(['restore', '--backup', backup], undo.io)).toBe(0);
    expect(undo.out()).toContain('restored 3 keys');
    expect(await ctx.redis.get(`${ctx.prefix}:ocr:d0`)).toBe('text 0');
  });

  it('fails clearly without Redis, with bad arguments and with unknown templates', async () => {
    const none = io();
    none.io.env = {};
    expect(await runCli(['migrate', '--from', 'a', '--to', 'b', '--dry-run'], none.io)).toBe(2);
    expect(none.err()).toContain('COVINA_REDIS_URL');
    const bad = io();
    expect(await runCli(['migrate', '--bogus'], bad.io)).toBe(2);
    const unknown = io();
    expect(await runCli(['migrate', '--from', 'nope', '--to', 'docOcr', '--dry-run'], unknown.io)).toBe(1);
    expect(unknown.err()).toContain('no template named "nope"');
    const parsed = io();
    expect(await runCli(['parse', 'covina:doc:ocr:abc'], parsed.io)).toBe(0);
    expect(parsed.out()).toContain('docOcr {"document_uuid":"abc"}');
  });
});
