/**
 * Jobs spread over worker threads. The worker module answers `{ jobs: [{ index, job }] }` with `{ index, record }` per
 * job, then `{ done: true }`; sweeps and fault-schedule campaigns share this protocol. Each worker holds `ahead` jobs
 * at most: 1 (the default) means a slow job never holds a queue behind it; 2 lets a worker start its next job as soon
 * as it posts a record instead of idling until the main thread, which competes for the same cores, answers.
 */
import { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** Jobs sent to a worker before it reports one done (default 1). */
  readonly ahead?: number;
}

export async function runInWorkerPool<J, R>(
  workerUrl: URL,
  jobs: readonly J[],
  n: number,
  onDone: (index: number, r: R) => void,
  what = 'worker',
  o: WorkerPoolOptions = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const ahead = Math.max(1, o.ahead ?? 1);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, jobs.length) }, () => new Worker(workerUrl));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let held = 0;
            const feed = (): void => {
              while (held < ahead && next < jobs.length) {
                const index = next++;
                held++;
                w.postMessage({ jobs: [{ index, job: jobs[index] }] });
              }
              if (held === 0) resolve();
            };
            w.on('message', (m: { index?: number; record?: R; done?: boolean }) => {
              if (m.record !== undefined && m.index !== undefined) onDone(m.index, m.record);
              if (m.done) {
                held--;
                feed();
              }
            });
            w.on('error', reject);
            w.on('exit', (code) =>
              next >= jobs.length && held === 0 ? resolve() : reject(new Error(`${what} exited with ${code}`)),
            );
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
