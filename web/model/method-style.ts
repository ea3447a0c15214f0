/**
 * One look per method, used everywhere a method is shown (lane titles, the metrics table, sweep charts): a colour from
 * the Okabe–Ito palette (told apart under the common colour-vision deficiencies) *and* a marker shape, so nothing
 * depends on colour alone. The two DHCP-over-IKE drafts share one hue and differ by pattern (solid / dashed) and
 * marker, as they differ by design detail only. Names are what a reader calls them.
 */
export interface MethodStyle {
  readonly name: string;
  readonly colour: string;
  /** Marker glyph (text) and its SVG symbol type for d3.symbol. */
  readonly marker: '●' | '■' | '▲' | '◆' | '✚';
  readonly symbol: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';
  /** Line pattern (SVG stroke-dasharray; '' = solid). */
  readonly dash: string;
}

const STYLES: Readonly<Record<string, MethodStyle>> = {
  'dhcp-over-ike': {
    name: 'DHCP over IKE (seed draft)',
    colour: '#0072B2',
    marker: '●',
    symbol: 'circle',
    dash: '',
  },
  'dhcp-over-ike-wg': {
    name: 'DHCP over IKE (WG draft)',
    colour: '#0072B2',
    marker: '■',
    symbol: 'square',
    dash: '6 3',
  },
  'mode-cfg': { name: 'mode-cfg (local pool)', colour: '#E69F00', marker: '▲', symbol: 'triangle', dash: '' },
  'mode-cfg-dhcp': {
    name: 'mode-cfg + DHCP (gateway as DHCP client)',
    colour: '#CC79A7',
    marker: '◆',
    symbol: 'diamond',
    dash: '',
  },
  'dhcp-over-ipsec': {
    name: 'DHCP over IPsec (RFC 3456)',
    colour: '#009E73',
    marker: '✚',
    symbol: 'cross',
    dash: '2 2',
  },
};

const OTHER: MethodStyle = { name: '', colour: '#56606e', marker: '●', symbol: 'circle', dash: '' };

export function methodStyle(method: string): MethodStyle {
  return STYLES[method] ?? { ...OTHER, name: method };
}

/** A metric's value as a reader wants it: µs paths in ms (3 decimals), counts as they are, null as a dash. */
export function formatMetric(path: string, v: number | null): string {
  if (v === null) return '—';
  if (/Us(\.|$)/.test(path)) return `${(v / 1000).toFixed(3)} ms`;
  return String(v);
}

/** `timeToAddressUs.median` → `time to address (median)`. */
export function metricLabel(path: string): string {
  const [head = path, ...rest] = path.split('.');
  const words = head
    .replace(/Us$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return rest.length === 0 ? words : `${words} (${rest.join(' ')})`;
}
