/**
 * Node-only parts of scenarios/: reading scenario files from disk. Importing this module installs the file reader
 * into load.ts, so `loadScenario('path/to/file.json')` (and runScenario, compare, sweep given a path) work in Node.
 * It also installs node:crypto's SHA-256 for trace digests (the same digests, computed natively), and the UDP bridge
 * to real DHCP servers and IKE gateways (`kind: "external"`).
 * The browser entry (browser.ts) never imports this file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTextHasherFactory, type TextHasher } from '../sim/trace-hash.ts';
import { udpExchange } from './external/udp-exchange.ts';
import { setExternalDhcpFactory } from './external-dhcp.ts';
import { ikeUdpExchange } from './external/ike-udp-exchange.ts';
import { setExternalIkeFactory } from './external-ike.ts';
import { setScenarioFileReader, type ScenarioFileReader } from './load.ts';
import { foundText } from './problems.ts';

/** Where the library's JSON files live (for tools that list or copy them). */
export const LIBRARY_DIR = fileURLToPath(new URL('./library/', import.meta.url));
export const CLAIMS_DIR = fileURLToPath(new URL('./claims/', import.meta.url));

export const readScenarioFile: ScenarioFileReader = (path) => {
  if (!existsSync(path))
    return { raw: undefined, problems: [{ path: '', expected: 'a readable file', found: foundText(path) }] };
  try {
    return { raw: JSON.parse(readFileSync(path, 'utf8')), problems: [] };
  } catch (e) {
    return {
      raw: undefined,
      problems: [{ path: '', expected: 'JSON', found: e instanceof Error ? e.message : String(e) }],
    };
  }
};

setScenarioFileReader(readScenarioFile);

// DHCP servers of kind `external`: a UDP bridge in a worker thread (scenarios/external/udp-exchange.ts).
setExternalDhcpFactory((spec) => udpExchange(spec));
// Gateways of kind `external`: UDP sockets on 500 and 4500 in a worker thread (scenarios/external/ike-udp-exchange.ts).
setExternalIkeFactory((spec, localAddress) => ikeUdpExchange({ ...spec, localAddress }));

/** node:crypto's SHA-256 behind the recorder's hasher interface (sim/trace-hash.ts). */
export function nativeTextHasher(): TextHasher {
  const hash = createHash('sha256');
  return {
    update: (text: string) => hash.update(text, 'utf8'),
    updateBytes: (bytes: Uint8Array) => hash.update(bytes),
    digestHex: () => hash.digest('hex'),
  };
}

setTextHasherFactory(nativeTextHasher);
