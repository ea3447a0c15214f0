/**
 * Anti-theft (the security rule; both drafts are silent): the hardware address (htype, chaddr[:hlen]) and the
 * client identifier (option 61) first seen on an IKE SA are pinned to it. A later DHCP payload on that SA naming
 * another client, or a payload naming a client pinned to an SA of another IKE identity, is refused. The same IKE
 * identity may take its pins over from an older SA (a reconnect before the gateway noticed the old one died).
 */
import { findOption, toHex } from '../../dhcp/options.ts';
import type { DhcpMessage } from '../../wire/dhcp/types.ts';

export interface ClientKeys {
  /** `htype:hex(chaddr[:hlen])`. */
  readonly hardware: string;
  /** `type:hex(data)` of option 61, or undefined. */
  readonly clientId: string | undefined;
}

export function clientKeys(m: DhcpMessage): ClientKeys {
  const id = findOption(m, 'clientId');
  return {
    hardware: `${m.htype}:${toHex(m.chaddr.subarray(0, Math.min(16, m.hlen)))}`,
    clientId: id === undefined ? undefined : `${id.type}:${toHex(id.data)}`,
  };
}

interface Owner {
  readonly ikeSaId: string;
  readonly peerId: string;
}

export type PinVerdict = { readonly ok: true } | { readonly ok: false; readonly chaddr: string };

export class ClientPins {
  private readonly bySa = new Map<string, ClientKeys>();
  private readonly owners = new Map<string, Owner>();

  /** Checks `keys` for the SA and pins them on success. */
  claim(ikeSaId: string, peerId: string, keys: ClientKeys): PinVerdict {
    const mine = this.bySa.get(ikeSaId);
    if (mine !== undefined) {
      const same = mine.hardware === keys.hardware && mine.clientId === keys.clientId;
      return same ? { ok: true } : { ok: false, chaddr: keys.hardware };
    }
    const names = [`hw:${keys.hardware}`, ...(keys.clientId === undefined ? [] : [`id:${keys.clientId}`])];
    for (const n of names) {
      const o = this.owners.get(n);
      if (o !== undefined && o.ikeSaId !== ikeSaId && o.peerId !== peerId) return { ok: false, chaddr: keys.hardware };
    }
    for (const n of names) {
      const o = this.owners.get(n);
      if (o !== undefined && o.ikeSaId !== ikeSaId) this.bySa.delete(o.ikeSaId);
      this.owners.set(n, { ikeSaId, peerId });
    }
    this.bySa.set(ikeSaId, keys);
    return { ok: true };
  }

  keysOf(ikeSaId: string): ClientKeys | undefined {
    return this.bySa.get(ikeSaId);
  }

  drop(ikeSaId: string): void {
    this.bySa.delete(ikeSaId);
    for (const [n, o] of this.owners) if (o.ikeSaId === ikeSaId) this.owners.delete(n);
  }

  clear(): void {
    this.bySa.clear();
    this.owners.clear();
  }
}
