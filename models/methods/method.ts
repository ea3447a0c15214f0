/**
 * A method is how a remote-access client gets its inner address. It plugs two things into the IKE machines and nodes,
 * and nothing else knows which method runs:
 *
 * Client side (`ClientMethodTasks`, built per node by a `ClientMethodFactory` from a `ClientMethodContext`):
 * - payloads added to the first IKE_AUTH (after AUTH, before SAi2 — RFC 7296 §2.19's order), the selectors of the
 *   SAi2 it carries (wildcards, to be narrowed: draft-ietf-ipsec-dhcp-over-ike-00 §3), or none at all (`childInAuth`
 *   false: childless IKE_AUTH, RFC 6023, for methods that create their Child SAs later);
 * - how each IKE_AUTH response is read: configured, failed, or `more` = another IKE_AUTH round with these payloads
 *   (draft-ietf-ipsec-dhcp-over-ike-00 §3: "the following packets can be repeated as many times as needed");
 * - CREATE_CHILD_SA: the method may ask for new Child SAs with its own selectors and payloads (draft-richardson §2:
 *   SK{SAi2, Ni, TSi, TSr, DHCP(REQUEST)}; RFC 3456 §3.1 b–e: a DHCP SA, then a tunnel SA), add payloads to the
 *   rekeys the IKE timers start (draft-richardson §2 "later, upon rekey"), read every CREATE_CHILD_SA response, set a
 *   Child SA's rekey time (the rekey must come no later than the DHCP T1) and delete Child SAs (RFC 3456 §4.4);
 * - a data path: send an inner UDP datagram through the client's SPD (RFC 4301 §4.4.1; the DHCP client over UDP of
 *   RFC 3456 §4.1) and receive the UDP datagrams that arrive through its Child SAs;
 * - its own machines run on the node's clock and are traced (`traceMachine`).
 *
 * Gateway side (`AddressProvider`, built with a `GatewayMethodContext` whose `host` is a `ProviderHost`):
 * - answers every IKE_AUTH round, now (a pool) or later (DHCP); the responder waits in a state meanwhile and gives
 *   up with INTERNAL_ADDRESS_FAILURE after `addressTimeoutMs` (strongSwan's dhcp plugin blocks a thread instead);
 * - optionally answers every CREATE_CHILD_SA (new child or child rekey), asynchronously too, with payloads for the
 *   response and the address TSi is narrowed to (draft-richardson §2; RFC 3456 §4.2 "plumb a corresponding route");
 * - UDP services on the gateway: send from the inside interface (a relay 67→67, RFC 3456 §4.2; a DHCP client on the
 *   peer's behalf 68→67, strongSwan's dhcp plugin), receive datagrams for the gateway by port, from the inside
 *   network or decapsulated from a peer's tunnel, and send a datagram into one peer's Child SA (RFC 3456 §4.4).
 */
import type { AnyActorRef } from 'xstate';
import type { RandomStream, VirtualClock } from '../contract.ts';
import type { UdpApp } from '../wire/packet.ts';
import type { IkePayload, IkeTrafficSelector } from '../wire/ike/index.ts';
import type { AssignedConfig } from '../ike/tasks/ike-config.ts';
import type { PolicyDescriptor, PolicyValue } from './policy.ts';
import type {
  AddressAnswer,
  AddressRequest,
  ChildAnswer,
  ChildProviderRequest,
  ChildRequest,
  IkeClientHooks,
} from '../ike/hooks.ts';

export type {
  AddressAnswer,
  AddressRequest,
  ChildAnswer,
  ChildExchangeInfo,
  ChildProviderRequest,
  ChildRequest,
  ChildSelectors,
  ClientAuthOutcome,
  ClientChildOutcome,
  IkeClientHooks,
} from '../ike/hooks.ts';

export type { AssignedConfig };

/** Trace-note data: flat scalars only (the trace is JSON). */
export type NoteData = Readonly<Record<string, string | number | boolean>>;

/** A UDP datagram as nodes and methods see it: addresses, ports, the decoded application layer (DHCP, raw, …). */
export interface UdpDatagram {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly app: UdpApp;
}

// ---------------------------------------------------------------------------------------------------------------
// Client side

/** A Child SA as the client node holds it. `seq` orders slots by creation (the SPD's "oldest" tie-break). */
export interface ClientChildView {
  readonly slot: string;
  readonly seq: number;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly tsi: readonly IkeTrafficSelector[];
  readonly tsr: readonly IkeTrafficSelector[];
}

/** Where `sendUdp` put a datagram: sealed into a Child SA, in the clear on the physical interface, or nowhere. */
export type SendVerdict = { readonly kind: 'tunnel'; readonly slot: string } | { readonly kind: 'clear' };

/** What the client node gives its method (one per node life; a crash builds a new one). */
export interface ClientMethodContext {
  /** xstate clock on virtual time: `createActor(machine, { clock: ctx.clock })`. */
  readonly clock: VirtualClock;
  /** The method's own seeded stream, forked as `node:<name>:method:<label>` (each call forks anew: keep it). */
  rng(label: string): RandomStream;
  nowUs(): number;
  /** A plain timer on virtual time (dies with the node's life); returns a cancel function. */
  setTimerUs(delayUs: number, name: string, fire: () => void): () => void;
  traceState(machine: string, from: string, to: string): void;
  traceNote(text: string, data?: NoteData): void;
  /** Reports an actor's transitions as `state` events of machine `machine` (e.g. `dhcp`); `states()` lists it. */
  traceMachine(actor: AnyActorRef, machine: string): { current(): string };
  /** The node's physical (outer) address: RFC 3456 §4.1's chaddr x'4000'+address, draft-ietf §4. */
  readonly outerAddress: string;
  /** The gateway's (outside) address this tunnel goes to: RFC 3456 §4.1's IDcr. */
  readonly gatewayAddress: string;
  /** True while an IKE SA is established (requests below are queued until then, and dropped when it closes). */
  ikeUp(): boolean;
  /** CREATE_CHILD_SA for a new Child SA, or a rekey of `slot` (window 1: queued behind other exchanges). */
  requestChild(req: ChildRequest): void;
  /**
   * The IKE_AUTH round a `hold` answer held goes now with these payloads (draft-ietf-ipsec-dhcp-over-ike-00 §3: the
   * DHCP client's retransmission paces the rounds). Ignored unless the initiator holds a round.
   */
  continueAuth(payloads: readonly IkePayload[]): void;
  /**
   * (Re)arms the rekey of `slot` `delayMs` from now (draft-richardson §2: no later than the DHCP T1), capped at the
   * configured Child SA lifetime (a DHCP timer brings a rekey forward, never postpones it past the lifetime).
   */
  scheduleChildRekey(slot: string, delayMs: number): void;
  /** INFORMATIONAL SK{D(ESP)} for the slot's Child SA (RFC 3456 §3.1 d, §4.4: the DHCP SA is deleted). */
  deleteChild(slot: string): void;
  /**
   * Closes this IKE SA and starts a new one at once (after the current event): one INFORMATIONAL SK{D} (RFC 7296
   * §1.4.1; deleting the IKE SA closes its Child SAs) that the new IKE SA does not wait for. For a method that can
   * get a new address only in IKE_AUTH (the DHCP-over-IKE drafts: DISCOVER rides IKE_AUTH, seed §2, WG §3) after
   * its lease is lost (RFC 2131 §4.4.5). No-op while no IKE SA is up (a reconnect is then already the node's job).
   */
  reconnect(reason: string): void;
  /** The inner address is now `config` (or none): updates the SPD source and `client.configured`. */
  configure(config: AssignedConfig | undefined): void;
  /**
   * An inner datagram through the SPD (RFC 4301 §4.4.1): a Child SA whose TSi covers the source and TSr the
   * destination (protocol 17, ports) seals it (ESP tunnel mode); no match ⇒ it leaves in the clear on the physical
   * interface. Overlaps: the most specific match wins, then the oldest slot (see client-spd.ts).
   */
  sendUdp(d: UdpDatagram): SendVerdict;
  children(): readonly ClientChildView[];
}

export interface ClientMethodTasks extends IkeClientHooks {
  /** The IKE SA is established (after the last IKE_AUTH round). */
  onIkeUp?(config: AssignedConfig | undefined): void;
  /** The IKE SA is gone (`disconnect`, `dead-peer`, `deleted-by-peer`, a notify name, …). */
  onIkeClosed?(reason: string): void;
  /** A Child SA is installed (`rekey`: it replaced the slot's previous one); RFC 3456 §4.1 sends DHCP over it. */
  onChild?(child: ClientChildView, rekey: boolean): void;
  /** A UDP datagram that arrived decapsulated from Child SA `slot` (not the echo workload's). */
  onUdp?(d: UdpDatagram, slot: string): void;
  /** The node crashed or stops: stop actors (a restart builds new tasks through the factory). */
  stop?(): void;
}

export type ClientMethodFactory = (ctx: ClientMethodContext) => ClientMethodTasks;

// ---------------------------------------------------------------------------------------------------------------
// Gateway side

/** Where a datagram for the gateway came from: the inside network, or decapsulated from a peer's Child SA. */
export type UdpSource =
  | { readonly via: 'inside' }
  | { readonly via: 'tunnel'; readonly ikeSaId: string; readonly peerId: string; readonly spiIn: number };

/** What a provider may use on the gateway. */
export interface ProviderHost {
  nowUs(): number;
  traceNote(text: string, data?: NoteData): void;
  setTimerUs(delayUs: number, name: string, fire: () => void): () => void;
  /** xstate clock on virtual time for the provider's actors. */
  readonly clock: VirtualClock;
  /** The provider's own stream, forked as `node:<gateway>:provider:<label>` (each call forks anew: keep it). */
  rng(label: string): RandomStream;
  traceState(machine: string, from: string, to: string): void;
  traceMachine(actor: AnyActorRef, machine: string): { current(): string };
  readonly insideAddress: string;
  readonly outsideAddress: string;
  /** Sends from the inside interface; `src` defaults to the inside address (giaddr of a relay, RFC 3046 §2.0). */
  sendUdp(d: Omit<UdpDatagram, 'src'> & { readonly src?: string }): void;
  /**
   * Seals a datagram into the IKE SA's Child SA whose TSi covers `dst` and TSr covers `src` (ports, protocol 17);
   * false when none does (RFC 3456 §4.2: a relayed OFFER back down the DHCP SA).
   */
  sendToPeer(ikeSaId: string, d: UdpDatagram): boolean;
  /**
   * Deletes the IKE SA (INFORMATIONAL SK{D}, RFC 7296 §1.4.1) and stops accepting its Child SAs' traffic: a provider
   * whose lease for the peer's address ends (RFC 2131 §4.4.5) takes the address back this way, so the peer drops it.
   * Optional: a gateway without it gets a `provider.cannotClose` note and the lease lapses under the tunnel.
   */
  closeIkeSa?(ikeSaId: string, reason: string): void;
}

export interface AddressProvider {
  /** Each IKE_AUTH round: calls `answer` exactly once, now or later. */
  request(req: AddressRequest, answer: (a: AddressAnswer) => void): void;
  /**
   * Each CREATE_CHILD_SA that creates or rekeys a Child SA (not IKE SA rekeys). Absent ⇒ answered at once, TSi
   * narrowed to the IKE SA's address. Calls `answer` exactly once; the responder waits (duplicate-request policy,
   * `addressTimeoutMs` ⇒ INTERNAL_ADDRESS_FAILURE for a new child, TEMPORARY_FAILURE for a rekey).
   */
  childRequest?(req: ChildProviderRequest, answer: (a: ChildAnswer) => void): void;
  /** UDP ports on which datagrams addressed to the gateway (inside address or broadcast) go to `onUdp`. */
  readonly udpPorts?: readonly number[];
  onUdp?(d: UdpDatagram, from: UdpSource): void;
  /**
   * The IKE SA is gone (deleted, dead peer, failed): free what it held. `peerMayHold`: the gateway ended it (a dead or
   * lost peer, a replaced SA, a lease running out) and the peer may still use the address until it notices, so a lease
   * must not be handed back early (it runs out at the server instead, RFC 2131 §4.4.5); false when the peer deleted it
   * itself or said it forgot it (INITIAL_CONTACT, RFC 7296 §2.4).
   */
  release(ikeSaId: string, peerId: string, peerMayHold?: boolean): void;
  /**
   * The responder stopped waiting for this IKE SA's pending answer (addressTimeoutMs answered
   * INTERNAL_ADDRESS_FAILURE or TEMPORARY_FAILURE first): stop retrying on its behalf. Optional.
   */
  abandon?(ikeSaId: string): void;
  /** A crash: forget volatile state. */
  reset(): void;
  /** For tests and the web view: address → owner identity. */
  snapshot(): Readonly<Record<string, string>>;
}

export interface GatewayMethodContext {
  readonly host: ProviderHost;
  /** RFC 7296 §2.19: a peer that sends no CP where one is required gets FAILED_CP_REQUIRED. */
  readonly cpRequired: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Method modules and the registry

/** A method module, typed by its option shapes. `parse*Options` validate scenario data (throw naming the field). */
export interface Method<ClientOptions, GatewayOptions> {
  readonly id: string;
  parseClientOptions(raw: unknown): ClientOptions;
  parseGatewayOptions(raw: unknown): GatewayOptions;
  client(options: ClientOptions): ClientMethodFactory;
  gateway(options: GatewayOptions, ctx: GatewayMethodContext): AddressProvider;
  /** The method's named policies (models/methods/policy.ts), each with its default and the section it models. */
  readonly policies?: readonly PolicyDescriptor[];
  /** Defaults of shared policies (COMMON_POLICIES) that differ for this method, e.g. mode-cfg-dhcp's addressTimeoutMs. */
  readonly policyDefaults?: Readonly<Record<string, PolicyValue>>;
}

/** A method as the registry holds it: options are `unknown` scenario data, validated inside. */
export interface MethodFactory {
  readonly id: string;
  client(options: unknown): ClientMethodFactory;
  gateway(options: unknown, ctx: GatewayMethodContext): AddressProvider;
  readonly policies?: readonly PolicyDescriptor[];
  readonly policyDefaults?: Readonly<Record<string, PolicyValue>>;
}

export function defineMethod<C, G>(m: Method<C, G>): MethodFactory {
  return {
    id: m.id,
    client: (raw) => m.client(m.parseClientOptions(raw)),
    gateway: (raw, ctx) => m.gateway(m.parseGatewayOptions(raw), ctx),
    ...(m.policies === undefined ? {} : { policies: m.policies }),
    ...(m.policyDefaults === undefined ? {} : { policyDefaults: m.policyDefaults }),
  };
}

/** Wraps fixed tasks (no per-node state) as a factory. */
export function staticTasks(tasks: ClientMethodTasks): ClientMethodFactory {
  return () => tasks;
}

// ---------------------------------------------------------------------------------------------------------------
// Option validation (shared by the method modules)

/**
 * Method options arrive as scenario data (`unknown`): each reader returns a typed value or throws an `OptionError`
 * naming the field path (`gateway.first`), so a bad scenario fails before the run starts.
 */
export class OptionError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'OptionError';
  }
}

export type OptionRecord = Readonly<Record<string, unknown>>;

export function record(raw: unknown, path: string): OptionRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionError(path, 'expected an object');
  return raw as OptionRecord;
}

export function requiredString(o: OptionRecord, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new OptionError(`${path}.${key}`, 'expected a string');
  return v;
}

export function requiredNumber(o: OptionRecord, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new OptionError(`${path}.${key}`, 'expected an integer');
  return v;
}

export function optionalNumber(o: OptionRecord, key: string, path: string): number | undefined {
  return o[key] === undefined ? undefined : requiredNumber(o, key, path);
}

export function optionalBoolean(o: OptionRecord, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new OptionError(`${path}.${key}`, 'expected a boolean');
  return v;
}

export function stringList(o: OptionRecord, key: string, path: string): string[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new OptionError(`${path}.${key}`, 'expected a list of strings');
  return v as string[];
}
