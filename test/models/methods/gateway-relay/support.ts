/** Small readers shared by the gateway glue model tests. */
import { messageTypeOf } from '../../../../models/dhcp/options.ts';
import { readRelayAgentInfo } from '../../../../models/dhcp/relay.ts';
import type { DhcpMessage } from '../../../../models/wire/dhcp/types.ts';

export { messageTypeOf };

/** A text sub-option of option 82 (RFC 3046 §3.1 circuit-id, §3.2 remote-id), or undefined. */
export function readRelayAgentInfoText(m: DhcpMessage, kind: 'circuitId' | 'remoteId'): string | undefined {
  const sub = readRelayAgentInfo(m)?.find((s) => s.kind === kind);
  return sub?.kind === kind ? new TextDecoder().decode(sub.data) : undefined;
}
