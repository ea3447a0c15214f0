import { describe, expect, it } from 'vitest';
import { methodById, methodIds, OptionError, type GatewayMethodContext } from '../../../models/methods/index.ts';

const ctx: GatewayMethodContext = {
  cpRequired: true,
  host: {
    nowUs: () => 0,
    traceNote: () => undefined,
    setTimerUs: () => () => undefined,
    clock: { setTimeout: () => 0, clearTimeout: () => undefined },
    rng: () => {
      throw new Error('unused');
    },
    traceState: () => undefined,
    traceMachine: () => ({ current: () => '' }),
    insideAddress: '10.1.0.1',
    outsideAddress: '198.51.100.1',
    sendUdp: () => undefined,
    sendToPeer: () => false,
  },
};

describe('method registry', () => {
  it('builds mode-cfg from unknown scenario data, validated', () => {
    expect(methodIds()).toEqual(['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg', 'dhcp-over-ipsec', 'mode-cfg-dhcp']);
    const m = methodById('mode-cfg');
    const provider = m.gateway({ first: '10.99.0.1', last: '10.99.0.2', prefixLength: 24, dns: ['10.1.0.53'] }, ctx);
    expect(provider.snapshot()).toEqual({});
    expect(typeof m.client({ requestConfig: false })).toBe('function');
    expect(() => m.gateway({ first: '10.99.0.1', prefixLength: 24 }, ctx)).toThrow(
      new OptionError('gateway.last', 'expected a string'),
    );
    expect(() => m.client({ requestConfig: 'yes' })).toThrow('client.requestConfig: expected a boolean');
    expect(() => methodById('nope')).toThrow(
      "unknown method 'nope' (known: dhcp-over-ike, dhcp-over-ike-wg, mode-cfg, dhcp-over-ipsec, mode-cfg-dhcp)",
    );
  });
});
