/**
 * A reader's key lookup: the SA keys of a whole capture (every IKE SA and every ESP SA, both directions), as
 * Wireshark's `ikev2_decryption_table` and `esp_sa` give them, answering the codec's `SaKeyLookup`
 * (models/wire/packet.ts `PacketCodecOptions.keys`). A node's own store (sa-key-store.ts) tells inbound from
 * outbound SPIs; a reader of a capture sees both directions, so every ESP entry answers by its SPI alone
 * (RFC 4303 §2.1: the SPI with the destination identifies the SA; the lab's SPIs are unique per run).
 */
import type { EspKeyEntry, Ikev2KeyEntry } from './wireshark-keys.ts';
import { SaKeyStore, type SaKeyLookup } from './sa-key-store.ts';

export interface KeyEntries {
  readonly ike: readonly Ikev2KeyEntry[];
  readonly esp: readonly EspKeyEntry[];
}

/**
 * Opening never uses the IV secret (the IV is read from the packet; RFC 7296 §3.14, RFC 4303 §2.3): only sealing
 * derives IVs from it, and a reader seals nothing.
 */
const NO_IV_SECRET = new Uint8Array(0);

export function keyLookupOf(entries: KeyEntries): SaKeyLookup {
  const store = new SaKeyStore();
  for (const e of entries.ike) {
    store.setIke(e.spiI.toLowerCase(), e.spiR.toLowerCase(), {
      suite: e.suite,
      initiator: e.initiator,
      responder: e.responder,
      ivSecret: NO_IV_SECRET,
    });
  }
  for (const e of entries.esp) {
    const entry = { suite: e.suite, keys: e.keys, ivSecret: NO_IV_SECRET };
    store.setEsp('in', e.spi, entry);
    store.setEsp('out', e.spi, entry);
  }
  // Key files may write SPIs in either case (the codec asks in lower case, what the store holds).
  return {
    ike: (spiI, spiR) => store.ike(spiI.toLowerCase(), spiR.toLowerCase()),
    espIn: (spi) => store.espIn(spi),
    espOut: (spi) => store.espOut(spi),
  };
}
