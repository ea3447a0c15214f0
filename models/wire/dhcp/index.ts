/** DHCPv4 wire codec (RFC 2131, RFC 2132, RFC 3046 and its sub-option RFCs, RFC 3396). */
export * from './types.ts';
export * from './codec.ts';
export {
  DHCP_OPTION_END,
  DHCP_OPTION_PAD,
  DhcpOptionCode,
  decodeDhcpOption,
  dhcpOptionCode,
  dhcpOptionDataLength,
  dhcpOptionLength,
  emitDhcpOption,
  emitDhcpOptionInto,
  parseDhcpOption,
  parseDhcpOptionArea,
} from './options.ts';
export * from './relay-agent.ts';
export * from './message.ts';
export { summarizeDhcpMessage } from './summary.ts';
