import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createLockManager, type LockManager, LockTimeoutError } from '../src/index.js';

const ctx = useRedis();
const opened: LockManager[] = [];

function managers(count: number): LockManager[] {
  const made = Array.from({ length: count }, () =>
    createLockManager({ redis: ctx.client(), prefix: ctx.prefix }),
  );
  opened.push(...made);
  return made;
}

async function until(probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.close()));
});

describe('read-write lock', () => {
  it('shares reads and excludes a writer while anyone reads, and readers while it writes', async () => {
    const [a, b] = managers(2);
    const rwA = a!.readWriteLock('catalog');
    const rwB = b!.readWriteLock('catalog');
    const r1 = await rwA.acquireRead({ waitMs: 0 });
    const r2 = await rwB.acquireRead({ waitMs: 0 });
    expect(await rwA.readers()).toBe(2);
    await expect(rwB.acquireWrite({ waitMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    await r1.release();
    await r2.release();
    const w = await rwB.acquireWrite({ waitMs: 0 });
    expect(w.fence).toBeGreaterThan(r2.fence);
    await expect(rwA.acquireRead({ waitMs: 0 })).rejects.toMatchObject({ context: { kind: 'read' } });
    await expect(rwA.acquireWrite({ waitMs: 0 })).rejects.toMatchObject({ context: { kind: 'write' } });
    await w.release();
    const r3 = await rwA.acquireRead({ waitMs: 0 });
    await r3.release();
  });

  it('does not starve a waiting writer: new readers queue behind it', async () => {
    const [a, b, c] = managers(3);
    const reading = await a!.readWriteLock('index').acquireRead();
    const writer = b!.readWriteLock('index').acquireWrite({ waitMs: 5_000 });
    const intents = a!.keys.format('lockWritersWaiting', { name: 'index' });
    await until(async () => (await ctx.redis.zcard(intents)) > 0); // the writer recorded its intent
    await expect(c!.readWriteLock('index').acquireRead({ waitMs: 0 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    const lateReader = c!.readWriteLock('index').acquireRead({ waitMs: 5_000 });
    await reading.release();
    const w = await writer;
    let readerIn = false;
    void lateReader.then(() => {
      readerIn = true;
    });
    await sleep(50);
    expect(readerIn).toBe(false);
    await w.release();
    const r = await lateReader;
    expect(r.fence).toBeGreaterThan(w.fence);
    await r.release();
  });

  it('lets readers in again when a waiting writer gives up', async () => {
    const [a, b, c] = managers(3);
    const reading = await a!.readWriteLock('docs').acquireRead();
    await expect(b!.readWriteLock('docs').acquireWrite({ waitMs: 150 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    // The withdrawal is sent without holding the caller's error back.
    const intents = a!.keys.format('lockWritersWaiting', { name: 'docs' });
    await until(async () => (await ctx.redis.zcard(intents)) === 0);
    const r = await c!.readWriteLock('docs').acquireRead({ waitMs: 0 });
    await Promise.all([r.release(), reading.release()]);
  });

  it('keeps its invariant under mixed contention', async () => {
    const clients = managers(6);
    let readers = 0;
    let writers = 0;
    let maxReaders = 0;
    const violations: string[] = [];
    let writes = 0;
    await Promise.all(
      clients.map(async (locks, i) => {
        const rw = locks.readWriteLock('mixed');
        for (let n = 0; n < 8; n++) {
          if ((i + n) % 3 === 0) {
            await rw.withWrite(
              async () => {
                writers++;
                if (writers > 1 || readers > 0) violations.push(`writers=${writers} readers=${readers}`);
                await sleep(2);
                writers--;
                writes++;
              },
              { waitMs: 20_000 },
            );
          } else {
            await rw.withRead(
              async () => {
                readers++;
                maxReaders = Math.max(maxReaders, readers);
                if (writers > 0) violations.push(`reader with writers=${writers}`);
                await sleep(2);
                readers--;
              },
              { waitMs: 20_000 },
            );
          }
        }
      }),
    );
    expect(violations).toEqual([]);
    expect(writes).toBe(16);
    expect(maxReaders).toBeGreaterThan(1);
  });
});
