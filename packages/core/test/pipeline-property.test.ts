import { useRedis } from '@covina/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewTask, PipelineStore } from '../src/pipeline/index.js';
import { makeStore } from './pipeline/helpers.js';

/** A random DAG: edges only go from a lower to a higher node, so it has no cycle. */
const dagArbitrary = fc.integer({ min: 1, max: 18 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    edges:
      size < 2
        ? fc.constant<Array<[number, number]>>([])
        : fc.array(
            fc
              .tuple(fc.integer({ min: 0, max: size - 2 }), fc.integer({ min: 1, max: size - 1 }))
              // Two distinct nodes, the lower one the parent (b >= 1, so a pair always exists).
              .map(([a, b]): [number, number] => (a < b ? [a, b] : [b - 1, b])),
            { maxLength: size * 2 },
          ),
    // Insertion order (any order is valid inside one call), where the call is split in two,
    // chunk size, claim batch size, and which tasks fail for good.
    order: fc.shuffledSubarray([...Array(size).keys()], { minLength: size, maxLength: size }),
    split: fc.integer({ min: 0, max: size }),
    chunk: fc.integer({ min: 1, max: 5 }),
    batch: fc.integer({ min: 1, max: 4 }),
    failing: fc.subarray([...Array(size).keys()], { maxLength: Math.min(3, size) }),
    priorities: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: size, maxLength: size }),
    // Which of 3 files each task belongs to (3 = none: a batch-level task).
    files: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: size, maxLength: size }),
  }),
);

type Dag = typeof dagArbitrary extends fc.Arbitrary<infer T> ? T : never;

async function insert(store: PipelineStore, dag: Dag, batchId: string, fileIds: string[]): Promise<string[]> {
  const parents = Array.from({ length: dag.size }, () => new Set<number>());
  for (const [a, b] of dag.edges) parents[b]!.add(a);
  // Nodes of the first call may only depend on nodes of the first call.
  const firstCall = new Set(dag.order.slice(0, dag.split));
  const ids: string[] = [];
  const call = async (nodes: number[]) => {
    const tasks: NewTask[] = nodes.map((node) => ({
      ref: `n${node}`,
      taskType: `node-${node}`,
      workerType: 'w',
      priority: dag.priorities[node]!,
      maxAttempts: 1,
      ...(fileIds[dag.files[node]!] === undefined ? { batchId } : { fileId: fileIds[dag.files[node]!]! }),
      dependsOn: [...parents[node]!].map((p) => (ids[p] === undefined ? `n${p}` : ids[p]!)),
    }));
    const created = await store.addTasks(tasks);
    nodes.forEach((node, i) => {
      ids[node] = created[i]!;
    });
  };
  // Edges go from lower to higher nodes: in index order, parents are decided before children.
  const inFirst: boolean[] = [];
  for (let n = 0; n < dag.size; n++)
    inFirst[n] = firstCall.has(n) && [...parents[n]!].every((p) => inFirst[p]);
  const first = dag.order.filter((n) => inFirst[n]);
  const rest = dag.order.filter((n) => !first.includes(n));
  if (first.length > 0) await call(first);
  if (rest.length > 0) await call(rest);
  return ids;
}

describe('PipelineStore on random DAGs (property)', () => {
  const ctx = useRedis();
  let run = 0;

  it('every task runs exactly once, after all its parents; failures cancel exactly the descendants', async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary, async (dag) => {
        const store = makeStore(ctx, { pipeline: `prop${run++}`, bulkChunkSize: dag.chunk });
        const batchId = await store.createBatch();
        const fileIds = await Promise.all(
          [0, 1, 2].map((f) =>
            store.addFileToBatch({ batchId, path: `/f${f}`, hash: `h${f}`, size: 1, mimeType: 'text/plain' }),
          ),
        );
        const ids = await insert(store, dag, batchId, fileIds);
        const node = new Map(ids.map((id, i) => [id, i]));
        const parents = Array.from({ length: dag.size }, () => new Set<number>());
        for (const [a, b] of dag.edges) parents[b]!.add(a);

        const started: number[] = [];
        const finished = new Set<number>();
        for (let round = 0; round < dag.size * 4; round++) {
          const batch = await store.claimTasks('w', dag.batch);
          if (batch.length === 0) break;
          for (const task of batch) {
            const n = node.get(task.id)!;
            expect(started).not.toContain(n);
            // Every parent completed before this one was handed out.
            for (const p of parents[n]!) expect(finished.has(p) && !dag.failing.includes(p)).toBe(true);
            started.push(n);
          }
          for (const task of batch) {
            const n = node.get(task.id)!;
            const status = dag.failing.includes(n) ? 'failed' : 'completed';
            await store.updateTaskStatus(task.id, status, { leaseToken: task.leaseToken, error: 'planned' });
            finished.add(n);
          }
        }

        // Expected outcome: a node fails if planned, is cancelled if an ancestor failed, else completes.
        const doomed = new Set<number>();
        for (let n = 0; n < dag.size; n++) {
          if ([...parents[n]!].some((p) => doomed.has(p) || dag.failing.includes(p))) doomed.add(n);
        }
        const tasks = await store.getTasks(ids);
        for (const task of tasks) {
          const n = node.get(task.id)!;
          const expected = doomed.has(n) ? 'cancelled' : dag.failing.includes(n) ? 'failed' : 'completed';
          expect(task.status).toBe(expected);
          expect(started.includes(n)).toBe(expected !== 'cancelled');
        }
        const stats = await store.getStats();
        expect(stats.tasks).toMatchObject({ total: dag.size, ready: 0, waiting: 0, active: 0 });
        // Batch and file counters agree with the tasks; files end as their tasks say.
        const byStatus = (list: typeof tasks, status: string) =>
          list.filter((t) => t.status === status).length;
        const progress = await store.getBatchProgress(batchId);
        expect(progress).toMatchObject({
          done: true,
          percent: 100,
          tasks: {
            total: dag.size,
            completed: byStatus(tasks, 'completed'),
            failed: byStatus(tasks, 'failed'),
            cancelled: byStatus(tasks, 'cancelled'),
            active: 0,
            ready: 0,
            waiting: 0,
          },
          files: { total: 3 },
        });
        for (const [f, fileId] of fileIds.entries()) {
          const own = tasks.filter((t) => t.fileId === fileId);
          const file = await store.getFileById(fileId);
          const expected =
            own.length === 0
              ? 'pending'
              : byStatus(own, 'failed') > 0
                ? 'failed'
                : byStatus(own, 'cancelled') > 0
                  ? 'cancelled'
                  : 'completed';
          expect({ file: f, status: file?.status }).toEqual({ file: f, status: expected });
          expect(file?.tasks).toEqual({
            total: own.length,
            open: 0,
            failed: byStatus(own, 'failed'),
            cancelled: byStatus(own, 'cancelled'),
          });
        }
      }),
      { numRuns: 40 },
    );
  });
});
