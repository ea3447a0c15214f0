/** One-line summaries of every layer, in the notation of the RFC diagrams (what traces and `dhcpike decode` print). */
export { summarizePacket } from './packet.ts';
export { summarizeDhcpMessage } from './dhcp/summary.ts';
export { summarizeIkeMessage } from './ike/index.ts';
