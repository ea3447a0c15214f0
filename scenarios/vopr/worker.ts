/** A campaign worker thread: runs the schedules it is sent, one at a time, and posts each outcome back. */
import { parentPort } from 'node:worker_threads';
import '../node.ts';
import { runScheduleJob, type ScheduleJob } from './campaign.ts';

parentPort?.on(
  'message',
  (msg: { readonly jobs: readonly { readonly index: number; readonly job: ScheduleJob }[] }) => {
    for (const { index, job } of msg.jobs) parentPort?.postMessage({ index, record: runScheduleJob(job) });
    parentPort?.postMessage({ done: true });
  },
);
