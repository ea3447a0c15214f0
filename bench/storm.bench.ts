/**
 * `npm run bench -- storm`: the reconnect storm (`storm-1000`: 1,000 clients connect over 10 s, the gateway crashes at
 * 30 s and restarts at 31 s, everyone reconnects) for each method, the trace streamed into the metrics and not kept.
 * Per method: wall s, CPU s, µs of CPU per client, simulator events per CPU second, the heap after the run, and
 * whether every client was re-addressed. The reference, measured in the same process: a bare xstate actor doing one
 * `assign` per event (events/s), and the ratio of the stack's simulator events per CPU second to it (each simulator
 * event is one or more machine events, so the ratio is a floor). `STORM_METHODS=a,b` picks methods.
 */
import { cpuUsage } from 'node:process';
import { getHeapStatistics } from 'node:v8';
import { assign, createActor, setup } from 'xstate';
import { runScenario } from '../scenarios/run.ts';
import { METHOD_IDS, type MethodId } from '../scenarios/method-registry.ts';

const CLIENTS = 1000;

/** The reference: a bare xstate actor, one assign per event. */
function bareXstateEventsPerSec(events: number): number {
  const machine = setup({ types: { context: {} as { n: number }, events: {} as { type: 'tick' } } }).createMachine({
    context: { n: 0 },
    on: { tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
  let best = 0;
  for (let round = 0; round < 3; round += 1) {
    const actor = createActor(machine).start();
    const start = cpuUsage();
    for (let i = 0; i < events; i += 1) actor.send({ type: 'tick' });
    const used = cpuUsage(start);
    best = Math.max(best, events / ((used.user + used.system) / 1e6));
    actor.stop();
  }
  return Math.round(best);
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function run(): Record<string, number | string> {
  const wanted = process.env['STORM_METHODS']?.split(',') ?? [...METHOD_IDS];
  const methods = METHOD_IDS.filter((m) => wanted.includes(m)) as MethodId[];
  const bare = bareXstateEventsPerSec(500_000);
  const out: Record<string, number | string> = { clients: CLIENTS, bareXstateEventsPerSec: bare };
  for (const method of methods) {
    const wallStart = performance.now();
    const cpuStart = cpuUsage();
    const r = runScenario('storm-1000', { method, keepTrace: false });
    const cpu = cpuUsage(cpuStart);
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    const wallSecs = (performance.now() - wallStart) / 1000;
    const events = r.stop.eventsRun;
    out[`${method}.wallSecs`] = round(wallSecs);
    out[`${method}.cpuSecs`] = round(cpuSecs);
    out[`${method}.cpuUsPerClient`] = Math.round((cpuSecs * 1e6) / CLIENTS);
    out[`${method}.simEventsPerCpuSec`] = Math.round(events / cpuSecs);
    out[`${method}.ratioToBareXstate`] = round(events / cpuSecs / bare, 3);
    out[`${method}.heapUsedMbAfter`] = Math.round(getHeapStatistics().used_heap_size / 2 ** 20);
    out[`${method}.expectationsMet`] = r.ok ? 'yes' : r.expectations.filter((e) => !e.ok).length + ' failed';
  }
  return out;
}
