/**
 * The lease store's index of which address a client's record is at, per pool (RFC 2131 §4.3.1: the server finds the
 * client's current or previous address by its client key). One map per pool keyed by the client key itself, not one
 * map keyed by `pool|clientKey`: that built a ~30-character string per client (~48 B of heap each, kept for every
 * lease of a storm); the key here is the record's own string.
 */
import type { Ipv4Address } from '../wire/dhcp/types.ts';

export class ClientIndex {
  private readonly byPool = new Map<string, Map<string, Ipv4Address>>();

  get(pool: string, clientKey: string): Ipv4Address | undefined {
    return this.byPool.get(pool)?.get(clientKey);
  }

  set(pool: string, clientKey: string, address: Ipv4Address): void {
    let clients = this.byPool.get(pool);
    if (clients === undefined) {
      clients = new Map();
      this.byPool.set(pool, clients);
    }
    clients.set(clientKey, address);
  }

  delete(pool: string, clientKey: string): void {
    this.byPool.get(pool)?.delete(clientKey);
  }
}
