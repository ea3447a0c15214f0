/** A sweep worker thread: runs the jobs it is sent, one at a time, and posts each record back. */
import { parentPort } from 'node:worker_threads';
import './node.ts';
import { runJob, type SweepJob } from './sweep-core.ts';

parentPort?.on('message', (msg: { readonly jobs: readonly { readonly index: number; readonly job: SweepJob }[] }) => {
  for (const { index, job } of msg.jobs) parentPort?.postMessage({ index, record: runJob(job) });
  parentPort?.postMessage({ done: true });
});
