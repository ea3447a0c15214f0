import { describe, expect, it } from 'vitest';
import { runInWorkerPool } from '../../scenarios/worker-pool.ts';

/** A worker speaking the pool's protocol: each job's record is the job doubled, and it says which thread ran it. */
const DOUBLER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort, threadId } from 'node:worker_threads';
    parentPort.on('message', (m) => {
      for (const { index, job } of m.jobs) parentPort.postMessage({ index, record: { value: job * 2, threadId } });
      parentPort.postMessage({ done: true });
    });
  `)}`,
);

/** Exits in the middle of its second job: the pool must fail, not resolve with a record missing. */
const QUITTER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    let seen = 0;
    parentPort.on('message', (m) => {
      if (++seen === 2) process.exit(3);
      for (const { index, job } of m.jobs) parentPort.postMessage({ index, record: job });
      parentPort.postMessage({ done: true });
    });
  `)}`,
);

describe('runInWorkerPool', () => {
  for (const ahead of [1, 2, 5])
    it(`gives every job's record once, with ${ahead} job(s) held per worker`, async () => {
      const jobs = Array.from({ length: 23 }, (_, i) => i + 1);
      const got = new Map<number, number>();
      const threads = new Set<number>();
      await runInWorkerPool<number, { value: number; threadId: number }>(
        DOUBLER,
        jobs,
        2,
        (index, r) => {
          expect(got.has(index)).toBe(false);
          got.set(index, r.value);
          threads.add(r.threadId);
        },
        'doubler',
        { ahead },
      );
      expect([...got.keys()].sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i));
      for (const [index, value] of got) expect(value).toBe((jobs[index] as number) * 2);
      expect(threads.size).toBe(2);
    });

  it('fails when a worker exits while it still holds a job', async () => {
    await expect(
      runInWorkerPool<number, number>(QUITTER, [1, 2, 3], 1, () => {}, 'quitter', { ahead: 2 }),
    ).rejects.toThrow('quitter exited with 3');
  });
});
