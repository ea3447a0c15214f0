import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { KEY_PAD_FOR_IKEV2, pskAuthData, signedOctets } from '../../../../models/wire/crypto/psk-auth.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('PSK AUTH (RFC 7296 §2.15)', () => {
  const realMessage = fromHex('76075223bbe2805f0000000000000000212022080000000000000030' + '00'.repeat(20));
  const peerNonce = fromHex('deba08d2de0c316e79b214273a2b24e0c36b11d5ca1d43bba03161812a0f39b1');
  const skPi = fromHex('11'.repeat(32));
  // IDi body after the generic header: ID_RFC822_ADDR (3), 3 reserved bytes, "alice@example.com".
  const idBody = new Uint8Array([3, 0, 0, 0, ...ascii('alice@example.com')]);

  it('signs RealMessage | peer NonceData | prf(SK_p, RestOfIDPayload)', () => {
    const octets = signedOctets(realMessage, peerNonce, skPi, idBody);
    const maced = createHmac('sha256', skPi).update(idBody).digest();
    expect(toHex(octets)).toBe(toHex(realMessage) + toHex(peerNonce) + maced.toString('hex'));
  });

  it('AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets), 32 bytes', () => {
    expect(KEY_PAD_FOR_IKEV2).toHaveLength(17);
    const psk = ascii('s3cr3t-psk');
    const octets = signedOctets(realMessage, peerNonce, skPi, idBody);
    const inner = createHmac('sha256', psk).update('Key Pad for IKEv2', 'latin1').digest();
    const expected = createHmac('sha256', inner).update(octets).digest('hex');
    const auth = pskAuthData(psk, octets);
    expect(auth).toHaveLength(32);
    expect(toHex(auth)).toBe(expected);
    expect(toHex(pskAuthData(ascii('s3cr3t-psK'), octets))).not.toBe(expected);
  });
});
