import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../cli/commands/decode.ts';
import type { CliIo } from '../../../cli/command.ts';
import { writePcap } from '../../../models/wire/pcap/index.ts';
import { emitPacket, udpPacket } from '../../../models/wire/packet.ts';
import { buildDhcpMessage } from '../../../models/wire/dhcp/message.ts';
import { CAPTURES_DIR } from '../../support/captures.ts';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

const KEA_82 = '[82: circuit-id=sgw1:ike-sa-0001, remote-id=alice@example.com]';

describe('dhcpike decode', () => {
  it('prints the Kea capture', async () => {
    const t = io();
    expect(await decodeCommand.run([`${CAPTURES_DIR}kea-relay.pcap`], t)).toBe(0);
    expect(t.errors).toEqual([]);
    expect(t.lines).toEqual([
      `1 0.000000 127.0.0.2 → 127.0.0.1 DHCPDISCOVER xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
      `2 0.001644 127.0.0.1 → 127.0.0.2 DHCPOFFER 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
      `3 0.002668 127.0.0.2 → 127.0.0.1 DHCPREQUEST 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
      `4 0.003247 127.0.0.1 → 127.0.0.2 DHCPACK 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
      `5 0.003811 127.0.0.2 → 127.0.0.1 DHCPRELEASE 10.10.0.100 xid=0x47e0bc5c giaddr=127.0.0.2 ${KEA_82}`,
      `6 0.414882 127.0.0.3 → 127.0.0.1 DHCPDISCOVER xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
      `7 0.416334 127.0.0.1 → 127.0.0.3 DHCPOFFER 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
      `8 0.417268 127.0.0.3 → 127.0.0.1 DHCPREQUEST 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
      `9 0.417434 127.0.0.1 → 127.0.0.3 DHCPACK 10.20.0.100 xid=0x2c057ca0 giaddr=127.0.0.3 ${KEA_82}`,
    ]);
  });

  it('prints the strongSwan capture (IKE lines from the IKE codec)', async () => {
    const t = io();
    expect(await decodeCommand.run([`${CAPTURES_DIR}strongswan-cp-pool.pcap`], t)).toBe(0);
    expect(t.lines.length).toBe(10);
    expect(t.lines[0]).toMatch(/^1 0\.000000 192\.168\.50\.2 → 192\.168\.50\.1 IKE_SA_INIT request #0 SA, KE, Nonce, /);
    expect(t.lines[2]).toBe('3 0.005391 192.168.50.2 → 192.168.50.1 IKE_AUTH request #1 SK{…encrypted 272 bytes}');
    expect(t.lines[4]).toBe('5 0.416733 192.168.50.2 → 192.168.50.1 ESP spi=0xd1f40851 seq=1 (80 bytes encrypted)');
    expect(t.lines[9]).toBe(
      '10 3.171980 192.168.50.1 → 192.168.50.2 INFORMATIONAL response #2 SK{…encrypted 48 bytes}',
    );
  });

  it('exits 2 naming the packet, field and offset of a malformed packet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decode-'));
    const good = emitPacket(
      udpPacket({
        src: '10.0.0.2',
        dst: '10.0.0.1',
        srcPort: 68,
        dstPort: 67,
        app: {
          kind: 'dhcp',
          message: buildDhcpMessage({ type: 'DISCOVER', xid: 9, hardwareAddress: Uint8Array.of(2, 0, 0, 0, 0, 1) }),
        },
      }),
    );
    const bad = good.slice();
    bad[28 + 237] = 0; // magic cookie
    const file = join(dir, 'bad.pcap');
    writeFileSync(
      file,
      writePcap([
        { timestampUs: 1_000_000, ipv4Bytes: good },
        { timestampUs: 1_500_000, ipv4Bytes: bad },
      ]),
    );
    const t = io();
    expect(await decodeCommand.run([file], t)).toBe(2);
    expect(t.lines).toEqual(['1 0.000000 10.0.0.2 → 10.0.0.1 DHCPDISCOVER xid=0x00000009', '2 0.500000 MALFORMED']);
    expect(t.errors).toEqual([
      'decode: packet 2: dhcp.magicCookie at offset 264: 0x63005363, expected 0x63825363 (RFC 2131 §3)',
    ]);
  });

  it('exits 2 on a missing file or bad usage', async () => {
    const t = io();
    expect(await decodeCommand.run([], t)).toBe(2);
    expect(await decodeCommand.run(['/nonexistent.pcap'], t)).toBe(2);
    expect(t.errors[1]).toMatch(/^decode: cannot read \/nonexistent\.pcap/);
  });
});
