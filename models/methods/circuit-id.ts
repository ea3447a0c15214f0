/**
 * The one circuit-id format every gateway-side DHCP agent of the lab uses (the seed's relay, RFC 3456's relay, the
 * mode-cfg-dhcp proxy): `ike:<IKE SA id>` in ASCII. RFC 3046 §3.1 leaves the format to the agent ("the 'circuit'
 * from which a DHCP client-to-server packet was received"); RFC 3456 §4.2 puts "the virtual port number of the
 * tunnel" there: the IKE SA names the tunnel. One format means one reading in the ladder, pcaps and server logs.
 */
import type { RelayAgentSubOption } from '../wire/dhcp/types.ts';

const CIRCUIT_PREFIX = 'ike:';
const text = new TextEncoder();
const untext = new TextDecoder();

/** The circuit-id naming a tunnel: `ike:<IKE SA id>`. */
export function circuitIdOf(ikeSaId: string): Uint8Array {
  return text.encode(`${CIRCUIT_PREFIX}${ikeSaId}`);
}

/** The IKE SA id a circuit-id names, or undefined when it is not one of ours. */
export function ikeSaOfCircuitId(data: Uint8Array): string | undefined {
  const s = untext.decode(data);
  return s.startsWith(CIRCUIT_PREFIX) ? s.slice(CIRCUIT_PREFIX.length) : undefined;
}

/** The IKE SA id named by the circuit-id sub-option among `subs`, or undefined. */
export function ikeSaOfRelayInfo(subs: readonly RelayAgentSubOption[] | null | undefined): string | undefined {
  const c = subs?.find((s) => s.kind === 'circuitId');
  return c?.kind === 'circuitId' ? ikeSaOfCircuitId(c.data) : undefined;
}
