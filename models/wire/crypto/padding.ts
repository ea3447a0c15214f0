/**
 * The plaintext side of a sealed body, shared by every `CryptoModel`: plaintext ‖ padding ‖ Pad Length
 * (‖ Next Header for ESP). ESP pads with 1, 2, 3, … (RFC 4303 §2.4) and aligns to the cipher block and to 4 bytes;
 * the IKE SK payload pads with any value, the lab writes zeros, and aligns to the block (RFC 7296 §3.14). The rules
 * and the errors are exactly those of `modelledCrypto` in crypto-suite.ts.
 */
import {
  defaultPadding,
  minPadBytes,
  trailerBytes,
  type CipherSuite,
  type Opened,
  type PaddingRule,
  type SealInput,
} from '../crypto-suite.ts';
import { decodeError, parsed, WireEmitError, type ParseResult } from '../result.ts';

/**
 * The alignment a body must have. ESP: the cipher block and 4 bytes (RFC 4303 §2.4). IKE SK: the cipher block for
 * AES-CBC (RFC 7296 §3.14); none for AES-GCM, a counter mode with no block to fill (RFC 5282 §3 leaves the padding to
 * the sender) — strongSwan sends GCM bodies of any length, and they must open. The lab still pads its own to 4.
 */
function alignment(rule: PaddingRule, suite: CipherSuite): number {
  if (rule === 'esp') return Math.max(4, suite.blockBytes);
  return suite.aead ? 1 : suite.blockBytes;
}

/** The body before encryption. Throws WireEmitError for padding or a Next Header the rules refuse. */
export function paddedBody(input: SealInput, rule: PaddingRule, suite: CipherSuite): Uint8Array {
  const padding = input.padding ?? defaultPadding(rule, minPadBytes(suite, input.plaintext.length, rule));
  if (padding.length > 255) throw new WireEmitError('crypto.padding', `${padding.length} bytes, at most 255`);
  if (rule === 'esp') {
    for (let i = 0; i < padding.length; i++) {
      if (padding[i] !== i + 1)
        throw new WireEmitError('esp.padding', `pad byte ${i} must be ${i + 1} (RFC 4303 §2.4)`);
    }
  }
  const bodyBytes = input.plaintext.length + padding.length + trailerBytes(rule);
  const align = alignment(rule, suite);
  if (bodyBytes % align !== 0) {
    throw new WireEmitError(
      'crypto.padding',
      `plaintext+padding+trailer is ${bodyBytes} bytes, not a multiple of ${align}`,
    );
  }
  const body = new Uint8Array(bodyBytes);
  body.set(input.plaintext, 0);
  body.set(padding, input.plaintext.length);
  body[input.plaintext.length + padding.length] = padding.length;
  if (rule === 'esp') {
    const nextHeader = input.nextHeader ?? 0;
    if (!Number.isInteger(nextHeader) || nextHeader < 0 || nextHeader > 255) {
      throw new WireEmitError('esp.nextHeader', `must be in [0, 255], got ${String(nextHeader)}`);
    }
    body[bodyBytes - 1] = nextHeader;
  }
  return body;
}

/** The decrypted body split into plaintext, padding and (ESP) Next Header; offsets in errors are inside the body. */
export function unpadBody(body: Uint8Array, rule: PaddingRule, suite: CipherSuite, field: string): ParseResult<Opened> {
  const align = alignment(rule, suite);
  const trailer = trailerBytes(rule);
  if (body.length < trailer || body.length % align !== 0) {
    return decodeError(field, 0, `encrypted body is ${body.length} bytes, not a non-empty multiple of ${align}`);
  }
  const padLengthAt = body.length - trailer;
  const padLength = body[padLengthAt] ?? 0;
  if (padLength > padLengthAt) {
    return decodeError(
      `${field}.padLength`,
      padLengthAt,
      `pad length ${padLength} exceeds the ${padLengthAt} bytes before it`,
    );
  }
  const plaintextEnd = padLengthAt - padLength;
  const padding = body.slice(plaintextEnd, padLengthAt);
  if (rule === 'esp') {
    // RFC 4303 §2.4: the receiver SHOULD check the monotonic 1, 2, 3, … padding.
    for (let i = 0; i < padding.length; i++) {
      if (padding[i] !== ((i + 1) & 0xff)) {
        return decodeError(`${field}.padding`, plaintextEnd + i, `pad byte ${i} is not ${i + 1}`);
      }
    }
  }
  return parsed(
    {
      plaintext: body.slice(0, plaintextEnd),
      padding,
      nextHeader: rule === 'esp' ? (body[body.length - 1] ?? 0) : null,
    },
    body.length,
  );
}
