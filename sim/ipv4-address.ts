/** Old names kept for scenarios/ while it moves to models/wire/ipv4-address.ts. */
export {
  ipv4ToU32 as parseIpv4,
  u32ToIpv4 as formatIpv4,
  prefixMaskU32 as prefixMask,
} from '../models/wire/ipv4-address.ts';
