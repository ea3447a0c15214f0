/**
 * The DHCP client machine (models/dhcp/client-machine.ts, RFC 2131) with IKE exchanges as its transport, shared by
 * both DHCP-over-IKE methods. The machine's `dhcp.send` outputs are collected while a method hook runs (the hook puts
 * them in the IKE message it is building) or, when the machine speaks on its own (T1, the RFC 2131 §4.4.5 renewal
 * wait), handed to `onSpontaneous` (the method starts a CREATE_CHILD_SA for them).
 *
 * DHCP retransmission under IKE (both drafts leave it to the implementation; WG §3 only asks for "normal DHCP
 * retransmission policies" when no DHCP comes back): IKE already retransmits each request until answered and the
 * responder re-sends its cached response (RFC 7296 §2.1), so the machine's own SELECTING/REQUESTING/REBOOTING
 * retransmission is disabled (`CARRIED_RETRANSMIT`: one transmission, a one-day wait). The same DHCP message is
 * re-carried only when a response came back without DHCP (WG §3, `dhcpIkeResendMax`) or a rekey carrying it must be
 * retried (RFC 7296 §2.25); on IKE give-up the IKE SA closes, and the next IKE SA starts the machine afresh at
 * DISCOVER (or INIT-REBOOT, `dhcpIkeRememberAddress`). RENEWING/REBINDING keep RFC 2131 §4.4.5's waits (≥ 60 s): a
 * renewal the rekey failed to carry goes out again on its own rekey.
 */
import { createActor, type Actor } from 'xstate';
import type { RandomStream } from '../../contract.ts';
import type { DhcpClientIdentity } from '../../dhcp/client-identity.ts';
import { dhcpClientMachine, type DhcpClientEmitted, type DhcpLeaseInfo } from '../../dhcp/client-machine.ts';
import type { RetransmitPolicy } from '../../dhcp/client-timers.ts';
import { netmaskToPrefix } from '../../wire/ipv4-address.ts';
import { messageTypeOf } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';
import type { AssignedConfig, ClientMethodContext } from '../method.ts';

/** One transmission, then a one-day wait: IKE carries and retransmits the message (see the module comment). */
export const CARRIED_RETRANSMIT: RetransmitPolicy = { delaysMs: [86_400_000], jitterMs: 0 };

export const DHCP_MACHINE = 'dhcp';

export interface CarrierConfig {
  readonly identity: DhcpClientIdentity;
  /** For the `dhcp.retransmit` trace notes (the client node notes `address.assigned` / `address.released`). */
  readonly clientName: string;
}

type Machine = Actor<typeof dhcpClientMachine>;

export class DhcpCarrier {
  private actor: Machine | undefined;
  private readonly rng: RandomStream;
  private outbox: DhcpMessage[] = [];
  private events: DhcpClientEmitted[] = [];
  private inCall = false;
  private lastSent: DhcpMessage | undefined;
  /** The last lease's address (INIT-REBOOT on the next IKE SA, draft-ietf §3's second example). */
  lastAddress: string | null = null;
  lease: DhcpLeaseInfo | undefined;
  /** A message the machine sent on its own (T1, RFC 2131 §4.4.5 waits). */
  onSpontaneous: (m: DhcpMessage) => void = () => undefined;
  /** The lease ran out (RFC 2131 §4.4.5); NAKs come back from `deliver` instead (they only arrive in a response). */
  onExpired: (address: string) => void = () => undefined;
  /** Set by `halt`: the machine's further messages are dropped until the next `begin`. */
  private halted = false;

  constructor(
    private readonly ctx: ClientMethodContext,
    readonly config: CarrierConfig,
  ) {
    this.rng = ctx.rng('dhcp');
  }

  private call(f: () => void): { sent: DhcpMessage | undefined; events: DhcpClientEmitted[] } {
    this.inCall = true;
    this.outbox = [];
    this.events = [];
    try {
      f();
    } finally {
      this.inCall = false;
    }
    const sent = this.outbox[this.outbox.length - 1];
    return { sent, events: this.events };
  }

  private onSend(m: DhcpMessage): void {
    const last = this.lastSent;
    if (last !== undefined && last.xid === m.xid && messageTypeOf(last) === messageTypeOf(m))
      this.ctx.traceNote('dhcp.retransmit', { client: this.config.clientName, xid: m.xid });
    if (this.halted) return;
    this.lastSent = m;
    if (this.inCall) this.outbox.push(m);
    else this.onSpontaneous(m);
  }

  /** (Re)starts the machine: INIT → SELECTING (DISCOVER), or INIT-REBOOT → REBOOTING (REQUEST) with `remembered`. */
  begin(remembered: string | null): DhcpMessage | undefined {
    this.actor?.stop();
    this.lease = undefined;
    this.lastSent = undefined;
    this.halted = false;
    const actor = createActor(dhcpClientMachine, {
      clock: this.ctx.clock,
      input: {
        identity: this.config.identity,
        rng: this.rng,
        nowUs: () => this.ctx.nowUs(),
        retransmit: CARRIED_RETRANSMIT,
        rememberedAddress: remembered,
      },
    });
    actor.on('*', (e) => this.onEmitted(e));
    this.ctx.traceMachine(actor, DHCP_MACHINE);
    this.actor = actor;
    return this.call(() => actor.start()).sent;
  }

  private onEmitted(e: DhcpClientEmitted): void {
    if (e.type === 'dhcp.send') {
      this.onSend(e.message);
      return;
    }
    if (e.type === 'dhcp.bound' || e.type === 'dhcp.renewed') {
      this.lease = e;
      this.lastAddress = e.address;
    }
    if (e.type === 'dhcp.nak' || e.type === 'dhcp.expired') {
      this.lease = undefined;
      this.lastAddress = null;
    }
    this.events.push(e);
    if (e.type === 'dhcp.expired') this.onExpired(e.address);
  }

  /** Server replies from an IKE response, in payload order (several OFFERs: the machine takes the first usable). */
  deliver(messages: readonly DhcpMessage[]): { sent: DhcpMessage | undefined; events: DhcpClientEmitted[] } {
    const actor = this.actor;
    return this.call(() => {
      for (const message of messages) actor?.send({ type: 'dhcp.recv', message });
    });
  }

  /**
   * The DHCP message a Child SA rekey carries (seed §2 "later, upon rekey"): BOUND renews now; a renewal already in
   * progress (RENEWING, REBINDING) is carried again (a retried rekey).
   */
  renew(): DhcpMessage | undefined {
    const state = this.state();
    if (state === 'BOUND') return this.call(() => this.actor?.send({ type: 'cmd.renew' })).sent;
    if (state === 'RENEWING' || state === 'REBINDING') return this.resend();
    return undefined;
  }

  /** The last message again, same xid (draft-ietf §3: "the same DHCP payload (but new message id)"). */
  resend(): DhcpMessage | undefined {
    const m = this.lastSent;
    if (m !== undefined) this.ctx.traceNote('dhcp.retransmit', { client: this.config.clientName, xid: m.xid });
    return m;
  }

  state(): string {
    const v = this.actor?.getSnapshot().value;
    return typeof v === 'string' ? v : 'none';
  }

  /** The configuration a lease grants (option 1 → prefix, /32 without it; option 6). */
  configOf(lease: DhcpLeaseInfo): AssignedConfig {
    return { address: lease.address, prefixLength: prefixOf(lease.mask), dns: lease.dns };
  }

  /**
   * The rekey delay that puts the rekey at `percent` of T1 after the lease start (RFC 2131 §4.4.1: the lease starts
   * when the REQUEST was sent), at least 1 ms; undefined for an infinite lease.
   */
  rekeyDelayMs(percent: number): number | undefined {
    const lease = this.lease;
    if (lease === undefined || lease.expiresAtUs >= Number.MAX_SAFE_INTEGER) return undefined;
    const startUs = lease.expiresAtUs - lease.leaseSecs * 1_000_000;
    const t1Ms = Math.round(lease.t1Secs * 1000);
    const atUs = startUs + Math.floor((t1Ms * percent) / 100) * 1000;
    return Math.max(1, Math.floor((atUs - this.ctx.nowUs()) / 1000));
  }

  /**
   * Silences the machine until the next `begin` (it may be mid-transition, e.g. expiry → INIT → DISCOVER, so it is
   * not stopped here): used when the next DHCP exchange must ride a new IKE SA.
   */
  halt(): void {
    this.halted = true;
  }

  stop(): void {
    this.actor?.stop();
    this.actor = undefined;
  }
}

function prefixOf(mask: string): number {
  return netmaskToPrefix(mask) ?? 32;
}
