/**
 * What the Export buttons write: the trace as canonical JSON Lines, a pcap of every sent packet, the keys of a
 * real-crypto run for Wireshark (beside the pcap), the ladder SVG.
 */
import { keyLookupOf } from '../../models/wire/crypto/key-table.ts';
import type { SaKeyLookup } from '../../models/wire/crypto/sa-key-store.ts';
import { writePcap } from '../../models/wire/pcap/write.ts';
import { keyEntriesOfTrace, traceHasKeys, wiresharkKeysText } from '../../scenarios/keys-export.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';
import type { TraceEvent } from '../../sim/trace.ts';

export function traceJsonl(trace: readonly TraceEvent[]): string {
  return toJsonl(trace);
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** One record per `send` event, stamped with its virtual time (LINKTYPE_RAW IPv4). */
export function tracePcap(trace: readonly TraceEvent[]): Uint8Array {
  const records = trace.flatMap((e) =>
    e.type === 'send' ? [{ timestampUs: e.atUs, ipv4Bytes: hexToBytes(e.bytes) }] : [],
  );
  return writePcap(records);
}

/**
 * The keys file `dhcpike run --keys` writes (Wireshark's ikev2_decryption_table and esp_sa lines), or undefined when
 * the run announced no keys (modelled crypto).
 */
export function traceKeysText(trace: readonly TraceEvent[]): string | undefined {
  return traceHasKeys(trace) ? wiresharkKeysText(keyEntriesOfTrace(trace)) : undefined;
}

const lookups = new WeakMap<readonly TraceEvent[], SaKeyLookup | null>();

/** The keys the inspector opens a real-crypto run's packets with (built once per trace); undefined: modelled. */
export function traceKeyLookup(trace: readonly TraceEvent[]): SaKeyLookup | undefined {
  let lookup = lookups.get(trace);
  if (lookup === undefined) {
    lookup = traceHasKeys(trace) ? keyLookupOf(keyEntriesOfTrace(trace)) : null;
    lookups.set(trace, lookup);
  }
  return lookup ?? undefined;
}
