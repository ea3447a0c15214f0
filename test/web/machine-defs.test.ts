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
      'authReceived',
      'established',
      'established.window',
      'established.window.ready',
      'established.window.busy',
      'established.window.childReceived',
      'established.peer',
      'established.peer.serving',
      'established.ikeRekey',
      'established.ikeRekey.off',
      'established.ikeRekey.armed',
      'established.ikeRekey.due',
      'established.liveness',
      'established.liveness.off',
      'established.liveness.armed',
      'deleting',
      'closed',
    ]);
    expect(ike?.atomic.has('established')).toBe(false);
    // RFC 7296 §1.2: the IKE_SA_INIT response is answered by the IKE_AUTH request.
    expect(ike?.transitions).toContainEqual({ from: 'initSent', to: 'authSent', events: ['net.recv'] });
    expect(definitionFor('ike:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('ike-r');
    const dhcp = definitionFor('dhcp', 'client · IKE initiator');
    expect(dhcp?.states).toContain('REBINDING');
    // RFC 2131 §4.4 figure 5: BOUND → RENEWING when T1 expires.
    expect(dhcp?.transitions).toContainEqual({ from: 'BOUND', to: 'RENEWING', events: ['timer.t1', 'cmd.renew'] });
    expect(definitionFor('dhcp:3edff4cbda035678', 'gateway · IKE responder')?.id).toBe('dhcpClient');
    expect(definitionFor('relay', 'gateway · IKE responder')).toBeUndefined();
  });
});
