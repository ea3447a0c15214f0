/**
 * Named policies: every knob a method (or the IKE machinery every method shares) exposes to scenarios and to
 * `dhcpike --option name=value`. A method module exports `policies: readonly PolicyDescriptor[]`; the scenario schema
 * and the CLI are built from these descriptors, so a new method's policies appear without touching scenarios/.
 */

export type PolicyKind = 'enum' | 'int' | 'bool' | 'durationMs';

export type PolicyValue = string | number | boolean;

export interface PolicyDescriptor {
  /** Unique across all methods (camelCase, e.g. `busyRepeat`, `dhcpSaTeardown`). */
  readonly name: string;
  readonly kind: PolicyKind;
  /** `enum` only: the allowed values. */
  readonly values?: readonly string[];
  /** `int` / `durationMs`: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  readonly default: PolicyValue;
  /** One line, shown by `--help` and in the JSON Schema. */
  readonly doc: string;
  /** Where it applies, e.g. `ike`, `gateway`, `client`, or a method id. */
  readonly section: string;
}

export type PolicyValues = Readonly<Record<string, PolicyValue>>;

export type PolicyCheck =
  { readonly ok: true; readonly value: PolicyValue } | { readonly ok: false; readonly expected: string };

/** What a descriptor accepts, in words (for error messages). */
export function policyExpected(d: PolicyDescriptor): string {
  switch (d.kind) {
    case 'enum':
      return `one of ${(d.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'bool':
      return 'true or false';
    case 'int':
    case 'durationMs': {
      const unit = d.kind === 'durationMs' ? ' (ms)' : '';
      return `an integer${unit} in [${d.min ?? 0}, ${d.max ?? Number.MAX_SAFE_INTEGER}]`;
    }
  }
}

/** Validates a value (from JSON) against a descriptor. */
export function checkPolicyValue(d: PolicyDescriptor, value: unknown): PolicyCheck {
  switch (d.kind) {
    case 'enum':
      return typeof value === 'string' && (d.values ?? []).includes(value)
        ? { ok: true, value }
        : { ok: false, expected: policyExpected(d) };
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, expected: policyExpected(d) };
    case 'int':
    case 'durationMs': {
      const min = d.min ?? 0;
      const max = d.max ?? Number.MAX_SAFE_INTEGER;
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
        ? { ok: true, value }
        : { ok: false, expected: policyExpected(d) };
    }
  }
}

/** Parses the text of `--option name=value` for a descriptor. */
export function parsePolicyText(d: PolicyDescriptor, text: string): PolicyCheck {
  switch (d.kind) {
    case 'enum':
      return checkPolicyValue(d, text);
    case 'bool':
      return text === 'true' || text === 'false'
        ? { ok: true, value: text === 'true' }
        : { ok: false, expected: policyExpected(d) };
    case 'int':
    case 'durationMs':
      return /^-?\d+$/.test(text) ? checkPolicyValue(d, Number(text)) : { ok: false, expected: policyExpected(d) };
  }
}

/**
 * Policies of the IKE machinery every method shares (models/ike/config.ts, models/nodes/client-node.ts). Methods add
 * their own in their modules.
 */
export const COMMON_POLICIES: readonly PolicyDescriptor[] = [
  {
    name: 'retransmit',
    kind: 'enum',
    values: ['strongswan', 'doubling'],
    default: 'strongswan',
    doc: 'IKE retransmission schedule: strongSwan 4 s × 1.8, 5 tries; or 1 s doubling, 6 tries (RFC 7296 §2.1)',
    section: 'ike',
  },
  {
    name: 'natDetection',
    kind: 'bool',
    default: true,
    doc: 'IKE_SA_INIT request and response carry NAT_DETECTION_SOURCE_IP / DESTINATION_IP = SHA-1(SPIi | SPIr | IP | port) of the packet (RFC 7296 §2.23), as strongSwan sends them; false = no NAT-D',
    section: 'ike',
  },
  {
    name: 'crypto',
    kind: 'enum',
    values: ['modelled', 'real'],
    default: 'modelled',
    doc: 'IKE and ESP cryptography: modelled (exact sizes, readable bodies, keyed tags) or real (DH groups 19/31/14, SKEYSEED and prf+, AES-GCM-16 or AES-CBC + HMAC-SHA2-256-128, PSK AUTH; RFC 7296 §2.13–2.17, RFC 4303); also the scenario field `crypto`',
    section: 'ike',
  },
  {
    name: 'busyRepeat',
    kind: 'enum',
    values: ['ignore', 'ack-later'],
    default: 'ignore',
    doc: 'gateway: a repeated request while waiting for an address is ignored, or answered once ready',
    section: 'gateway',
  },
  {
    name: 'cpRequired',
    kind: 'bool',
    default: true,
    doc: 'gateway: a peer sending no CP gets FAILED_CP_REQUIRED (RFC 7296 §2.19)',
    section: 'gateway',
  },
  {
    name: 'addressTimeoutMs',
    kind: 'durationMs',
    min: 1,
    max: 600_000,
    default: 10_000,
    doc: 'gateway: how long IKE_AUTH may wait for an asynchronous address provider (mode-cfg-dhcp: 600000, its proxy gives up by itself after 15 s per phase as strongSwan does)',
    section: 'gateway',
  },
  {
    name: 'rekeyBusy',
    kind: 'bool',
    default: false,
    doc: 'gateway: answer CREATE_CHILD_SA rekeys with TEMPORARY_FAILURE (RFC 7296 §2.25)',
    section: 'gateway',
  },
  {
    name: 'poolReuseDelayMs',
    kind: 'durationMs',
    min: 0,
    max: 86_400_000,
    default: 0,
    doc: 'gateway local pool: a released address goes to another identity only after this delay',
    section: 'gateway',
  },
  {
    name: 'espIntegrity',
    kind: 'bool',
    default: true,
    doc: 'gateway and clients: verify the keyed ICV tag of inbound ESP with the SA key before use (RFC 4303 §3.4.4); with real crypto the ICV is always verified (a packet that fails it cannot be decrypted)',
    section: 'gateway',
  },
  {
    name: 'espReplayWindow',
    kind: 'int',
    min: 0,
    max: 1024,
    default: 64,
    doc: 'gateway and clients: ESP anti-replay window in packets, 0 = off (RFC 4303 §3.4.3: 64 recommended)',
    section: 'gateway',
  },
  {
    name: 'dhcpFromTunnel',
    kind: 'enum',
    values: ['relay', 'refuse', 'forward'],
    default: 'relay',
    doc: "gateway: tunnel UDP to a DHCP server's port 67 goes only through the gateway's own relay (RFC 3456 §4.2) or is refused (relay); always refused (refuse); routed like any packet (forward)",
    section: 'gateway',
  },
];
