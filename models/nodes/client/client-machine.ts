/**
 * One tunnel of a remote-access client as a statechart (the client node, client-node.ts, runs one per gateway: the
 * two-enterprises case of draft-richardson §4). The machine decides the connection's life; the node adapter keeps
 * the data path (packets, SPD, ESP, the workload's pings) and does what the machine emits (`tunnel.*`).
 *
 *   offline ──connect──▶ connecting ──ike.up──▶ connected ──ike.closed──▶ reconnecting ──timer──▶ connecting
 *                            │                      │                       (tries left)
 *                            └──ike.closed──────────┴──(no tries left)──▶ gaveUp
 *   connected.steady ──method's reconnect──▶ connected.restartPending ──timer──▶ connecting
 *   connecting/connected ──disconnect──▶ disconnecting ──ike.closed──▶ offline
 *   any ──node.crash──▶ down ──node.restart──▶ autoConnecting ──timer──▶ connecting   (the user had connected)
 *                                          └──▶ offline                                  (else)
 *
 * - `connecting` spawns the IKE initiator (models/ike/initiator-machine.ts) as a child with a deterministic id,
 *   `ike:<tunnel>#<n>` (a per-tunnel counter, never random), and sends it `cmd.connect`. A connect while an IKE SA is
 *   open (`connecting`, `connected`, `disconnecting`) abandons that SA first: the new IKE_AUTH carries INITIAL_CONTACT,
 *   so the gateway frees the old SA's address at once (RFC 7296 §2.4), and the address must go now (RFC 2131 §4.4.5).
 * - `connected.restartPending`: the method asked for a new IKE SA (`ctx.reconnect`, e.g. DISCOVER rides only
 *   IKE_AUTH, draft-richardson §2); once the current event is over the old SA's Delete goes out (RFC 7296 §1.4.1)
 *   and a new SA starts at once.
 * - `reconnecting` waits `reconnectDelayUs` (the policy's delay plus a jitter drawn from the tunnel's seeded stream)
 *   and counts tries; a close after the last try goes to `gaveUp`. A close we asked for (our own Delete, reason
 *   `disconnect`) is not a failure: `offline`.
 * - `down` is the node's crash (the initiator and the method's state are lost); after the restart a tunnel the user
 *   had connected comes back after `autoConnectDelayUs` (no jitter: no draw from the IKE stream), an explicit connect
 *   replacing the wait. The user's wish (`wanted`) is configuration, not a phase, so it is context, not a state.
 *
 * The waits are the node's host timers, armed on entering the waiting state and cancelled on leaving it (`tunnel.wait`
 * / `tunnel.stopWait`), not xstate `after`: the trace records each host timer that fires by name (`timer client.reconnect`)
 * and the host drops the timers of a node's previous life, both part of the trace format the client had before it
 * was a machine. The machine's own transitions are not traced (the IKE initiator's are, as `ike` / `ike@<tunnel>`).
 */
import { assign, emit, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { RandomStream } from '../../contract.ts';
import { initiatorMachine, type InitiatorInput } from '../../ike/initiator-machine.ts';
import type { NoteData } from '../../methods/method.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';

export type InitiatorRef = ActorRefFrom<typeof initiatorMachine>;

/** What the tunnel machine needs of its node at once, while it spawns an initiator. */
export interface ClientTunnelPorts {
  /** The new initiator's input: the tunnel's IKE configuration and stream, the method's current tasks. */
  initiatorInput(): InitiatorInput;
  /** A new initiator exists (not started yet): route the tunnel's IKE packets to it, trace it, hear its events. */
  attach(initiator: InitiatorRef): void;
}

/**
 * What the machine tells its node to do (emitted: delivered in order once the machine's step is over, with the
 * initiator's stop, start and commands, so the node's effects come in the order the actions are written).
 */
export type ClientTunnelEmitted =
  /** The current initiator goes: its last response retired (RFC 7296 §2.1), its Child SAs and address dropped. */
  | { readonly type: 'tunnel.detach' }
  /** The open IKE SA is given up for another (reason): the address released now, the method told. */
  | { readonly type: 'tunnel.abandon'; readonly reason: string }
  /** The user disconnects the open IKE SA: the address given up now (RFC 2131 §4.4.5), the method told. */
  | { readonly type: 'tunnel.release' }
  /** The node crashed: the method's machines stop, the tunnel's volatile state is lost. */
  | { readonly type: 'tunnel.lose' }
  | { readonly type: 'tunnel.note'; readonly text: string; readonly data: NoteData }
  /** Arm the host timer `name` (`client.reconnect`, …); when it fires the node sends `client.timer`. */
  | { readonly type: 'tunnel.wait'; readonly delayUs: number; readonly name: string }
  /** Cancel the armed wait, if any. */
  | { readonly type: 'tunnel.stopWait' };

export interface ClientTunnelInput {
  /** The tunnel's name (the initiator's actor id). */
  readonly tunnel: string;
  readonly policy: ReconnectPolicy;
  /** The tunnel's IKE stream (`ike`, `ike@<tunnel>`): the reconnect jitter is drawn from it. */
  readonly rng: RandomStream;
  readonly ports: ClientTunnelPorts;
}

export interface ClientTunnelContext extends ClientTunnelInput {
  /** Reconnects since the last successful connection (or the last connect / restart). */
  readonly tries: number;
  /** The last user command was connect: the tunnel is to be up, also after a crash. */
  readonly wanted: boolean;
  /** The current wait, drawn on entering `reconnecting`. */
  readonly delayUs: number;
  readonly restartReason: string;
  /** Initiators spawned so far (the actor id's counter). */
  readonly spawned: number;
  readonly initiator: InitiatorRef | undefined;
}

export type ClientTunnelEvent =
  /** The user: bring the tunnel up (again, if it is up). */
  | { readonly type: 'client.connect' }
  | { readonly type: 'client.disconnect' }
  /** The method: replace the IKE SA (`ClientMethodContext.reconnect`). */
  | { readonly type: 'client.restartIke'; readonly reason: string }
  /** The IKE initiator (forwarded by the node once it has updated the data path). */
  | { readonly type: 'ike.up' }
  | { readonly type: 'ike.closed'; readonly reason: string }
  | { readonly type: 'node.crash' }
  | { readonly type: 'node.restart' }
  /** The current wait is over (the node's host timer fired). */
  | { readonly type: 'client.timer' };

type Ctx = ClientTunnelContext;

/** The reconnect wait: the policy's delay plus a jitter from the tunnel's stream (µs). */
export function reconnectDelayUs(ctx: Ctx): number {
  return (ctx.policy.delayMs + ctx.rng.intBelow(ctx.policy.jitterMs + 1)) * 1000;
}

/** The wait after a restart before a wanted tunnel comes back (µs; no jitter, no draw). */
export function autoConnectDelayUs(ctx: Ctx): number {
  return ctx.policy.delayMs * 1000;
}

const DETACH = { type: 'tunnel.detach' } as const;
const RELEASE = { type: 'tunnel.release' } as const;
const LOSE = { type: 'tunnel.lose' } as const;
const STOP_WAIT = { type: 'tunnel.stopWait' } as const;
const CONNECT = { type: 'cmd.connect' } as const;
const DISCONNECT = { type: 'cmd.disconnect' } as const;

export const clientMachine = setup({
  types: {
    context: {} as Ctx,
    input: {} as ClientTunnelInput,
    events: {} as ClientTunnelEvent,
    emitted: {} as ClientTunnelEmitted,
  },
  actors: { initiator: initiatorMachine },
  guards: {
    triesLeft: ({ context }) => context.tries < context.policy.triesMax,
    /** Our own Delete closed it (reason `disconnect`): not a failure to recover from. */
    closedOnPurpose: ({ event }) => event.type === 'ike.closed' && event.reason === 'disconnect',
    wanted: ({ context }) => context.wanted,
  },
  actions: {
    want: assign({ wanted: true, tries: 0 }),
    forget: assign({ wanted: false }),
    resetTries: assign({ tries: 0 }),
    drawReconnectDelay: assign(({ context }) => ({ tries: context.tries + 1, delayUs: reconnectDelayUs(context) })),
    noteReconnect: emit(({ context }) => ({
      type: 'tunnel.note' as const,
      text: 'client.reconnect',
      data: { attempt: context.tries, delayUs: context.delayUs },
    })),
    noteAutoConnect: emit(({ context }) => ({
      type: 'tunnel.note' as const,
      text: 'client.autoConnect',
      data: { delayUs: autoConnectDelayUs(context) },
    })),
    rememberRestart: assign(({ event }) => (event.type === 'client.restartIke' ? { restartReason: event.reason } : {})),
    noteRestart: emit(({ context }) => ({
      type: 'tunnel.note' as const,
      text: 'client.restart',
      data: { reason: context.restartReason },
    })),
    abandon: emit(({ context }, params: { readonly reason: 'reconnect' | 'restart' }) => ({
      type: 'tunnel.abandon' as const,
      reason: params.reason === 'restart' ? context.restartReason : 'reconnect',
    })),
    release: emit(RELEASE),
    /** Zero delay: once the current event is over (we may be inside the initiator's own transition). */
    waitRestart: emit({ type: 'tunnel.wait', delayUs: 0, name: 'client.restart' }),
    waitReconnect: emit(({ context }) => ({
      type: 'tunnel.wait' as const,
      delayUs: context.delayUs,
      name: 'client.reconnect',
    })),
    waitAutoConnect: emit(({ context }) => ({
      type: 'tunnel.wait' as const,
      delayUs: autoConnectDelayUs(context),
      name: 'client.autoConnect',
    })),
    stopWait: emit(STOP_WAIT),
    /** The old IKE SA's Delete (RFC 7296 §1.4.1), or its end before any SA exists; a closed initiator hears nothing. */
    disconnectInitiator: enqueueActions(({ context, enqueue }) => {
      const ref = context.initiator;
      if (ref !== undefined && ref.getSnapshot().status === 'active') enqueue.sendTo(ref, DISCONNECT);
    }),
    /** The old initiator (if any) goes, a new one is spawned with a deterministic id and told to connect. */
    replaceInitiator: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(DETACH);
      if (context.initiator !== undefined) enqueue.stopChild(context.initiator);
      const id = `ike:${context.tunnel}#${context.spawned}`;
      let ref: InitiatorRef | undefined;
      enqueue.assign(({ spawn }) => {
        ref = spawn('initiator', { id, input: context.ports.initiatorInput() });
        context.ports.attach(ref);
        return { initiator: ref, spawned: context.spawned + 1 };
      });
      enqueue.sendTo(() => ref as InitiatorRef, CONNECT);
    }),
    /** The crash: the method's state, the data path's and the initiator are lost. */
    lose: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(LOSE);
      if (context.initiator !== undefined) enqueue.stopChild(context.initiator);
      enqueue.assign({ initiator: undefined });
    }),
  },
}).createMachine({
  id: 'client',
  context: ({ input }) => ({
    ...input,
    tries: 0,
    wanted: false,
    delayUs: 0,
    restartReason: '',
    spawned: 0,
    initiator: undefined,
  }),
  initial: 'offline',
  on: {
    'node.crash': { target: '.down', actions: 'lose' },
  },
  states: {
    offline: {
      on: {
        'client.connect': { target: 'connecting', actions: ['want', 'replaceInitiator'] },
        'client.disconnect': { actions: 'forget' },
      },
    },
    connecting: {
      on: {
        'ike.up': { target: 'connected', actions: 'resetTries' },
        'ike.closed': [
          { guard: 'closedOnPurpose', target: 'offline' },
          { guard: 'triesLeft', target: 'reconnecting', actions: ['drawReconnectDelay', 'noteReconnect'] },
          { target: 'gaveUp' },
        ],
        'client.connect': {
          target: 'connecting',
          reenter: true,
          actions: ['want', { type: 'abandon', params: { reason: 'reconnect' } }, 'replaceInitiator'],
        },
        'client.disconnect': { target: 'disconnecting', actions: ['forget', 'release', 'disconnectInitiator'] },
      },
    },
    connected: {
      initial: 'steady',
      on: {
        'ike.closed': [
          { guard: 'closedOnPurpose', target: 'offline' },
          { guard: 'triesLeft', target: 'reconnecting', actions: ['drawReconnectDelay', 'noteReconnect'] },
          { target: 'gaveUp' },
        ],
        'client.connect': {
          target: 'connecting',
          actions: ['want', { type: 'abandon', params: { reason: 'reconnect' } }, 'replaceInitiator'],
        },
        'client.disconnect': { target: 'disconnecting', actions: ['forget', 'release', 'disconnectInitiator'] },
      },
      states: {
        steady: {
          on: { 'client.restartIke': { target: 'restartPending', actions: 'rememberRestart' } },
        },
        restartPending: {
          entry: 'waitRestart',
          exit: 'stopWait',
          on: {
            'client.timer': {
              target: '#client.connecting',
              actions: [
                'noteRestart',
                'disconnectInitiator',
                { type: 'abandon', params: { reason: 'restart' } },
                'replaceInitiator',
              ],
            },
          },
        },
      },
    },
    reconnecting: {
      entry: 'waitReconnect',
      exit: 'stopWait',
      on: {
        'client.timer': { target: 'connecting', actions: 'replaceInitiator' },
        'client.connect': { target: 'connecting', actions: ['want', 'replaceInitiator'] },
        'client.disconnect': { target: 'offline', actions: 'forget' },
      },
    },
    gaveUp: {
      on: {
        'client.connect': { target: 'connecting', actions: ['want', 'replaceInitiator'] },
        'client.disconnect': { target: 'offline', actions: 'forget' },
      },
    },
    /** The user disconnected; the initiator's Delete is under way (RFC 7296 §1.4.1). */
    disconnecting: {
      on: {
        'ike.closed': { target: 'offline' },
        'client.connect': {
          target: 'connecting',
          actions: ['want', { type: 'abandon', params: { reason: 'reconnect' } }, 'replaceInitiator'],
        },
        'client.disconnect': { actions: ['release', 'disconnectInitiator'] },
      },
    },
    down: {
      on: {
        'node.restart': [
          { guard: 'wanted', target: 'autoConnecting', actions: ['resetTries', 'noteAutoConnect'] },
          { target: 'offline' },
        ],
      },
    },
    autoConnecting: {
      entry: 'waitAutoConnect',
      exit: 'stopWait',
      on: {
        'client.timer': { target: 'connecting', actions: 'replaceInitiator' },
        'client.connect': { target: 'connecting', actions: ['want', 'replaceInitiator'] },
        'client.disconnect': { target: 'offline', actions: 'forget' },
      },
    },
  },
});
