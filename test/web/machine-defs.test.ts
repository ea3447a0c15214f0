import { describe, expect, it } from 'vitest';
import { activePaths, definitionFor, sideOfRole } from '../../web/model/machine-defs.ts';
import { MACHINES } from '../../scenarios/metrics/machine-registry.ts';
import { walked } from '../../scenarios/metrics/machine-walk.ts';

describe('machine definitions for the State panel', () => {
  it('finds the definition a node runs from the traced name and the node side (the §4 registry)', () => {
    const ike = definitionFor('ike', 'client · IKE initiator');
    expect(ike?.id).toBe('ike-i');
    expect(ike?.states.map((s) => s.path)).toEqual(
      walked(MACHINES.find((m) => m.name === 'ike' && m.side === 'client')?.machine as never).states.map((s) => s.path),
    );
    expect(ike?.states.find((s) => s.path === 'established')?.kind).toBe('parallel');
    // The initiator's RFC 7296 states, `established` with its parallel regions (issue 13).
    expect(ike?.states.map((s) => s.path)).toEqual(
      expect.arrayContaining(['idle', 'initSent', 'authSent', 'established.window.ready', 'deleting', 'closed']),
    );
    expect(definitionFor('ike:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('ike-r');
    const dhcp = definitionFor('dhcp', 'client · IKE initiator');
    expect(dhcp?.states.map((s) => s.path)).toContain('REBINDING');
    // RFC 2131 §4.4 figure 5: BOUND → RENEWING when T1 expires (or on a renew command).
    expect(
      dhcp?.transitions.filter((t) => t.from === 'BOUND' && t.to.includes('RENEWING')).map((t) => t.event),
    ).toEqual(['timer.t1', 'cmd.renew']);
    // Guards are named as in setup(): an ACK in REQUESTING binds only when it is an ACK (RFC 2131 §4.4.1).
    expect(dhcp?.transitions).toContainEqual({ from: 'REQUESTING', to: ['BOUND'], event: 'dhcp.recv', guard: 'isAck' });
    expect(definitionFor('dhcp:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('dhcpClient');
    // The gateway's relay session per IKE SA (issue 13) is drawn from its definition too.
    expect(definitionFor('relay:1', 'gateway · IKE responder')?.id).toBe('relaySession');
    // The client's connection machine and the gateway machine (issue 13), drawn from their definitions.
    const connection = definitionFor('connection', 'client · IKE initiator');
    expect(connection?.id).toBe('client');
    expect(connection?.states.map((s) => s.path)).toEqual(
      expect.arrayContaining(['offline', 'connecting', 'connected.steady', 'reconnecting', 'gaveUp', 'down']),
    );
    expect(definitionFor('connection@b', 'client · IKE initiator')?.id).toBe('client');
    const gateway = definitionFor('gateway', 'gateway · IKE responder');
    expect(gateway?.states.map((s) => s.path)).toEqual(['up', 'down']);
    expect(gateway?.transitions).toContainEqual({ from: 'up', to: ['down'], event: 'gw.crash' });
    expect(definitionFor('unknown', 'client')).toBeUndefined();
  });

  it('derives the side from the role and the active configuration from a dotted state', () => {
    expect(sideOfRole('gateway · IKE responder')).toBe('gateway');
    expect(sideOfRole('client · IKE initiator')).toBe('client');
    expect(activePaths('established.ready')).toEqual(['established', 'established.ready']);
    expect(activePaths('BOUND')).toEqual(['BOUND']);
  });
});
