/** Codec wrappers shared by the IKE tests. */
import {
  emitIkeMessage,
  emitIkeMessageInto,
  ikeMessageLength,
  modelledIkeCrypto,
  parseIkeMessage,
  type IkeCodecOptions,
  type IkeMessage,
} from '../../../../models/wire/ike/index.ts';
import type { CodecUnderTest } from '../codec-contract.ts';

/** The options that open a sample's SK payload (its own suite), or none when it has no opened SK. */
export function sampleOptions(m: IkeMessage): IkeCodecOptions {
  const sk = m.payloads.find((p) => p.kind === 'SK');
  return sk?.kind === 'SK' ? { crypto: modelledIkeCrypto(sk.suite) } : {};
}

export function ikeMessageCodec(options: IkeCodecOptions): CodecUnderTest<IkeMessage> {
  return {
    name: 'ike',
    parse: (b, o) => parseIkeMessage(b, o, options),
    emit: (v) => emitIkeMessage(v, options),
    emitInto: (v, b, o) => emitIkeMessageInto(v, b, o, options),
    length: (v) => ikeMessageLength(v, options),
  };
}
