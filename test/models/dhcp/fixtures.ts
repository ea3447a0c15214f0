/** Pools shared by the lease store and server tests. */
import type { PoolConfig } from '../../../models/dhcp/lease-store.ts';

export const POOL_A: PoolConfig = {
  name: 'a',
  subnet: '10.1.0.0',
  prefixLength: 24,
  rangeStart: '10.1.0.10',
  rangeEnd: '10.1.0.13',
  router: '10.1.0.1',
  dns: ['10.1.0.53'],
  leaseSecs: 100,
  offerHoldSecs: 10,
};
export const POOL_B: PoolConfig = {
  ...POOL_A,
  name: 'b',
  subnet: '10.2.0.0',
  rangeStart: '10.2.0.10',
  rangeEnd: '10.2.0.20',
  router: '10.2.0.1',
};
