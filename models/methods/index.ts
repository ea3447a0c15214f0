/** The method registry, by method id. Adding a method = one new module plus one line here. */
import type { MethodFactory } from './method.ts';
import { modeCfgFactory } from './mode-cfg.ts';
import { dhcpOverIkeFactory } from './dhcp-over-ike.ts';
import { dhcpOverIkeWgFactory } from './dhcp-over-ike-wg.ts';
import { dhcpOverIpsecFactory } from './dhcp-over-ipsec.ts';
import { modeCfgDhcpFactory } from './mode-cfg-dhcp.ts';

export * from './method.ts';
export { AddressPool, type PoolOptions } from './address-pool.ts';

export {
  MODE_CFG,
  modeCfgClient,
  modeCfgFactory,
  modeCfgMethod,
  parseModeCfgClientOptions,
  parsePoolOptions,
  poolProvider,
  type ModeCfgClientOptions,
} from './mode-cfg.ts';

const METHODS: ReadonlyMap<string, MethodFactory> = new Map<string, MethodFactory>([
  [dhcpOverIkeFactory.id, dhcpOverIkeFactory],
  [dhcpOverIkeWgFactory.id, dhcpOverIkeWgFactory],
  [modeCfgFactory.id, modeCfgFactory],
  [dhcpOverIpsecFactory.id, dhcpOverIpsecFactory],
  [modeCfgDhcpFactory.id, modeCfgDhcpFactory],
]);

export function methodById(id: string): MethodFactory {
  const m = METHODS.get(id);
  if (m === undefined) throw new Error(`unknown method '${id}' (known: ${[...METHODS.keys()].join(', ')})`);
  return m;
}

export function methodIds(): string[] {
  return [...METHODS.keys()];
}
