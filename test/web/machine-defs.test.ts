import { describe, expect, it } from 'vitest';
import { definitionFor } from '../../web/model/machine-defs.ts';

describe('machine definitions for the State panel', () => {
  it('walks the IKE initiator, the responder and the DHCP client from their xstate definitions', () => {
    const ike = definitionFor('ike', 'client · IKE initiator');
    expect(ike?.id).toBe('ike-i');
    expect(ike?.states).toEqual([
      'idle',
      'initSent',
      'authSent',
      'established',
      'established.ready',
      'established.busy',
      'deleting',
      'closed',
    ]);
    expect(ike?.atomic.has('established')).toBe(false);
    expect(ike?.transitions).toContainEqual({ from: 'authSent', to: 'established.ready', events: ['go.ready'] });
    expect(definitionFor('ike:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('ike-r');
    const dhcp = definitionFor('dhcp', 'client · IKE initiator');
    expect(dhcp?.states).toContain('REBINDING');
    // RFC 2131 §4.4 figure 5: BOUND → RENEWING when T1 expires.
    expect(dhcp?.transitions).toContainEqual({ from: 'BOUND', to: 'RENEWING', events: ['timer.t1', 'cmd.renew'] });
    expect(definitionFor('dhcp:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('dhcpClient');
    expect(definitionFor('relay', 'gateway · IKE responder')).toBeUndefined();
  });
});
