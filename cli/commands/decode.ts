/**
 * `dhcpike decode FILE.pcap|FILE.pcapng`: one summary line per packet (index, time, src → dst, summary). Exit 2 when
 * the file or any packet fails to parse, naming the packet index, the field and the offset. The file is read in
 * chunks and each packet printed as it is parsed: a large capture starts printing at once, in bounded memory.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { keyLookupOf } from '../../models/wire/crypto/key-table.ts';
import type { SaKeyLookup } from '../../models/wire/crypto/sa-key-store.ts';
import { parseWiresharkKeys, type EspKeyEntry, type Ikev2KeyEntry } from '../../models/wire/crypto/wireshark-keys.ts';
import { streamCapture, type ByteSource } from '../../models/wire/pcap/read.ts';
import type { SkippedRecord } from '../../models/wire/pcap/types.ts';
import { parsePacket, summarizePacket, type PacketCodecOptions } from '../../models/wire/packet.ts';
import { formatDecodeError } from '../../models/wire/result.ts';
import { parse, UsageError } from './args.ts';

const USAGE = `usage: dhcpike decode FILE.pcap|FILE.pcapng [--keys KEYS]…

Prints one line per packet: frame number (1-based, as Wireshark counts), seconds since the first packet,
source → destination, and the packet in the notation of the RFC diagrams. Reads pcap (either byte order, µs or
ns) and pcapng; link types Ethernet, raw IPv4, Linux cooked (SLL, SLL2). Exits 2 if the file or any packet fails to
parse, naming the packet, the field and the byte offset (within the IPv4 datagram).
  --keys KEYS  open IKE SK payloads and ESP with these keys (real crypto): the file dhcpike run --keys writes, or
               Wireshark's ikev2_decryption_table / esp_sa files (strongSwan's, say); repeatable. Without keys,
               SK and ESP open only with the lab's modelled crypto; what no key opens is shown as encrypted.`;

/** Reads every --keys file into one lookup; a line that does not read is an error naming the file and line. */
function keysOf(files: readonly string[]): SaKeyLookup {
  const ike: Ikev2KeyEntry[] = [];
  const esp: EspKeyEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new UsageError(`--keys ${file}: cannot read (${typeof code === 'string' ? code : String(e)})`);
    }
    const r = parseWiresharkKeys(text);
    if (r.errors.length > 0) throw new UsageError(`--keys ${file}: ${r.errors.join('; ')}`);
    ike.push(...r.ike);
    esp.push(...r.esp);
  }
  return keyLookupOf({ ike, esp });
}

function seconds(us: number): string {
  const whole = Math.floor(us / 1_000_000);
  return `${whole}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** Bytes read from the file per read call (a record larger than this is read in one call of its own size). */
export const DECODE_CHUNK_BYTES = 1 << 20;

/**
 * A capture file read in chunks with readSync: the reader asks for one record at a time, so memory holds one chunk
 * (and the record being printed), whatever the file's size. Each refill allocates a new chunk, so a packet's bytes
 * (a view of the chunk) stay valid after the next read.
 */
export class FileByteSource implements ByteSource {
  readonly length: number;
  private chunk = new Uint8Array(0);
  private chunkAt = 0;

  constructor(
    private readonly fd: number,
    private readonly chunkBytes = DECODE_CHUNK_BYTES,
  ) {
    this.length = fstatSync(fd).size;
  }

  read(at: number, length: number): Uint8Array {
    if (at < this.chunkAt || at + length > this.chunkAt + this.chunk.length) {
      const size = Math.min(Math.max(length, this.chunkBytes), this.length - at);
      const chunk = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const n = readSync(this.fd, chunk, filled, size - filled, at + filled);
        if (n === 0) break;
        filled += n;
      }
      this.chunk = chunk.subarray(0, filled);
      this.chunkAt = at;
    }
    return this.chunk.subarray(at - this.chunkAt, at - this.chunkAt + length);
  }
}

export async function runDecode(args: readonly string[], io: CliIo): Promise<number> {
  let file: string | undefined;
  let codec: PacketCodecOptions = {};
  try {
    const { values, positionals } = parse(args, { keys: { type: 'string', multiple: true } });
    const [first, ...extra] = positionals;
    if (first === undefined || extra.length > 0) {
      io.err(USAGE);
      return EXIT_BAD_INPUT;
    }
    file = first;
    const keyFiles = (values['keys'] as string[] | undefined) ?? [];
    if (keyFiles.length > 0) codec = { keys: keysOf(keyFiles) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`decode: ${e.message}`);
    return EXIT_BAD_INPUT;
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    io.err(`decode: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_BAD_INPUT;
  }
  try {
    if (fstatSync(fd).isDirectory()) {
      io.err(`decode: cannot read ${file}: expected a capture file, found a directory`);
      return EXIT_BAD_INPUT;
    }
    const source = new FileByteSource(fd);
    let start: number | undefined;
    let failures = 0;
    // Skipped records (ARP, IPv6, …) are listed after the packets, as before; only their index and reason are kept.
    const skipped: SkippedRecord[] = [];
    const capture = streamCapture(source, {
      packet: (p) => {
        start ??= p.timestampUs;
        const frame = p.index + 1;
        const result = parsePacket(p.ipv4Bytes, codec);
        if (!result.ok) {
          failures++;
          io.out(`${frame} ${seconds(p.timestampUs - start)} MALFORMED`);
          io.err(`decode: packet ${frame}: ${formatDecodeError(result.error)}`);
          return;
        }
        const { ip } = result.value;
        io.out(`${frame} ${seconds(p.timestampUs - start)} ${ip.src} → ${ip.dst} ${summarizePacket(result.value)}`);
      },
      skipped: (s) => skipped.push(s),
    });
    if (!capture.ok) {
      io.err(`decode: ${file}: ${formatDecodeError(capture.error)}`);
      return EXIT_BAD_INPUT;
    }
    for (const s of skipped) io.out(`${s.index + 1} skipped: ${s.reason}`);
    return failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
  } catch (e) {
    // A read error mid-file (EIO, a file truncated while read): one line, exit 2.
    const code = (e as { code?: unknown }).code;
    io.err(
      `decode: cannot read ${file}: ${typeof code === 'string' ? code : e instanceof Error ? e.message : String(e)}`,
    );
    return EXIT_BAD_INPUT;
  } finally {
    closeSync(fd);
  }
}

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'print one line per packet of a pcap/pcapng capture',
  usage: USAGE,
  run: runDecode,
};
