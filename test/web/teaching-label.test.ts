import { describe, expect, it } from 'vitest';
import { teachingHead, teachingLabel } from '../../web/model/teaching-label.ts';

describe('ladder labels lead with what tells the methods apart', () => {
  it('the DHCP payload of the drafts, the CP of mode-cfg, right after the exchange name', () => {
    expect(teachingLabel('IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}')).toBe(
      'IKE_AUTH ▸ DHCP(DISCOVER) · IDi, N(INITIAL_CONTACT), IDr, AUTH',
    );
    expect(teachingLabel('IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}')).toBe(
      'IKE_AUTH ▸ CP(CFG_REPLY) · IDr, AUTH, SAr2, TSi, TSr',
    );
    expect(teachingLabel('IKE_AUTH response #2 SK{DHCP(ACK), SAr2, TSi, TSr}')).toBe(
      'IKE_AUTH ▸ DHCP(ACK) · SAr2, TSi, TSr',
    );
  });

  it('error notifies and deletes lead; an exchange with nothing special lists its payloads', () => {
    expect(teachingLabel('IKE_SA_INIT response #0 N(COOKIE)')).toBe('IKE_SA_INIT ▸ N(COOKIE)');
    expect(teachingLabel('INFORMATIONAL request #3 SK{D}')).toBe('INFORMATIONAL ▸ D');
    expect(teachingLabel('IKE_SA_INIT request #0 SA, KE, Nonce')).toBe('IKE_SA_INIT ▸ SA, KE, Nonce');
    expect(teachingLabel('CREATE_CHILD_SA request #2 SK{SAi2, Nonce, TSi, TSr}')).toBe(
      'CREATE_CHILD_SA ▸ SAi2, Nonce, TSi, TSr',
    );
  });

  it('ESP leads with what it carries (RFC 3456: DHCP through the tunnel); other packets keep their summary', () => {
    expect(teachingLabel('ESP spi=0xa70aa054 seq=1 (DHCPDISCOVER xid=0xafdebdb7)')).toBe(
      'ESP ▸ DHCPDISCOVER xid=0xafdebdb7',
    );
    expect(teachingLabel('DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1')).toBe(
      'DHCPOFFER 10.99.1.10 xid=0xafdebdb7 giaddr=10.1.0.1',
    );
  });
});

describe('the head a label keeps whole', () => {
  it('is the exchange and its first distinguishing payload', () => {
    expect(
      teachingHead('IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}'),
    ).toBe('IKE_AUTH ▸ CP(CFG_REQUEST)');
    expect(teachingHead('IKE_SA_INIT request #0 SA, KE, Nonce')).toBe('IKE_SA_INIT ▸ SA');
    expect(teachingHead('DHCPOFFER 10.99.1.10 xid=0xafdebdb7')).toBe('DHCPOFFER');
  });
});
