/**
 * The inbound ESP checks both ends of a Child SA make before using a packet (RFC 4303 §3.4): the ICV with the SA's key
 * (§3.4.4; the modelled keyed tag, models/wire/crypto-suite.ts), then the anti-replay window (§3.4.3, updated only
 * after the ICV verified). The SA key is the lab's stand-in for KEYMAT (RFC 7296 §2.17): derived from the IKE SA's
 * PSK and the two SPIs, so a node that does not hold the IKE SA cannot produce it — the attacker knows SPIs (they
 * are on the wire) but not the victim's PSK.
 */
import { modelledKey } from '../wire/crypto-suite.ts';
import { EspReplayWindow, ESP_REPLAY_WINDOW, type ReplayVerdict } from '../wire/esp.ts';
import { espLayerIntegrityValid } from '../wire/packet.ts';
import { FewMap } from './few-map.ts';
import type { Packet } from './lab-packet.ts';

/** The key of the ESP direction whose packets carry SPI `headerSpi` (the receiver's inbound SPI). */
export function espKeyOf(pskName: string, headerSpi: number, otherSpi: number): number {
  return modelledKey(`esp:${pskName}`, headerSpi, otherSpi);
}

export interface EspDefences {
  /** Check the keyed ICV tag (RFC 4303 §3.4.4). Default true. */
  readonly integrity: boolean;
  /** Anti-replay window in packets; 0 = off (RFC 4303 §3.4.3: the receiver MAY disable it). Default 64. */
  readonly replayWindow: number;
}

export const DEFAULT_ESP_DEFENCES: EspDefences = { integrity: true, replayWindow: ESP_REPLAY_WINDOW };

export type InboundVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'integrity' | Exclude<ReplayVerdict, 'ok'> };

/** Replay windows by inbound SPI: what `Map` and `FewMap` both offer. */
interface WindowTable {
  get(spi: number): EspReplayWindow | undefined;
  set(spi: number, w: EspReplayWindow): unknown;
  delete(spi: number): boolean;
  clear(): void;
}

/** Per inbound SPI: the replay windows; `admit` runs both checks in RFC 4303 §3.4's order. */
export class EspInbound {
  /**
   * Created on the first packet admitted (a client that never receives ESP holds none). A node receiving on a few
   * SPIs (a client) keeps them in a FewMap (a Map is ~200 B for its one or two); a gateway, on every client's, in a Map.
   */
  private windows: WindowTable | undefined;

  constructor(
    readonly defences: EspDefences = DEFAULT_ESP_DEFENCES,
    private readonly manySpis = false,
  ) {}

  /** `key` undefined: real crypto, whose codec verified the ICV when it opened the packet (RFC 4303 §3.4.4). */
  admit(p: Packet, key: number | undefined): InboundVerdict {
    const l = p.payload;
    if (l.kind !== 'esp-sealed') return { ok: false, reason: 'integrity' };
    if (key !== undefined && this.defences.integrity && !espLayerIntegrityValid(l, key))
      return { ok: false, reason: 'integrity' };
    if (this.defences.replayWindow <= 0) return { ok: true };
    const windows = (this.windows ??= this.manySpis ? new Map() : new FewMap());
    let w = windows.get(l.spi);
    if (w === undefined) {
      w = new EspReplayWindow(this.defences.replayWindow);
      windows.set(l.spi, w);
    }
    const verdict = w.check(l.sequence);
    if (verdict !== 'ok') return { ok: false, reason: verdict };
    w.accept(l.sequence);
    return { ok: true };
  }

  /** The SA is gone (deleted, rekeyed away): its window goes with it. */
  forget(spi: number): void {
    this.windows?.delete(spi);
  }

  clear(): void {
    this.windows?.clear();
  }
}
