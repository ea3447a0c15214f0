/**
 * Key lines for Wireshark's decryption tables, so a lab capture opens in Wireshark/tshark:
 * - `ikev2_decryption_table` (ISAKMP preferences): SPIi, SPIr, SK_ei, SK_er, "encryption", SK_ai, SK_ar, "integrity";
 * - `esp_sa` (ESP preferences): "IPv4", "src", "dst", "0xSPI", "encryption", "0xkey", "authentication", "0xkey".
 * The algorithm names are the strings Wireshark's UAT accepts (packet-isakmp.c, packet-ipsec.c; checked against
 * tshark 4.0). For AES-GCM the keys in both tables INCLUDE the 4-byte salt at their end (RFC 5282 §7.1,
 * RFC 4106 §8.1). Hex fields of the IKE table are unquoted, everything else is quoted, as Wireshark writes them.
 */
import { fromHex, toHex } from '../bytes.ts';
import { CIPHER_SUITES, type CipherSuite } from '../crypto-suite.ts';
import type { DirectionKeys, IkeSaSecrets } from './ike-keys.ts';
import { concatBytes } from './prf.ts';

export interface Ikev2KeyEntry {
  /** Lower-case hex, 16 digits. */
  spiI: string;
  spiR: string;
  suite: CipherSuite;
  initiator: DirectionKeys;
  responder: DirectionKeys;
}

export interface EspKeyEntry {
  src: string;
  dst: string;
  spi: number;
  suite: CipherSuite;
  keys: DirectionKeys;
}

const IKE_INTEG_NONE = 'NONE [RFC4306]';
const IKE_INTEG_SHA256 = 'HMAC_SHA2_256_128 [RFC4868]';
const ESP_CBC = 'AES-CBC [RFC3602]';
const ESP_GCM16 = 'AES-GCM with 16 octet ICV [RFC4106]';
const ESP_AUTH_SHA256 = 'HMAC-SHA-256-128 [RFC4868]';
const ESP_AUTH_NULL = 'NULL';

function ikeEncrName(suite: CipherSuite): string {
  return suite.aead
    ? `AES-GCM-${suite.keyLengthBits} with 16 octet ICV [RFC5282]`
    : `AES-CBC-${suite.keyLengthBits} [RFC3602]`;
}

/** The key as Wireshark wants it (and as the lab's `crypto.keys` notes carry it): for GCM the key followed by its salt. */
export function tableKey(k: DirectionKeys): Uint8Array {
  return concatBytes(k.encrKey, k.salt);
}

/** One `ikev2_decryption_table` line for an IKE SA. */
export function ikev2DecryptionTableLine(
  spiI: Uint8Array,
  spiR: Uint8Array,
  suite: CipherSuite,
  s: Pick<IkeSaSecrets, 'initiator' | 'responder'>,
): string {
  return [
    toHex(spiI),
    toHex(spiR),
    toHex(tableKey(s.initiator)),
    toHex(tableKey(s.responder)),
    `"${ikeEncrName(suite)}"`,
    toHex(s.initiator.integKey),
    toHex(s.responder.integKey),
    `"${suite.aead ? IKE_INTEG_NONE : IKE_INTEG_SHA256}"`,
  ].join(',');
}

function spiHex(spi: number): string {
  return `0x${(spi >>> 0).toString(16).padStart(8, '0')}`;
}

/** One `esp_sa` line for the ESP SA `spi` carrying packets from `src` to `dst`. */
export function espSaLine(src: string, dst: string, spi: number, suite: CipherSuite, k: DirectionKeys): string {
  const family = src.includes(':') ? 'IPv6' : 'IPv4';
  const fields = [
    family,
    src,
    dst,
    spiHex(spi),
    suite.aead ? ESP_GCM16 : ESP_CBC,
    `0x${toHex(tableKey(k))}`,
    suite.aead ? ESP_AUTH_NULL : ESP_AUTH_SHA256,
    suite.aead ? '' : `0x${toHex(k.integKey)}`,
  ];
  return fields.map((f) => `"${f}"`).join(',');
}

/** Splits one UAT line at commas outside double quotes; null when a quote is not closed. */
function splitFields(line: string): { text: string; quoted: boolean }[] | null {
  const fields: { text: string; quoted: boolean }[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return null;
      fields.push({ text: line.slice(i + 1, close), quoted: true });
      i = close + 1;
      while (line[i] === ' ') i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push({ text: line.slice(i, end).trim(), quoted: false });
      i = end;
    }
    if (i >= line.length) return fields;
    if (line[i] !== ',') return null;
    i++;
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Hex bytes, with or without a `0x` prefix; null when not hex. */
function hexField(text: string): Uint8Array | null {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  return HEX.test(digits) ? fromHex(digits) : null;
}

class LineError extends Error {}

function need<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new LineError(what);
  return value;
}

/**
 * A table key (GCM: key ‖ salt, `tableKey`) and an integrity key as one direction's keys, or why they do not fit the
 * suite (`who` names the direction in the reason).
 */
export function directionKeysOf(
  suite: CipherSuite,
  key: Uint8Array,
  integKey: Uint8Array,
  who: string,
): DirectionKeys | string {
  const keyBytes = suite.keyLengthBits / 8;
  const saltBytes = suite.aead ? 4 : 0;
  if (key.length !== keyBytes + saltBytes)
    return `${who} encryption key is ${key.length} bytes, ${suite.name} needs ${keyBytes + saltBytes}`;
  const integBytes = suite.aead ? 0 : 32;
  if (integKey.length !== integBytes)
    return `${who} integrity key is ${integKey.length} bytes, ${suite.name} needs ${integBytes}`;
  return { encrKey: key.slice(0, keyBytes), salt: key.slice(keyBytes), integKey: integKey.slice() };
}

/** `directionKeysOf`, a line error when they do not fit. */
function splitKey(suite: CipherSuite, key: Uint8Array, integKey: Uint8Array, who: string): DirectionKeys {
  const keys = directionKeysOf(suite, key, integKey, who);
  if (typeof keys === 'string') throw new LineError(keys);
  return keys;
}

function suiteOf(aead: boolean, keyLengthBits: number): CipherSuite | undefined {
  return Object.values(CIPHER_SUITES).find((s) => s.aead === aead && s.keyLengthBits === keyLengthBits);
}

function parseIkeLine(f: readonly { text: string; quoted: boolean }[]): Ikev2KeyEntry {
  const text = (i: number): string => f[i]?.text ?? '';
  const spiI = need(hexField(text(0)), `SPIi '${text(0)}' is not hex`);
  const spiR = need(hexField(text(1)), `SPIr '${text(1)}' is not hex`);
  if (spiI.length !== 8 || spiR.length !== 8) throw new LineError('SPIs must be 8 bytes (16 hex digits)');
  const encr = /^AES-(CBC|GCM)-(128|256)(?: with 16 octet ICV)? \[RFC(3602|5282)\]$/.exec(text(4));
  if (encr === null) throw new LineError(`encryption '${text(4)}' is not one of the lab's suites`);
  const aead = encr[1] === 'GCM';
  if (aead !== text(4).includes('16 octet ICV')) throw new LineError(`encryption '${text(4)}' is not supported`);
  const suite = need(suiteOf(aead, Number(encr[2])), `encryption '${text(4)}' is not supported`);
  const integ = text(7);
  if (integ !== (aead ? IKE_INTEG_NONE : IKE_INTEG_SHA256)) {
    throw new LineError(`integrity '${integ}' does not go with ${suite.name}`);
  }
  const hex = (i: number, name: string): Uint8Array => need(hexField(text(i)), `${name} '${text(i)}' is not hex`);
  return {
    spiI: toHex(spiI),
    spiR: toHex(spiR),
    suite,
    initiator: splitKey(suite, hex(2, 'SK_ei'), hex(5, 'SK_ai'), 'SK_ei/SK_ai:'),
    responder: splitKey(suite, hex(3, 'SK_er'), hex(6, 'SK_ar'), 'SK_er/SK_ar:'),
  };
}

function parseEspLine(f: readonly { text: string; quoted: boolean }[]): EspKeyEntry {
  const text = (i: number): string => f[i]?.text ?? '';
  const spiText = text(3);
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(spiText)) throw new LineError(`SPI '${spiText}' is not 0x and 1-8 hex digits`);
  const spi = Number.parseInt(spiText.slice(2), 16);
  const key = need(hexField(text(5)), `encryption key '${text(5)}' is not hex`);
  const integKey = need(hexField(text(7)), `authentication key '${text(7)}' is not hex`);
  let suite: CipherSuite | undefined;
  if (text(4) === ESP_GCM16) {
    if (text(6) !== ESP_AUTH_NULL) throw new LineError(`authentication '${text(6)}' with AES-GCM, expected NULL`);
    suite = suiteOf(true, (key.length - 4) * 8);
  } else if (text(4) === ESP_CBC) {
    if (text(6) !== ESP_AUTH_SHA256) throw new LineError(`authentication '${text(6)}' is not ${ESP_AUTH_SHA256}`);
    suite = suiteOf(false, key.length * 8);
  } else {
    throw new LineError(`encryption '${text(4)}' is not one of the lab's suites`);
  }
  if (suite === undefined) throw new LineError(`encryption key of ${key.length} bytes fits no suite of the lab`);
  return { src: text(1), dst: text(2), spi, suite, keys: splitKey(suite, key, integKey, 'ESP') };
}

/**
 * Reads `ikev2_decryption_table` and `esp_sa` lines (either file, or both mixed), one entry per line. Blank lines and
 * `#` comments are skipped; a line that does not read goes to `errors` as `line N: reason` (N from 1).
 */
export function parseWiresharkKeys(text: string): { ike: Ikev2KeyEntry[]; esp: EspKeyEntry[]; errors: string[] } {
  const ike: Ikev2KeyEntry[] = [];
  const esp: EspKeyEntry[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = splitFields(line);
    if (fields === null) {
      errors.push(`line ${index + 1}: unbalanced quotes or text after a quoted field`);
      return;
    }
    if (fields.length !== 8) {
      errors.push(`line ${index + 1}: ${fields.length} fields, a key line has 8`);
      return;
    }
    try {
      const family = fields[0]?.text ?? '';
      if (family === 'IPv4' || family === 'IPv6') esp.push(parseEspLine(fields));
      else ike.push(parseIkeLine(fields));
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      errors.push(`line ${index + 1}: ${e.message}`);
    }
  });
  return { ike, esp, errors };
}
