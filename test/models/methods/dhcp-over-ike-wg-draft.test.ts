/**
 * draft-ietf-ipsec-dhcp-over-ike-00 as written: §3's first IKE_AUTH SK{IDi, [IDr,] SAi2, TSi, TSr, DHCP} (DHCP after
 * the Child SA's payloads, not where RFC 7296 §2.19 puts CP), §5's payload type 16 as a scenario option, and §5's
 * UNKNOWN-DHCP-PAYLOAD-TYPE for a Packet Type other than DHCPv4.
 */
import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../models/contract.ts';
import type { AddressAnswer } from '../../../models/ike/hooks.ts';
import { methodById } from '../../../models/methods/index.ts';
import type { ProviderHost } from '../../../models/methods/method.ts';
import { fromHex } from '../../../models/wire/bytes.ts';
import { skPayload, type IkeMessage, type IkePayload } from '../../../models/wire/ike/index.ts';
import { createPacketCodec, parsePacket } from '../../../models/wire/packet.ts';
import { loadScenario } from '../../../scenarios/load.ts';
import { runScenario } from '../../../scenarios/run.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { ladder } from '../nodes/ladder.ts';
import { fixedRandomStream } from '../../support/fixed-random-stream.ts';

const authRequests = (trace: readonly TraceEvent[]) =>
  ladder(trace)
    .filter((l) => l.includes('IKE_AUTH request'))
    .map((l) => l.slice(l.indexOf('SK{')));

/** The inner payload kinds of the first IKE_AUTH request the client sent, as a codec reads its bytes. */
function firstAuthInner(trace: readonly TraceEvent[], payloadType?: number): string[] {
  const codec = payloadType === undefined ? undefined : createPacketCodec({ ike: { dhcpPayloadType: payloadType } });
  for (const e of trace) {
    if (e.type !== 'send' || e.node !== 'client1') continue;
    const bytes = fromHex(e.bytes);
    const r = codec === undefined ? parsePacket(bytes) : codec.decode(bytes);
    if (!r.ok || r.value.payload.kind !== 'udp' || r.value.payload.app.kind !== 'ike') continue;
    const m = r.value.payload.app.message;
    if (m.exchangeType !== 35) continue;
    const sk = m.payloads.find((p) => p.kind === 'SK');
    if (sk?.kind !== 'SK') return [];
    return sk.payloads.map((p) => (p.kind === 'unknown' ? `unknown(${p.payloadType})` : p.kind));
  }
  return [];
}

describe('WG draft §3: the first IKE_AUTH', () => {
  it('puts DHCP after SAi2, TSi, TSr (default); the CP order stays as the named alternative', () => {
    const draft = runScenario('basic', { method: 'dhcp-over-ike-wg' });
    expect(draft.metrics.addressed).toBe(1);
    expect(authRequests(draft.trace ?? [])).toEqual([
      'SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr, DHCP(DISCOVER)}',
      'SK{DHCP(REQUEST)}',
    ]);
    const cp = runScenario('basic', { method: 'dhcp-over-ike-wg', options: { dhcpIkeWgPayloadOrder: 'cp' } });
    expect(authRequests(cp.trace ?? [])[0]).toBe(
      'SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER), SAi2, TSi, TSr}',
    );
  });

  it('mode-cfg keeps RFC 7296 §2.19: CP before SAi2', () => {
    const out = runScenario('basic', { method: 'mode-cfg' });
    expect(authRequests(out.trace ?? [])[0]).toBe(
      'SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr}',
    );
  });
});

describe('WG draft §5: payload type 16 as a scenario option', () => {
  it('dhcpPayloadType=16: the DHCP payload goes out as type 16 and both ends read it; the run is addressed', () => {
    const out = runScenario('basic', { method: 'dhcp-over-ike-wg', options: { dhcpPayloadType: 16 } });
    expect(out.metrics.addressed).toBe(1);
    expect(out.metrics.failures.total).toBe(0);
    const trace = out.trace ?? [];
    expect(firstAuthInner(trace, 16)).toEqual(['IDi', 'N', 'IDr', 'AUTH', 'SA', 'TSi', 'TSr', 'DHCP']);
    // Read with the lab's default number (128), the same bytes hold an unknown payload of type 16.
    expect(firstAuthInner(trace)).toEqual(['IDi', 'N', 'IDr', 'AUTH', 'SA', 'TSi', 'TSr', 'unknown(16)']);
    // The seed method too (its DHCP rides IKE_AUTH and CREATE_CHILD_SA).
    expect(runScenario('basic', { method: 'dhcp-over-ike', options: { dhcpPayloadType: 16 } }).metrics.addressed).toBe(
      1,
    );
  });

  it('as --option text and in a scenario; 17–127 refused with the field path', () => {
    const ok = loadScenario('basic', { options: { dhcpPayloadType: '16' } });
    expect(ok.ok ? ok.scenario.options['dhcpPayloadType'] : ok.problems).toBe(16);
    const bad = loadScenario('basic', { options: { dhcpPayloadType: '40' } });
    expect(bad.ok ? [] : bad.problems.map((p) => [p.path, p.found])).toEqual([['--option dhcpPayloadType', '40']]);
  });
});

describe('WG draft §5: UNKNOWN-DHCP-PAYLOAD-TYPE', () => {
  const rng = fixedRandomStream();
  const notes: string[] = [];
  const sent: unknown[] = [];
  const host: ProviderHost = {
    nowUs: () => 0,
    traceNote: (text, data) => notes.push(`${text} ${JSON.stringify(data ?? {})}`),
    setTimerUs: () => () => undefined,
    clock: {} as VirtualClock,
    rng: () => rng,
    traceState: () => undefined,
    traceMachine: () => ({ current: () => 'none' }),
    insideAddress: '10.1.0.1',
    outsideAddress: '198.51.100.1',
    sendUdp: (d) => sent.push(d),
    sendToPeer: () => false,
  };
  const request = (packetType: number): IkeMessage => {
    const dhcp: IkePayload = {
      kind: 'DHCP',
      critical: false,
      packet: { kind: 'raw', packetType, data: new Uint8Array(4) },
    };
    return {
      spiI: '0102030405060708',
      spiR: '1112131415161718',
      exchangeType: 35,
      initiator: true,
      higherVersion: false,
      response: false,
      messageId: 1,
      payloads: [skPayload('aes128gcm16', [dhcp])],
    };
  };

  it.each(['dhcp-over-ike-wg', 'dhcp-over-ike'])('%s: a Packet Type other than 1 is answered with the notify', (id) => {
    notes.length = 0;
    const provider = methodById(id).gateway(
      { dhcpServerAddress: '10.1.0.2', gatewayName: 'gw', relayAddress: '10.1.0.1', policies: {} },
      { host, cpRequired: true },
    );
    const answers: AddressAnswer[] = [];
    provider.request({ ikeSaId: 'sa1', peerId: 'client1@example.com', request: request(2), round: 0 }, (a) =>
      answers.push(a),
    );
    expect(answers).toEqual([
      {
        ok: false,
        notify: 'INTERNAL_ADDRESS_FAILURE',
        replyPayloads: [{ kind: 'N', critical: false, protocolId: 0, spi: '', notify: 'UNKNOWN_DHCP_PAYLOAD_TYPE' }],
      },
    ]);
    expect(notes).toEqual(['relay.dropped {"reason":"unknown-dhcp-packet-type","ikeSa":"sa1","type":2}']);
    expect(sent).toEqual([]);
  });
});
