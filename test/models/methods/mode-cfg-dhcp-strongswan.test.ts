/**
 * mode-cfg-dhcp against strongSwan's dhcp plugin as it really runs (test/fixtures/captures/strongswan-dhcp-plugin*.pcap,
 * strongSwan 5.9.8 with Kea): the lab's DISCOVER, REQUEST and RELEASE are compared field by field with the plugin's,
 * addresses mapped by role (the gateway's inside address, the server, the leased address) and option 61 compared with
 * each side's IKE identity. Only xid and chaddr[2..5] (a hash strongSwan keys with its own chunk_hash) are left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario, type TraceEvent } from '../../../sim/index.ts';
import { runScenario as runLibrary } from '../../../scenarios/run.ts';
import { readCapture } from '../../../models/wire/pcap/index.ts';
import { parseIpv4 } from '../../../models/wire/ipv4.ts';
import { parseUdp } from '../../../models/wire/udp.ts';
import { fromHex, toHex } from '../../../models/wire/bytes.ts';
import { buildComparison } from '../../support/comparison-topology.ts';
import { capturePath } from '../../support/captures.ts';
import { ladder, notes, secs } from '../nodes/ladder.ts';

interface Datagram {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly dhcp: Uint8Array;
}

function datagram(ipv4Bytes: Uint8Array): Datagram {
  const ip = parseIpv4(ipv4Bytes, 0);
  if (!ip.ok) throw new Error(JSON.stringify(ip.error));
  const udp = parseUdp(ip.value.payload, 0, ip.value);
  if (!udp.ok) throw new Error(JSON.stringify(udp.error));
  return {
    src: ip.value.src,
    dst: ip.value.dst,
    srcPort: udp.value.srcPort,
    dstPort: udp.value.dstPort,
    dhcp: udp.value.payload,
  };
}

const ip4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** Every field of a BOOTREQUEST as the wire has it, addresses by role, option 61 against the identity. */
function shape(d: Datagram, roles: Readonly<Record<string, string>>, identity: string): Record<string, unknown> {
  const b = d.dhcp;
  const role = (a: string) => roles[a] ?? a;
  const options: [number, string][] = [];
  let at = 240;
  let end = -1;
  while (at < b.length) {
    const code = b[at] ?? 0;
    if (code === 255) {
      end = at;
      break;
    }
    const len = b[at + 1] ?? 0;
    const value = b.subarray(at + 2, at + 2 + len);
    const text =
      code === 50 || code === 54
        ? role(ip4(value, 0))
        : code === 61 && toHex(value) === toHex(new TextEncoder().encode(identity))
          ? 'identity'
          : toHex(value);
    options.push([code, text]);
    at += 2 + len;
  }
  return {
    ports: `${d.srcPort}→${d.dstPort}`,
    to: role(d.dst),
    from: role(d.src),
    op: b[0],
    htype: b[1],
    hlen: b[2],
    hops: b[3],
    secs: (b[8] ?? 0) * 256 + (b[9] ?? 0),
    flags: toHex(b.subarray(10, 12)),
    ciaddr: role(ip4(b, 12)),
    yiaddr: role(ip4(b, 16)),
    siaddr: role(ip4(b, 20)),
    giaddr: role(ip4(b, 24)),
    chaddrPrefix: toHex(b.subarray(28, 30)),
    chaddrPadding: toHex(b.subarray(34, 44)),
    snameFileZero: b.subarray(44, 236).every((x) => x === 0),
    cookie: toHex(b.subarray(236, 240)),
    options,
    // No padding after END: the plugin sends offsetof(magic_cookie) + optlen + 4 bytes (dhcp_socket.c send_dhcp).
    bytesAfterEnd: b.length - end - 1,
    lengthMinusIdentity: b.length - new TextEncoder().encode(identity).length,
  };
}

function captured(name: string): Datagram[] {
  const r = readCapture(readFileSync(capturePath(name)));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.packets
    .map((p) => p.ipv4Bytes)
    .filter((b) => b[9] === 17 && b[20] === 0 && b[21] === 68)
    .map(datagram);
}

const PLUGIN_ROLES = { '10.98.0.1': 'gateway', '10.98.0.2': 'server', '10.40.0.10': 'leased' };
const LAB_ROLES = { '10.1.0.1': 'gateway', '10.1.0.2': 'server', '10.1.99.10': 'leased' };

function labRequests(trace: readonly TraceEvent[]): Datagram[] {
  return trace
    .filter((e): e is Extract<TraceEvent, { type: 'send' }> => e.type === 'send' && e.node === 'gw')
    .map((e) => fromHex(e.bytes))
    .filter((b) => b[9] === 17 && b[20] === 0 && b[21] === 68)
    .map(datagram);
}

describe("mode-cfg-dhcp's default is strongSwan's dhcp plugin, field by field (the captures)", () => {
  const plugin = [...captured('strongswan-dhcp-plugin.pcap'), ...captured('strongswan-dhcp-plugin-release.pcap')];
  const t = buildComparison({
    method: 'mode-cfg-dhcp',
    durationUs: 2_000_000,
    commands: [
      { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } },
      { atUs: 1_000_000, node: 'client1', command: { type: 'cmd.disconnect' } },
    ],
  });
  const lab = labRequests(runScenario(t.input, { seed: 1 }).trace);

  it('DISCOVER, REQUEST, RELEASE: the same fields, options (61 raw identity, 55 = 6, 44, no 82) and lengths', () => {
    expect(plugin).toHaveLength(3);
    expect(lab).toHaveLength(3);
    const theirs = plugin.map((d) => shape(d, PLUGIN_ROLES, 'alice@example.com'));
    const ours = lab.map((d) => shape(d, LAB_ROLES, 'client1@example.com'));
    expect(ours).toEqual(theirs);
    // What the plugin sends, spelled out (so a change on either side shows which field moved).
    expect(theirs.map((s) => s['options'])).toEqual([
      [
        [53, '01'],
        [61, 'identity'],
        [55, '062c'],
      ],
      [
        [53, '03'],
        [61, 'identity'],
        [50, 'leased'],
        [54, 'server'],
        [55, '062c'],
      ],
      [
        [53, '07'],
        [61, 'identity'],
        [54, 'server'],
      ],
    ]);
    expect(theirs.map((s) => [s['ciaddr'], s['giaddr'], s['flags'], s['secs'], s['bytesAfterEnd']])).toEqual([
      ['0.0.0.0', 'gateway', '0000', 0, 0],
      ['0.0.0.0', 'gateway', '0000', 0, 0],
      ['leased', 'gateway', '0000', 0, 0],
    ]);
  });

  it('a silent server: DISCOVER at 0, 1, 3, 6, 10 s, INTERNAL_ADDRESS_FAILURE after 1+2+3+4+5 = 15 s, secs stays 0', () => {
    const stalled = buildComparison({
      method: 'mode-cfg-dhcp',
      durationUs: 17_000_000,
      commands: [
        { atUs: 0, node: 'dhcp', command: { type: 'cmd.stall' } },
        { atUs: 0, node: 'client1', command: { type: 'cmd.connect' } },
      ],
    });
    const out = runScenario(stalled.input, { seed: 1 });
    const discovers = ladder(out.trace).filter((l) => l.includes('DHCPDISCOVER'));
    expect(discovers.map((l) => l.slice(0, 6))).toEqual(['0.031 ', '1.031 ', '3.031 ', '6.031 ', '10.031']);
    expect(labRequests(out.trace).map((d) => (d.dhcp[8] ?? 0) * 256 + (d.dhcp[9] ?? 0))).toEqual([0, 0, 0, 0, 0]);
    expect(notes(out.trace, 'proxy.failed').map((e) => `${secs(e.atUs)} ${JSON.stringify(e.data)}`)).toEqual([
      '15.030 {"peer":"client1@example.com","reason":"dhcp-selecting-timeout"}',
    ]);
    expect(ladder(out.trace).filter((l) => l.includes('IKE_AUTH response'))).toEqual([
      '15.040 gw→client1: IKE_AUTH response #1 SK{IDr, AUTH, N(INTERNAL_ADDRESS_FAILURE)}',
    ]);
    expect(notes(out.trace, 'proxy.abandoned')).toEqual([]);
  });
});

describe('mode-cfg-dhcp in the scenario library: no option 82, the server selects the pool by giaddr', () => {
  const proxyLines = (options?: Readonly<Record<string, string | number | boolean>>) => {
    const out = runLibrary('basic', { method: 'mode-cfg-dhcp', ...(options ? { options } : {}) });
    expect(out.metrics.addressed).toBe(1);
    return ladder(out.trace ?? []).filter((l) => l.includes('gw→dhcp'));
  };

  it('default: giaddr outside the scope, pool chosen by its relay address (Kea relay.ip-addresses)', () => {
    expect(proxyLines()).toEqual([
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1',
      '0.033 gw→dhcp: DHCPREQUEST 10.99.1.10 xid=0xdaad57a2 giaddr=10.1.0.1',
    ]);
  });

  it('lab extensions: link-selection alone, or with the circuit-id', () => {
    expect(proxyLines({ proxyLinkSelection: true })[0]).toBe(
      '0.031 gw→dhcp: DHCPDISCOVER xid=0xdaad57a2 giaddr=10.1.0.1 [82: link-selection=10.99.1.0]',
    );
    expect(proxyLines({ proxyLinkSelection: true, proxyOption82: true })[0]).toMatch(
      /\[82: circuit-id=ike:[0-9a-f]{16}, link-selection=10\.99\.1\.0\]$/,
    );
  });
});
