/**
 * One paragraph per kind of message: why it is on the ladder and where the documents say so. Shown above the decoded
 * layers in the inspector, and as a caption under the controls while a run plays (when captions are on). Keyed by
 * the message, not by the method, except where a method gives the same bytes another purpose.
 */
export interface MessageNote {
  readonly title: string;
  readonly text: string;
  /** Document and section, e.g. `RFC 7296 §1.2`. */
  readonly source: string;
}

const SEED = 'draft-richardson-ipsec-dhcp-over-ike-00';
const WG = 'draft-ietf-ipsec-dhcp-over-ike-00';

const NOTES: readonly { readonly test: (summary: string, method: string) => boolean; readonly note: MessageNote }[] = [
  {
    test: (s) => /^IKE_SA_INIT .*N\(COOKIE\)/.test(s),
    note: {
      title: 'IKE_SA_INIT with a COOKIE',
      text: 'A responder under load answers the first request with a cookie instead of doing Diffie–Hellman; the initiator repeats its request with the cookie, proving it can receive at its address before the gateway commits any state.',
      source: 'RFC 7296 §2.6',
    },
  },
  {
    test: (s) => s.startsWith('IKE_SA_INIT'),
    note: {
      title: 'IKE_SA_INIT',
      text: 'The first exchange: the peers agree on algorithms (SA), run Diffie–Hellman (KE) and swap nonces. Nothing is authenticated yet and nothing about addresses is said; every method starts the same way.',
      source: 'RFC 7296 §1.2',
    },
  },
  {
    test: (s, m) => s.startsWith('IKE_AUTH') && s.includes('DHCP(') && m === 'dhcp-over-ike-wg',
    note: {
      title: 'IKE_AUTH carrying DHCP (the working group draft)',
      text: 'The client puts its DHCP messages in DHCP payloads of as many IKE_AUTH rounds as the DHCP exchange needs; the gateway relays them to the DHCP server. The Child SA is created in the last round, with TSi narrowed to the leased address.',
      source: `${WG} §3`,
    },
  },
  {
    test: (s) => (s.startsWith('IKE_AUTH') || s.startsWith('CREATE_CHILD_SA')) && s.includes('DHCP('),
    note: {
      title: 'DHCP inside IKE (the seed draft)',
      text: 'DISCOVER/OFFER ride in a childless IKE_AUTH; REQUEST/ACK ride in the CREATE_CHILD_SA that makes the tunnel, whose TSi is the leased address. The gateway is a DHCP relay (giaddr, option 82); renewals ride every rekey.',
      source: `${SEED} §2`,
    },
  },
  {
    test: (s) => s.startsWith('IKE_AUTH') && s.includes('CP('),
    note: {
      title: 'IKE_AUTH with a Configuration Payload',
      text: 'The client asks for an internal address with CP(CFG_REQUEST); the gateway answers CP(CFG_REPLY) with the address from its pool (mode-cfg) or from a DHCP exchange it runs on the client’s behalf (mode-cfg-dhcp), and the Child SA’s TSi is that address.',
      source: 'RFC 7296 §2.19, §3.15',
    },
  },
  {
    test: (s) => s.startsWith('IKE_AUTH'),
    note: {
      title: 'IKE_AUTH',
      text: 'Both peers prove who they are (IDi/IDr, AUTH) under the keys IKE_SA_INIT made, and the first Child SA is usually created here (SAi2, TSi, TSr). For RFC 3456 the first Child SA is the DHCP SA: it protects only DHCP between the client and the gateway.',
      source: 'RFC 7296 §1.2; RFC 3456 §4.1',
    },
  },
  {
    test: (s) => s.startsWith('CREATE_CHILD_SA') && s.includes('N(REKEY_SA)'),
    note: {
      title: 'Child SA rekey',
      text: 'A new Child SA replaces one whose lifetime runs out; the old one is deleted once the new one is up.',
      source: 'RFC 7296 §1.3.3',
    },
  },
  {
    test: (s) => s.startsWith('CREATE_CHILD_SA'),
    note: {
      title: 'CREATE_CHILD_SA',
      text: 'Creates another Child SA (or rekeys one) inside the IKE SA. RFC 3456 asks for the tunnel SA here, once DHCP has given the client its address.',
      source: 'RFC 7296 §1.3; RFC 3456 §3.1',
    },
  },
  {
    test: (s) => s.startsWith('INFORMATIONAL') && s.includes('{D'),
    note: {
      title: 'Delete',
      text: 'An SA is deleted: a Child SA (RFC 3456 deletes the DHCP SA once the tunnel SA is up) or the whole IKE SA on a disconnect. The other side answers with its own Delete.',
      source: 'RFC 7296 §1.4.1',
    },
  },
  {
    test: (s) => s.startsWith('INFORMATIONAL'),
    note: {
      title: 'INFORMATIONAL',
      text: 'Liveness checks (an empty request), notifications and deletes; every request needs a response, which is how a peer notices the other is gone.',
      source: 'RFC 7296 §1.4, §2.4',
    },
  },
  {
    test: (s) => /^ESP .*\(DHCP/.test(s),
    note: {
      title: 'DHCP through the tunnel (RFC 3456)',
      text: 'The client’s DHCP messages travel inside ESP over the DHCP SA; the gateway decapsulates them and relays them to the DHCP server, then the answers come back the same way.',
      source: 'RFC 3456 §3, §4.2',
    },
  },
  {
    test: (s) => s.startsWith('ESP'),
    note: {
      title: 'ESP',
      text: 'Data through a Child SA: the inner packet is protected with the SA’s keys and sent with its SPI and sequence number.',
      source: 'RFC 4303 §2',
    },
  },
  {
    test: (s) => /^DHCP[A-Z]+ .*giaddr=(?!0\.0\.0\.0)/.test(s),
    note: {
      title: 'Relayed DHCP',
      text: 'Between the gateway and the DHCP server the messages are ordinary relayed DHCP: giaddr names the relay (the gateway), option 82 names the client’s IKE SA, and the server answers to giaddr.',
      source: 'RFC 2131 §4.1; RFC 3046 §2',
    },
  },
  {
    test: (s) => s.startsWith('DHCP'),
    note: {
      title: 'DHCP',
      text: 'DISCOVER → OFFER → REQUEST → ACK gives an address for a lease; the client renews at T1 and rebinds at T2.',
      source: 'RFC 2131 §3.1, §4.4',
    },
  },
];

/** The paragraph for a message (by its trace summary), or undefined for packets the lab does not explain. */
export function messageNote(summary: string, method: string): MessageNote | undefined {
  return NOTES.find((n) => n.test(summary, method))?.note;
}
