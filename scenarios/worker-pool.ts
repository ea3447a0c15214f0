/**
 * Jobs spread over worker threads, one job at a time per worker (so a slow job never holds a queue behind it). The
 * worker module answers `{ jobs: [{ index, job }] }` with `{ index, record }` per job, then `{ done: true }`; sweeps
 * and fault-schedule campaigns share this protocol.
 */
import { Worker } from 'node:worker_threads';

export async function runInWorkerPool<J, R>(
  workerUrl: URL,
  jobs: readonly J[],
  n: number,
  onDone: (index: number, r: R) => void,
  what = 'worker',
): Promise<void> {
  if (jobs.length === 0) return;
  let next = 0;
  const workers = Array.from({ length: Math.min(n, jobs.length) }, () => new Worker(workerUrl));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              const index = next++;
              w.postMessage({ jobs: [{ index, job: jobs[index] }] });
            };
            w.on('message', (m: { index?: number; record?: R; done?: boolean }) => {
              if (m.record !== undefined && m.index !== undefined) onDone(m.index, m.record);
              if (m.done) feed();
            });
            w.on('error', reject);
            w.on('exit', (code) =>
              next >= jobs.length ? resolve() : reject(new Error(`${what} exited with ${code}`)),
            );
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
