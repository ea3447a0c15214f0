/** IKEv2 wire codecs (RFC 7296 §3) and the DHCP payload of draft-ietf-ipsec-dhcp-over-ike-00 §5. */
export * from './constants.ts';
export type * from './types.ts';
export { IKE_NOTIFY_NAMES_WITHOUT_DATA } from './types.ts';
export { modelledIkeCrypto, type IkeCodecOptions, type IkeCryptoContext } from './options.ts';
export {
  IKE_HEADER_BYTES,
  emitIkeHeaderInto,
  emitIkeMessage,
  emitIkeMessageInto,
  emitIkeMessageOfLengthInto,
  ikeMessageLength,
  parseIkeHeader,
  parseIkeMessage,
  type IkeHeader,
} from './message.ts';
export {
  emitIkePayload,
  emitIkePayloadInto,
  ikePayloadLength,
  parseIkePayload,
  payloadTypeName,
  payloadTypeOf,
} from './payload.ts';
export {
  emitIkeProposal,
  emitIkeProposalInto,
  emitIkeTransform,
  emitIkeTransformInto,
  parseIkeProposal,
  parseIkeTransform,
  proposalLength,
  transformLength,
} from './sa.ts';
export {
  emitIkeTrafficSelector,
  emitTrafficSelectorInto as emitIkeTrafficSelectorInto,
  parseIkeTrafficSelector,
  trafficSelectorLength as ikeTrafficSelectorLength,
} from './ts.ts';
export {
  configAttributeLength as ikeConfigAttributeLength,
  configAttributeTypeOf,
  emitConfigAttributeInto as emitIkeConfigAttributeInto,
  emitIkeConfigAttribute,
  parseIkeConfigAttribute,
} from './cp.ts';
export { notifyTypeOf } from './notify.ts';
export { summarizeIkeMessage, summarizeIkePayload } from './summary.ts';
export * from './builders.ts';
export { ikeSampleMessages, sampleBytes, sampleDhcpMessage } from './samples.ts';
