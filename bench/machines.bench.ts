/**
 * `npm run bench -- machines`: where the storm's machine time goes. Runs `storm-1000` per method (`STORM_METHODS=a,b`,
 * default mode-cfg and dhcp-over-ike) with every machine event timed (the lab actor's `process` on the fast runtime,
 * xstate's `transition` otherwise), and prints per machine and per (machine, event type): events, exclusive ms (time
 * in nested machines' events subtracted; the actions' own work, e.g. encoding a packet an action emits, is included)
 * and µs per event, the top `MACHINES_TOP` (default 25) rows. The timing wrapper costs a little per event: compare rows with each other, not with `storm` figures.
 *
 * `runtime` (statechart-figures.ts, run after the storm part, imported then, on machines created after the timing
 * patch is gone): events/s of the bare flat actor, a 4-region
 * parallel actor and the IKE initiator's liveness path on xstate's interpreter and on the fast runtime
 * (sim/statechart), same process; the reference is xstate's flat actor. `MACHINES_PART=runtime` or `storm` runs one
 * part only.
 */
import { StateMachine } from 'xstate';
import { METHOD_IDS, type MethodId } from '../scenarios/method-registry.ts';

interface Row {
  events: number;
  exclusiveMs: number;
}

type Transition = (
  this: { readonly id: string },
  snapshot: unknown,
  event: { readonly type: string },
  actorScope: unknown,
) => unknown;

/** A timed machine (or other logic): its id as the rows name it. */
type Timed = (key: { readonly id: string }, event: { readonly type: string }, call: () => unknown) => unknown;

/**
 * Times every machine event while `fn` runs; returns the rows by machine and by machine + event. Two entry points are
 * wrapped: `StateMachine.prototype.transition` (xstate's interpreter: a machine binds `transition` when it is created,
 * so only machines created after this patch are timed, and the scenario modules are imported afterwards; run this
 * bench alone) and the lab actor's `process` (the fast runtime's actor: its logic's transition, then the deferred
 * effects and observers of the new snapshot, which xstate's actor runs outside `transition`). Nested timed calls are
 * subtracted, so each row is exclusive.
 */
async function timed(fn: () => Promise<void>): Promise<Map<string, Row>> {
  const proto = StateMachine.prototype as unknown as { transition: Transition };
  const original = proto.transition;
  const { LabActor } = await import('../sim/statechart/lab-actor.ts');
  const actorProto = LabActor.prototype as unknown as {
    process: (this: LabActorLike, event: { type: string }) => void;
  };
  const originalProcess = actorProto.process;
  const rows = new Map<string, Row>();
  const nested: number[] = [];
  const add = (key: string, ms: number): void => {
    const row = rows.get(key) ?? { events: 0, exclusiveMs: 0 };
    row.events += 1;
    row.exclusiveMs += ms;
    rows.set(key, row);
  };
  const time: Timed = (key, event, call) => {
    const start = performance.now();
    nested.push(0);
    try {
      return call();
    } finally {
      const ms = performance.now() - start;
      const inner = nested.pop() ?? 0;
      if (nested.length > 0) nested[nested.length - 1] = (nested[nested.length - 1] ?? 0) + ms;
      add(key.id, ms - inner);
      add(`${key.id} ${event.type}`, ms - inner);
    }
  };
  proto.transition = function (this: { readonly id: string }, snapshot, event, actorScope) {
    return time(this, event, () => original.call(this, snapshot, event, actorScope));
  };
  actorProto.process = function (this: LabActorLike, event) {
    // A lab actor running xstate's own machine logic is timed by `transition` (inside): only fast logic here.
    const machine = this.logic.fastRuntime === true ? this.logic.machine : undefined;
    if (machine === undefined) return originalProcess.call(this, event);
    time(machine, event, () => originalProcess.call(this, event));
  };
  try {
    await fn();
  } finally {
    proto.transition = original;
    actorProto.process = originalProcess;
  }
  return rows;
}

/** What the timing patch reads of a lab actor. */
interface LabActorLike {
  readonly logic: { readonly fastRuntime?: true; readonly machine?: { readonly id: string } };
}

export async function run(): Promise<Record<string, unknown>> {
  const wanted = process.env['STORM_METHODS']?.split(',') ?? ['mode-cfg', 'dhcp-over-ike'];
  const top = Number(process.env['MACHINES_TOP'] ?? 25);
  const methods = METHOD_IDS.filter((m) => wanted.includes(m)) as MethodId[];
  const part = process.env['MACHINES_PART'] ?? 'all';
  const out: Record<string, unknown> = {};
  for (const method of part === 'runtime' ? [] : methods) {
    const start = performance.now();
    const rows = await timed(async () => {
      const { runScenario } = await import('../scenarios/run.ts');
      runScenario('storm-1000', { method, keepTrace: false });
    });
    if (rows.size === 0) throw new Error('no machine transition was timed: run this bench alone');
    const wallMs = Math.round(performance.now() - start);
    out[method] = {
      wallMs,
      top: [...rows]
        .sort((a, b) => b[1].exclusiveMs - a[1].exclusiveMs)
        .slice(0, top)
        .map(([key, r]) => ({
          key,
          events: r.events,
          exclusiveMs: Math.round(r.exclusiveMs),
          usPerEvent: Math.round((r.exclusiveMs * 1000) / r.events),
        })),
    };
  }
  if (part === 'all' || part === 'runtime') {
    const { statechartFigures } = await import('./statechart-figures.ts');
    out['runtime'] = statechartFigures();
  }
  return out;
}
