/**
 * Drives a DHCP client actor on a TestClock and records what it emits with the time it happened, so tests read as
 * timelines: `[atMs, type, …]`.
 */
import { createActor } from 'xstate';
import type { Actor } from 'xstate';
import type { DhcpClientEmitted, DhcpClientInput } from '../../../models/dhcp/client-machine.ts';
import { dhcpClientMachine } from '../../../models/dhcp/client-machine.ts';
import { messageTypeOf } from '../../../models/dhcp/options.ts';
import type { DhcpMessage, DhcpOption, Ipv4Address } from '../../../models/wire/dhcp/types.ts';
import { DhcpMessageType } from '../../../models/wire/dhcp/types.ts';
import { TestClock } from './test-clock.ts';
import { testRng } from './test-rng.ts';
import { ethernetIdentity } from '../../../models/dhcp/client-identity.ts';

export interface Recorded {
  readonly atMs: number;
  readonly event: DhcpClientEmitted;
}

export const TYPE_NAMES: Record<number, string> = {
  1: 'DISCOVER',
  2: 'OFFER',
  3: 'REQUEST',
  4: 'DECLINE',
  5: 'ACK',
  6: 'NAK',
  7: 'RELEASE',
  8: 'INFORM',
};

export interface ClientHarness {
  readonly clock: TestClock;
  readonly actor: Actor<typeof dhcpClientMachine>;
  readonly log: Recorded[];
  /** Messages sent so far. */
  sent(): { atMs: number; type: string; message: DhcpMessage; destination: unknown }[];
  lastSent(): DhcpMessage;
  state(): string;
  recv(message: DhcpMessage): void;
}

export function clientHarness(overrides: Partial<DhcpClientInput> = {}, seed = 1): ClientHarness {
  const clock = new TestClock();
  const input: DhcpClientInput = {
    identity: ethernetIdentity('02:00:00:00:00:01'),
    rng: testRng(seed),
    nowUs: () => clock.nowUs(),
    ...overrides,
  };
  const actor = createActor(dhcpClientMachine, { clock, input });
  const log: Recorded[] = [];
  for (const type of [
    'dhcp.send',
    'dhcp.bound',
    'dhcp.renewed',
    'dhcp.expired',
    'dhcp.nak',
    'dhcp.gaveUp',
    'dhcp.declined',
    'dhcp.released',
  ] as const) {
    actor.on(type, (event) => log.push({ atMs: clock.nowMs(), event }));
  }
  actor.start();
  const sent = (): { atMs: number; type: string; message: DhcpMessage; destination: unknown }[] =>
    log.flatMap((r) =>
      r.event.type === 'dhcp.send'
        ? [
            {
              atMs: r.atMs,
              type: TYPE_NAMES[messageTypeOf(r.event.message) ?? 0] ?? '?',
              message: r.event.message,
              destination: r.event.destination,
            },
          ]
        : [],
    );
  return {
    clock,
    actor,
    log,
    sent,
    lastSent: () => {
      const all = sent();
      const last = all[all.length - 1];
      if (!last) throw new Error('nothing sent');
      return last.message;
    },
    state: () => String(actor.getSnapshot().value),
    recv: (message) => actor.send({ type: 'dhcp.recv', message }),
  };
}

export interface ReplyParams {
  readonly yiaddr?: Ipv4Address;
  readonly serverId?: Ipv4Address;
  readonly leaseSecs?: number;
  readonly t1Secs?: number;
  readonly t2Secs?: number;
  readonly extra?: readonly DhcpOption[];
}

/** A server reply to `request` (RFC 2131 §4.3.1 table 3), enough for client tests. */
export function replyTo(
  request: DhcpMessage,
  type: (typeof DhcpMessageType)[keyof typeof DhcpMessageType],
  params: ReplyParams = {},
): DhcpMessage {
  const serverId = params.serverId ?? '192.0.2.1';
  const withLease = type === DhcpMessageType.OFFER || type === DhcpMessageType.ACK;
  const options: DhcpOption[] = [
    { kind: 'messageType', type },
    { kind: 'serverId', address: serverId },
    ...(withLease ? [{ kind: 'leaseTime', secs: params.leaseSecs ?? 3600 } as const] : []),
    ...(withLease && params.t1Secs !== undefined ? [{ kind: 'renewalTime', secs: params.t1Secs } as const] : []),
    ...(withLease && params.t2Secs !== undefined ? [{ kind: 'rebindingTime', secs: params.t2Secs } as const] : []),
    ...(withLease
      ? ([
          { kind: 'subnetMask', mask: '255.255.255.0' },
          { kind: 'routers', addresses: ['192.0.2.1'] },
          { kind: 'dnsServers', addresses: ['192.0.2.53'] },
        ] as const)
      : []),
    ...(params.extra ?? []),
  ];
  return {
    ...request,
    op: 2,
    hops: 0,
    secs: 0,
    ciaddr: type === DhcpMessageType.ACK ? request.ciaddr : '0.0.0.0',
    yiaddr: withLease ? (params.yiaddr ?? (request.ciaddr !== '0.0.0.0' ? request.ciaddr : '192.0.2.10')) : '0.0.0.0',
    options,
  };
}
