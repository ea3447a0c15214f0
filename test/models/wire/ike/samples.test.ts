import { describe, expect, it } from 'vitest';
import {
  emitIkeConfigAttribute,
  emitIkeConfigAttributeInto,
  emitIkeMessage,
  emitIkePayload,
  emitIkePayloadInto,
  emitIkeProposal,
  emitIkeProposalInto,
  emitIkeTrafficSelector,
  emitIkeTrafficSelectorInto,
  emitIkeTransform,
  emitIkeTransformInto,
  ikeConfigAttributeLength,
  ikePayloadLength,
  ikeSampleMessages,
  ikeTrafficSelectorLength,
  parseIkeConfigAttribute,
  parseIkeMessage,
  parseIkePayload,
  parseIkeProposal,
  parseIkeTrafficSelector,
  parseIkeTransform,
  payloadTypeOf,
  proposalLength,
  summarizeIkeMessage,
  transformLength,
  type IkeCodecOptions,
  type IkeConfigAttribute,
  type IkeMessage,
  type IkePayload,
  type IkeProposal,
  type IkeTrafficSelector,
  type IkeTransform,
} from '../../../../models/wire/ike/index.ts';
import { checkCodecContract, type CodecUnderTest } from '../codec-contract.ts';
import { ikeMessageCodec, sampleOptions } from './codecs.ts';

function payloadCodec(p: IkePayload, options: IkeCodecOptions): CodecUnderTest<IkePayload> {
  const type = payloadTypeOf(p, options);
  return {
    name: `payload(${p.kind})`,
    parse: (b, o) => parseIkePayload(b, o, type, options),
    emit: (v) => emitIkePayload(v, options),
    emitInto: (v, b, o) => emitIkePayloadInto(v, b, o, options),
    length: (v) => ikePayloadLength(v, options),
  };
}

const proposalCodec: CodecUnderTest<IkeProposal> = {
  name: 'proposal',
  parse: parseIkeProposal,
  emit: emitIkeProposal,
  emitInto: emitIkeProposalInto,
  length: proposalLength,
};
const transformCodec: CodecUnderTest<IkeTransform> = {
  name: 'transform',
  parse: parseIkeTransform,
  emit: emitIkeTransform,
  emitInto: emitIkeTransformInto,
  length: transformLength,
};
const tsCodec: CodecUnderTest<IkeTrafficSelector> = {
  name: 'ts',
  parse: parseIkeTrafficSelector,
  emit: emitIkeTrafficSelector,
  emitInto: (v, b, o) => emitIkeTrafficSelectorInto(v, b, o),
  length: ikeTrafficSelectorLength,
};
const attributeCodec: CodecUnderTest<IkeConfigAttribute> = {
  name: 'cp.attribute',
  parse: parseIkeConfigAttribute,
  emit: emitIkeConfigAttribute,
  emitInto: (v, b, o) => emitIkeConfigAttributeInto(v, b, o),
  length: ikeConfigAttributeLength,
};

const samples = ikeSampleMessages();

function allPayloads(m: IkeMessage): IkePayload[] {
  return m.payloads.flatMap((p) => (p.kind === 'SK' ? [p, ...p.payloads] : [p]));
}

describe('ikeSampleMessages', () => {
  it('covers every exchange type, both directions, every payload kind and every named notify', () => {
    expect(new Set(samples.map((m) => m.exchangeType))).toEqual(new Set([34, 35, 36, 37, 43]));
    expect(new Set(samples.map((m) => m.response))).toEqual(new Set([false, true]));
    const kinds = new Set(samples.flatMap(allPayloads).map((p) => p.kind));
    expect([...kinds].sort()).toEqual(
      [
        'AUTH',
        'CERT',
        'CERTREQ',
        'CP',
        'D',
        'DHCP',
        'IDi',
        'IDr',
        'KE',
        'N',
        'Nonce',
        'SA',
        'SK',
        'SK-opaque',
        'TSi',
        'TSr',
        'V',
        'unknown',
      ].sort(),
    );
    const notifies = new Set(samples.flatMap(allPayloads).flatMap((p) => (p.kind === 'N' ? [p.notify] : [])));
    for (const name of [
      'INTERNAL_ADDRESS_FAILURE',
      'FAILED_CP_REQUIRED',
      'TS_UNACCEPTABLE',
      'NO_PROPOSAL_CHOSEN',
      'INVALID_KE_PAYLOAD',
      'AUTHENTICATION_FAILED',
      'TEMPORARY_FAILURE',
      'CHILD_SA_NOT_FOUND',
      'INVALID_SYNTAX',
      'INVALID_MESSAGE_ID',
      'INITIAL_CONTACT',
      'REKEY_SA',
      'CHILDLESS_IKEV2_SUPPORTED',
      'NAT_DETECTION_SOURCE_IP',
      'NAT_DETECTION_DESTINATION_IP',
      'USE_TRANSPORT_MODE',
      'ESP_TFC_PADDING_NOT_SUPPORTED',
      'NON_FIRST_FRAGMENTS_ALSO',
      'MOBIKE_SUPPORTED',
      'SIGNATURE_HASH_ALGORITHMS',
      'other',
    ]) {
      expect(notifies.has(name as never), name).toBe(true);
    }
  });

  it('summarises every sample in RFC 7296 diagram notation', () => {
    expect(samples.map(summarizeIkeMessage)).toEqual([
      'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(SIGNATURE_HASH_ALGORITHMS), V',
      'IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), CERTREQ, N(CHILDLESS_IKEV2_SUPPORTED)',
      'IKE_SA_INIT response #0 N(INVALID_KE_PAYLOAD)',
      'IKE_SA_INIT response #0 N(NO_PROPOSAL_CHOSEN)',
      'IKE_AUTH request #1 SK{IDi, CERT, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr, N(USE_TRANSPORT_MODE), N(ESP_TFC_PADDING_NOT_SUPPORTED), N(NON_FIRST_FRAGMENTS_ALSO), N(MOBIKE_SUPPORTED)}',
      'IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}',
      'IKE_AUTH request #1 SK{IDi, AUTH, DHCP(DISCOVER), SAi2, TSi, TSr}',
      'IKE_AUTH response #1 SK{IDr, AUTH, DHCP(OFFER)}',
      'IKE_AUTH response #1 SK{N(INTERNAL_ADDRESS_FAILURE), N(FAILED_CP_REQUIRED), N(TS_UNACCEPTABLE), N(AUTHENTICATION_FAILED)}',
      'CREATE_CHILD_SA request #2 SK{N(REKEY_SA), SAi2, Nonce, KE, TSi, TSr, DHCP(REQUEST)}',
      'CREATE_CHILD_SA response #2 SK{SAr2, Nonce, TSi, TSr, DHCP(ACK)}',
      'CREATE_CHILD_SA response #3 SK{N(TEMPORARY_FAILURE), N(CHILD_SA_NOT_FOUND)}',
      'INFORMATIONAL request #4 SK{D}',
      'INFORMATIONAL response #4 SK{D}',
      'INFORMATIONAL request #5 SK{D}',
      'INFORMATIONAL response #5 SK{}',
      'INFORMATIONAL response #6 SK{N(INVALID_SYNTAX), N(INVALID_MESSAGE_ID), N(IKEV2_FRAGMENTATION_SUPPORTED), N(40000)}',
      'INFORMATIONAL request #7 SK{CP(CFG_SET)}',
      'INFORMATIONAL response #7 SK{CP(CFG_ACK)}',
      'EXCHANGE(43) request #8 PAYLOAD(200), IDi, DHCP(type 2), PAYLOAD(48), SK{…encrypted 48 bytes}',
    ]);
  });
});

describe('codec contract over the samples', () => {
  samples.forEach((m, i) => {
    it(`message ${i}: ${summarizeIkeMessage(m).slice(0, 60)}`, () => {
      const options = sampleOptions(m);
      checkCodecContract(ikeMessageCodec(options), m);
      // Every payload on its own, and every inner payload of SK.
      for (const p of allPayloads(m)) checkCodecContract(payloadCodec(p, options), p);
      for (const p of allPayloads(m)) {
        if (p.kind === 'SA') {
          for (const proposal of p.proposals) {
            checkCodecContract(proposalCodec, proposal);
            for (const t of proposal.transforms) checkCodecContract(transformCodec, t);
          }
        }
        if (p.kind === 'TSi' || p.kind === 'TSr') for (const ts of p.selectors) checkCodecContract(tsCodec, ts);
        if (p.kind === 'CP') for (const a of p.attributes) checkCodecContract(attributeCodec, a);
      }
    });
  });

  it('the DHCP payload parses under the draft number 16 when configured, and is unknown under the default', () => {
    const m = samples[6];
    if (m === undefined) throw new Error('missing sample');
    const draft: IkeCodecOptions = { ...sampleOptions(m), dhcpPayloadType: 16 };
    checkCodecContract(ikeMessageCodec(draft), m);
    const bytes = emitIkeMessage(m, draft);
    const asDefault = parseIkeMessage(bytes, 0, sampleOptions(m));
    if (!asDefault.ok) throw new Error(JSON.stringify(asDefault.error));
    expect(summarizeIkeMessage(asDefault.value)).toBe('IKE_AUTH request #1 SK{IDi, AUTH, PAYLOAD(16), SAi2, TSi, TSr}');
  });
});
