/**
 * `dhcpike decode FILE.pcap|FILE.pcapng`: one summary line per packet (index, time, src → dst, summary). Exit 2 when
 * the file or any packet fails to parse, naming the packet index, the field and the offset.
 */
import { readFile } from 'node:fs/promises';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { readCapture } from '../../models/wire/pcap/index.ts';
import { parsePacket, summarizePacket } from '../../models/wire/packet.ts';
import { formatDecodeError } from '../../models/wire/result.ts';

const USAGE = `usage: dhcpike decode FILE.pcap|FILE.pcapng

Prints one line per packet: frame number (1-based, as Wireshark counts), seconds since the first packet,
source → destination, and the packet in the notation of the RFC diagrams. Reads pcap (either byte order, µs or
ns) and pcapng; link types Ethernet, raw IPv4, Linux cooked (SLL, SLL2). Exits 2 if the file or any packet fails to
parse, naming the packet, the field and the byte offset (within the IPv4 datagram).`;

function seconds(us: number): string {
  const whole = Math.floor(us / 1_000_000);
  return `${whole}.${String(us % 1_000_000).padStart(6, '0')}`;
}

export async function runDecode(args: readonly string[], io: CliIo): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) {
    io.err(USAGE);
    return EXIT_BAD_INPUT;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    io.err(`decode: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_BAD_INPUT;
  }
  const capture = readCapture(bytes);
  if (!capture.ok) {
    io.err(`decode: ${file}: ${formatDecodeError(capture.error)}`);
    return EXIT_BAD_INPUT;
  }
  const { packets, skipped } = capture.value;
  const start = packets[0]?.timestampUs ?? 0;
  let failures = 0;
  for (const p of packets) {
    const frame = p.index + 1;
    const result = parsePacket(p.ipv4Bytes);
    if (!result.ok) {
      failures++;
      io.out(`${frame} ${seconds(p.timestampUs - start)} MALFORMED`);
      io.err(`decode: packet ${frame}: ${formatDecodeError(result.error)}`);
      continue;
    }
    const { ip } = result.value;
    io.out(`${frame} ${seconds(p.timestampUs - start)} ${ip.src} → ${ip.dst} ${summarizePacket(result.value)}`);
  }
  for (const s of skipped) io.out(`${s.index + 1} skipped: ${s.reason}`);
  return failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'print one line per packet of a pcap/pcapng capture',
  usage: USAGE,
  run: runDecode,
};
