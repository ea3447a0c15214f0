/**
 * The keys of a real-crypto run for Wireshark: the `crypto.keys` notes every IKE node writes (models/ike/
 * real-ike-crypto.ts `keysNote`) turned into key entries, and the file `dhcpike run --keys` and the browser export
 * write. The file holds Wireshark's own UAT lines — `ikev2_decryption_table` lines (they start with the hex SPIi) and
 * `esp_sa` lines (they start with `"IPv4"`) — after `#` comments, so one shell command hands each table its lines
 * (`tsharkCommand`; tshark reads several records, and comments, from one `-o uat:…` value) and `dhcpike decode
 * --keys` reads it as it reads Wireshark's separate files.
 */
import { fromHex } from '../models/wire/bytes.ts';
import { CIPHER_SUITES, type CipherSuite } from '../models/wire/crypto-suite.ts';
import type { DirectionKeys } from '../models/wire/crypto/ike-keys.ts';
import type { KeyEntries } from '../models/wire/crypto/key-table.ts';
import {
  directionKeysOf,
  espSaLine,
  ikev2DecryptionTableLine,
  type EspKeyEntry,
  type Ikev2KeyEntry,
} from '../models/wire/crypto/wireshark-keys.ts';
import type { TraceEvent } from '../sim/trace.ts';

type NoteData = Readonly<Record<string, string | number | boolean>>;

const HEX = /^(?:[0-9a-f]{2})*$/;

function text(d: NoteData, name: string): string | undefined {
  const v = d[name];
  return typeof v === 'string' ? v : undefined;
}

function suiteOf(d: NoteData): CipherSuite | undefined {
  const name = text(d, 'suite');
  return name !== undefined && Object.hasOwn(CIPHER_SUITES, name)
    ? CIPHER_SUITES[name as keyof typeof CIPHER_SUITES]
    : undefined;
}

/** The note's key (GCM: key then its 4-byte salt, RFC 4106 §8.1 / RFC 5282 §7.1) split back, checked for length. */
function directionKeys(suite: CipherSuite, encr: string | undefined, integ: string | undefined): DirectionKeys | null {
  if (encr === undefined || integ === undefined || !HEX.test(encr) || !HEX.test(integ)) return null;
  const keys = directionKeysOf(suite, fromHex(encr), fromHex(integ), 'note');
  return typeof keys === 'string' ? null : keys;
}

function ikeEntry(d: NoteData): Ikev2KeyEntry | null {
  const suite = suiteOf(d);
  const spiI = text(d, 'spiI')?.toLowerCase();
  const spiR = text(d, 'spiR')?.toLowerCase();
  if (suite === undefined || spiI === undefined || spiR === undefined) return null;
  if (!/^[0-9a-f]{16}$/.test(spiI) || !/^[0-9a-f]{16}$/.test(spiR)) return null;
  const initiator = directionKeys(suite, text(d, 'skEi'), text(d, 'skAi'));
  const responder = directionKeys(suite, text(d, 'skEr'), text(d, 'skAr'));
  if (initiator === null || responder === null) return null;
  return { spiI, spiR, suite, initiator, responder };
}

/** An address a node did not know (no endpoints given to the IKE SA), or not an address, is the UAT wildcard. */
const ANY = '*';
const known = (a: string | undefined): string =>
  a === undefined || a === '0.0.0.0' || !/^[0-9a-fA-F.:]+$/.test(a) ? ANY : a;

function espEntry(d: NoteData): EspKeyEntry | null {
  const suite = suiteOf(d);
  const spi = d['spi'];
  if (suite === undefined || typeof spi !== 'number' || !Number.isInteger(spi) || spi < 0 || spi > 0xffffffff) {
    return null;
  }
  const keys = directionKeys(suite, text(d, 'encrKey'), text(d, 'integKey'));
  if (keys === null) return null;
  return { src: known(text(d, 'src')), dst: known(text(d, 'dst')), spi, suite, keys };
}

/**
 * Every SA of the run once, in the order first announced. Both ends announce each SA (an IKE SA by its SPI pair, an
 * ESP SA by its SPI, RFC 4303 §2.1); when the two disagree on an address, the address becomes the wildcard `*`.
 * A note that does not read (not one the lab writes) is left out.
 */
export function keyEntriesOfTrace(trace: readonly TraceEvent[]): { ike: Ikev2KeyEntry[]; esp: EspKeyEntry[] } {
  const ike = new Map<string, Ikev2KeyEntry>();
  const esp = new Map<number, EspKeyEntry>();
  for (const e of trace) {
    if (e.type !== 'note' || e.text !== 'crypto.keys' || e.data === undefined) continue;
    if (e.data['kind'] === 'ike') {
      const entry = ikeEntry(e.data);
      if (entry !== null && !ike.has(`${entry.spiI}:${entry.spiR}`)) ike.set(`${entry.spiI}:${entry.spiR}`, entry);
    } else if (e.data['kind'] === 'esp') {
      const entry = espEntry(e.data);
      if (entry === null) continue;
      const seen = esp.get(entry.spi);
      if (seen === undefined) esp.set(entry.spi, entry);
      else if (seen.src !== entry.src || seen.dst !== entry.dst) {
        esp.set(entry.spi, {
          ...seen,
          src: seen.src === entry.src ? seen.src : ANY,
          dst: seen.dst === entry.dst ? seen.dst : ANY,
        });
      }
    }
  }
  return { ike: [...ike.values()], esp: [...esp.values()] };
}

/** True when the trace announces keys (a real-crypto run): what the `--keys` file and the browser export need. */
export function traceHasKeys(trace: readonly TraceEvent[]): boolean {
  return trace.some((e) => e.type === 'note' && e.text === 'crypto.keys');
}

/** The one tshark command that opens `pcap` with the keys file `keys` (both paths as the shell should see them). */
export function tsharkCommand(pcap: string, keys: string): string {
  return (
    `tshark -r ${pcap} -o esp.enable_encryption_decode:TRUE ` +
    `-o "uat:ikev2_decryption_table:$(grep -v '^"IPv' ${keys})" -o "uat:esp_sa:$(grep -v '^[0-9a-f]' ${keys})"`
  );
}

/**
 * The keys file: comment lines (which also keep each table's `-o` value non-empty: tshark refuses an empty one),
 * then one `ikev2_decryption_table` line per IKE SA and one `esp_sa` line per ESP SA (one direction each).
 */
export function wiresharkKeysText(entries: KeyEntries): string {
  const lines = [
    '# dhcpike keys: Wireshark ikev2_decryption_table lines (hex SPIs first), then esp_sa lines ("IPv4" first).',
    `# ${tsharkCommand('CAPTURE.pcap', 'THIS.keys')}`,
    ...entries.ike.map((e) => ikev2DecryptionTableLine(fromHex(e.spiI), fromHex(e.spiR), e.suite, e)),
    ...entries.esp.map((e) => espSaLine(e.src, e.dst, e.spi, e.suite, e.keys)),
  ];
  return `${lines.join('\n')}\n`;
}
