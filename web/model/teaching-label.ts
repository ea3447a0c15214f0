/**
 * An arrow's label, led by what distinguishes the message: the methods differ in *which payload* an exchange carries
 * (DHCP in IKE_AUTH for the drafts, CP for mode-cfg, DHCP inside ESP for RFC 3456), so that payload comes right after
 * the exchange name, before the payloads every method sends alike. The full summary stays in the tooltip and the
 * inspector; the ladder may elide the tail of this label, never its head.
 *
 *   `IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, DHCP(DISCOVER)}` → `IKE_AUTH ▸ DHCP(DISCOVER) · IDi, …`
 *   `IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}`          → `IKE_AUTH ▸ CP(CFG_REPLY) · IDr, …`
 *   `ESP spi=0xa70aa054 seq=1 (DHCPDISCOVER xid=0xafdebdb7)`                    → `ESP ▸ DHCPDISCOVER xid=0xafdebdb7`
 */
const IKE = /^(IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) (request|response) #(\d+) (.*)$/;
const ESP = /^ESP spi=0x[0-9a-f]+ seq=\d+ \((.*)\)$/;

/** Payloads that tell the methods (or the exchange's purpose) apart, in the order they are shown. */
function distinguishing(p: string): number {
  if (p.startsWith('DHCP(')) return 0;
  if (p.startsWith('CP(')) return 1;
  if (p === 'D') return 2;
  // Notifies every client sends alike (RFC 7296 §2.4, RFC 6023 §3, §2.23) are not what tells an exchange apart.
  if (/^N\((INITIAL_CONTACT|CHILDLESS_IKEV2_SUPPORTED|NAT_DETECTION_(SOURCE|DESTINATION)_IP)\)$/.test(p)) return -1;
  if (p.startsWith('N(')) return 3;
  return -1;
}

/** Splits `a, N(x, y), b` at top-level commas. */
function splitPayloads(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(' || ch === '{') depth++;
    if (ch === ')' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

export function teachingLabel(summary: string): string {
  const ike = IKE.exec(summary);
  if (ike !== null) {
    const [, exchange, , , rest = ''] = ike;
    const body = rest.startsWith('SK{') && rest.endsWith('}') ? rest.slice(3, -1) : rest;
    const payloads = splitPayloads(body);
    const ranked = payloads
      .map((p, i) => ({ p, rank: distinguishing(p), i }))
      .filter((x) => x.rank >= 0)
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map((x) => x.p);
    const others = payloads.filter((p) => !ranked.includes(p));
    // Request or response is the arrow's direction, the Message ID is on the exchange's bracket beside it
    // (`IKE_AUTH #1`): the label's room goes to the payloads.
    const head = exchange ?? '';
    if (ranked.length === 0) return `${head} ▸ ${others.join(', ')}`;
    return `${head} ▸ ${ranked.join(', ')}${others.length > 0 ? ` · ${others.join(', ')}` : ''}`;
  }
  const esp = ESP.exec(summary);
  if (esp !== null) return `ESP ▸ ${esp[1]}`;
  return summary;
}

/** The part of the label that must not be cut: up to the first distinguishing payload (`IKE_AUTH ▸ DHCP(DISCOVER)`). */
export function teachingHead(summary: string): string {
  const label = teachingLabel(summary);
  const arrow = label.indexOf(' ▸ ');
  if (arrow < 0) return label.split(' ')[0] ?? label;
  const rest = label.slice(arrow + 3);
  const first = rest.split(/ · |, /)[0] ?? '';
  return `${label.slice(0, arrow)} ▸ ${first}`;
}
