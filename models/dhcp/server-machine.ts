/**
 * The DHCP server as an xstate v5 machine around `handleDhcpMessage` and the lease store: a single worker serving a
 * bounded FIFO queue, one message per `serviceUs` (so a reconnect storm can overload it: arrivals beyond `queueMax`
 * are dropped and reported), `cmd.stall` / `cmd.unstall` (a server that still receives but stops answering), and
 * `cmd.restart` keeping or losing the leases.
 *
 * Lease expiry: lazy on every store operation, plus a timer armed for the store's next expiry so ends of leases are
 * reported (`lease.expired`) when they happen, stalled or not.
 */
import { enqueueActions, setup } from 'xstate';
import type { DhcpMessage } from '../wire/dhcp/types.ts';
import { LeaseStore } from './lease-store.ts';
import type { ExpiredLease, LeaseStoreConfig } from './lease-store.ts';
import { handleDhcpMessage } from './server.ts';
import type { DhcpServerConfig, ServerReceived, UdpEndpoint } from './server.ts';

export const DHCP_SERVER_STATES = ['serving', 'stalled'] as const;

export interface DhcpServerInput {
  readonly server: DhcpServerConfig;
  readonly leases: LeaseStoreConfig;
  readonly nowUs: () => number;
  /** Time to process one message; 0 answers at once. */
  readonly serviceUs?: number;
  /** Messages waiting beyond the one being served; default 64. */
  readonly queueMax?: number;
  /** A store to start from (a restart that kept its leases on disk). */
  readonly store?: LeaseStore;
}

export interface QueuedMessage {
  readonly message: DhcpMessage;
  readonly received: ServerReceived & { readonly interfaceName: string };
}

export type DhcpServerEvent =
  | { readonly type: 'dhcp.recv'; readonly message: DhcpMessage; readonly received: QueuedMessage['received'] }
  | { readonly type: 'timer.service' }
  | { readonly type: 'timer.expiry' }
  | { readonly type: 'cmd.stall' }
  | { readonly type: 'cmd.unstall' }
  /** Lose the queue; keep the leases (`keepLeases`, default true) or start with an empty store. */
  | { readonly type: 'cmd.restart'; readonly keepLeases?: boolean };

export type DhcpServerEmitted =
  | {
      readonly type: 'dhcp.reply';
      readonly message: DhcpMessage;
      readonly destination: UdpEndpoint;
      /** The interface the request came in on: replies leave through it. */
      readonly interfaceName: string;
      readonly note: string;
    }
  /** Handled without a reply (DECLINE, RELEASE, an ignored REQUEST, no pool…). */
  | {
      readonly type: 'dhcp.silent';
      readonly xid: number;
      readonly reason: string;
      readonly note: string;
      readonly ended?: string;
    }
  /** Not handled at all: `queue-full` or `stalled`. */
  | {
      readonly type: 'dhcp.dropped';
      readonly xid: number;
      readonly reason: 'queue-full' | 'stalled';
      readonly queueLength: number;
    }
  | ({ readonly type: 'lease.expired' } & ExpiredLease);

export interface DhcpServerContext {
  readonly input: DhcpServerInput;
  readonly store: LeaseStore;
  readonly queue: readonly QueuedMessage[];
  readonly busy: boolean;
  readonly dropped: number;
}

function serviceDelayMs(context: DhcpServerContext): number {
  return (context.input.serviceUs ?? 0) / 1000;
}

export const dhcpServerMachine = setup({
  types: {
    context: {} as DhcpServerContext,
    events: {} as DhcpServerEvent,
    input: {} as DhcpServerInput,
    emitted: {} as DhcpServerEmitted,
  },
  actions: {
    /** Handle (serviceUs 0) or enqueue an arrival; drop it when the queue is full. */
    accept: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.recv') return;
      const item: QueuedMessage = { message: event.message, received: event.received };
      if ((context.input.serviceUs ?? 0) <= 0) {
        for (const out of processOne(context, item)) enqueue.emit(out);
        return;
      }
      // The queue holds the message in service too; `queueMax` bounds it (TigerBeetle style: every queue bounded).
      const queueMax = context.input.queueMax ?? 64;
      const waiting = context.queue.length;
      if (waiting >= queueMax) {
        enqueue.assign({ dropped: context.dropped + 1 });
        enqueue.emit({ type: 'dhcp.dropped', xid: event.message.xid, reason: 'queue-full', queueLength: waiting });
        return;
      }
      enqueue.assign({ queue: [...context.queue, item] });
      if (!context.busy) {
        enqueue.assign({ busy: true });
        enqueue.cancel('service');
        enqueue.raise({ type: 'timer.service' }, { id: 'service', delay: serviceDelayMs(context) });
      }
    }),
    serveHead: enqueueActions(({ context, enqueue }) => {
      const [head, ...rest] = context.queue;
      if (head) for (const out of processOne(context, head)) enqueue.emit(out);
      enqueue.assign({ queue: rest, busy: rest.length > 0 });
      if (rest.length > 0) {
        enqueue.cancel('service');
        enqueue.raise({ type: 'timer.service' }, { id: 'service', delay: serviceDelayMs(context) });
      }
    }),
    resumeService: enqueueActions(({ context, enqueue }) => {
      if (context.queue.length === 0) return;
      enqueue.assign({ busy: true });
      enqueue.cancel('service');
      enqueue.raise({ type: 'timer.service' }, { id: 'service', delay: serviceDelayMs(context) });
    }),
    pauseService: enqueueActions(({ enqueue }) => {
      enqueue.cancel('service');
      enqueue.assign({ busy: false });
    }),
    dropStalled: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'dhcp.recv') return;
      enqueue.assign({ dropped: context.dropped + 1 });
      enqueue.emit({
        type: 'dhcp.dropped',
        xid: event.message.xid,
        reason: 'stalled',
        queueLength: context.queue.length,
      });
    }),
    sweep: enqueueActions(({ context }) => {
      context.store.expire(context.input.nowUs());
    }),
    /** Report what expired (lazily or by a sweep) and arm the timer for the next expiry. */
    armExpiry: enqueueActions(({ context, enqueue }) => {
      for (const out of takeExpired(context)) enqueue.emit(out);
      enqueue.cancel('expiry');
      const delayMs = nextExpiryDelayMs(context);
      if (delayMs !== null) enqueue.raise({ type: 'timer.expiry' }, { id: 'expiry', delay: delayMs });
    }),
    restart: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'cmd.restart') return;
      const store = event.keepLeases === false ? new LeaseStore(context.input.leases) : context.store;
      enqueue.cancel('service');
      enqueue.cancel('expiry');
      enqueue.assign({ store, queue: [], busy: false });
    }),
  },
}).createMachine({
  id: 'dhcpServer',
  context: ({ input }) => ({
    input,
    store: input.store ?? new LeaseStore(input.leases),
    queue: [],
    busy: false,
    dropped: 0,
  }),
  initial: 'serving',
  on: {
    'timer.expiry': { actions: ['sweep', 'armExpiry'] },
  },
  states: {
    serving: {
      entry: 'resumeService',
      on: {
        'dhcp.recv': { actions: ['accept', 'armExpiry'] },
        'timer.service': { actions: ['serveHead', 'armExpiry'] },
        'cmd.stall': { target: 'stalled' },
        'cmd.restart': { target: 'serving', reenter: true, actions: 'restart' },
      },
    },
    stalled: {
      entry: 'pauseService',
      on: {
        'dhcp.recv': { actions: 'dropStalled' },
        'cmd.unstall': { target: 'serving' },
        'cmd.restart': { target: 'serving', actions: 'restart' },
      },
    },
  },
});

function processOne(context: DhcpServerContext, item: QueuedMessage): DhcpServerEmitted[] {
  const outcome = handleDhcpMessage(
    context.store,
    context.input.server,
    item.message,
    item.received,
    context.input.nowUs(),
  );
  const out: DhcpServerEmitted[] = takeExpired(context);
  if (outcome.kind === 'reply') {
    out.push({
      type: 'dhcp.reply',
      message: outcome.message,
      destination: outcome.destination,
      interfaceName: item.received.interfaceName,
      note: outcome.note,
    });
  } else {
    out.push({
      type: 'dhcp.silent',
      xid: item.message.xid,
      reason: outcome.reason,
      note: outcome.note,
      ...(outcome.ended === undefined ? {} : { ended: outcome.ended }),
    });
  }
  return out;
}

function takeExpired(context: DhcpServerContext): DhcpServerEmitted[] {
  return context.store.takeExpired().map((ended) => ({ type: 'lease.expired', ...ended }));
}

/** Delay (ms, exact: the engine's clock keeps µs) until the store's next expiry; null when nothing is pending. */
function nextExpiryDelayMs(context: DhcpServerContext): number | null {
  const next = context.store.nextExpiryUs();
  return next === null ? null : Math.max(0, next - context.input.nowUs()) / 1000;
}
