/**
 * The run a link reopens, held in the URL hash: `#s=<scenario>&m=<method>&seed=<n>` plus what the user changed
 * (`drop=<link>:<from>:<to>:<n>` per targeted drop, `link=<name>:loss=<ppm>,lat=<µs>,jit=<µs>`), the lanes compared
 * (`cmp=<method>@<seed>,…`), named policies (`o=<name>:<value>`), scenario parameters (`p=<name>:<value>`) and the
 * cursor (`t=<µs>`). Without `seed` the scenario's own seed is used (as `dhcpike run` does). Parsing never throws; bad
 * parts are reported and skipped. Option and parameter values stay text here: the scenario loader checks them against
 * the policy descriptors and the scenario's declared parameters.
 */
import type { LinkProfile } from '../sim/link-profile.ts';

export interface DropNth {
  readonly link: string;
  readonly from: string;
  readonly to: string;
  readonly n: number;
}

export interface LaneRef {
  readonly method: string;
  readonly seed: number;
}

export interface UrlState {
  readonly scenario?: string;
  readonly method?: string;
  /** Absent: the scenario's seed. */
  readonly seed?: number;
  /** Named policies (`--option name=value`), as text. */
  readonly options: Readonly<Record<string, string>>;
  /** Scenario parameters (`--param name=value`), as text. */
  readonly params: Readonly<Record<string, string>>;
  readonly drops: readonly DropNth[];
  readonly links: Readonly<Record<string, LinkProfile>>;
  readonly compare: readonly LaneRef[];
  readonly cursorUs?: number;
}

export const DEFAULT_SEED = 1;

const LINK_KEYS: Readonly<Record<string, keyof LinkProfile>> = { loss: 'lossPpm', lat: 'latencyUs', jit: 'jitterUs' };
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const VALUE = /^[A-Za-z0-9_.+-]{1,64}$/;

const uint = (s: string | undefined): number | undefined =>
  s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : undefined;

export function parseUrlState(hash: string): { state: UrlState; errors: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const errors: string[] = [];
  const name = (key: string): string | undefined => {
    const v = params.get(key);
    if (v === null) return undefined;
    if (!NAME.test(v)) {
      errors.push(`${key}: not a name: ${JSON.stringify(v.slice(0, 40))}`);
      return undefined;
    }
    return v;
  };
  const scenario = name('s');
  const method = name('m');
  const seedText = params.get('seed');
  let seed: number | undefined;
  if (seedText !== null) {
    const n = uint(seedText);
    if (n === undefined || !Number.isSafeInteger(n))
      errors.push(`seed: not a non-negative integer: ${JSON.stringify(seedText)}`);
    else seed = n;
  }
  const drops: DropNth[] = [];
  for (const d of params.getAll('drop')) {
    const [link, from, to, nText, ...rest] = d.split(':');
    const n = uint(nText);
    if (
      rest.length > 0 ||
      !link ||
      !from ||
      !to ||
      n === undefined ||
      n < 1 ||
      ![link, from, to].every((x) => NAME.test(x))
    ) {
      errors.push(`drop: expected <link>:<from>:<to>:<n ≥ 1>, got ${JSON.stringify(d)}`);
    } else drops.push({ link, from, to, n });
  }
  const links: Record<string, LinkProfile> = {};
  for (const l of params.getAll('link')) {
    const [linkName, settings] = l.split(':');
    if (!linkName || !NAME.test(linkName) || settings === undefined) {
      errors.push(`link: expected <name>:loss=<ppm>,lat=<µs>,jit=<µs>, got ${JSON.stringify(l)}`);
      continue;
    }
    const profile: Record<string, number> = {};
    for (const kv of settings.split(',')) {
      const [k, v] = kv.split('=');
      const key = k !== undefined ? LINK_KEYS[k] : undefined;
      const n = uint(v);
      if (!key || n === undefined || (key === 'lossPpm' && n > 1_000_000))
        errors.push(`link ${linkName}: bad setting ${JSON.stringify(kv)}`);
      else profile[key] = n;
    }
    links[linkName] = profile;
  }
  const named = (key: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const kv of params.getAll(key)) {
      const at = kv.indexOf(':');
      const k = kv.slice(0, at);
      const v = kv.slice(at + 1);
      if (at < 1 || !NAME.test(k) || !VALUE.test(v))
        errors.push(`${key}: expected <name>:<value>, got ${JSON.stringify(kv.slice(0, 60))}`);
      else out[k] = v;
    }
    return out;
  };
  const options = named('o');
  const parameters = named('p');
  const compare: LaneRef[] = [];
  const cmp = params.get('cmp');
  if (cmp !== null && cmp !== '') {
    for (const part of cmp.split(',')) {
      const [m, s] = part.split('@');
      const n = s === undefined ? (seed ?? DEFAULT_SEED) : uint(s);
      if (!m || !NAME.test(m) || n === undefined)
        errors.push(`cmp: expected <method>@<seed>, got ${JSON.stringify(part)}`);
      else compare.push({ method: m, seed: n });
    }
  }
  const t = params.get('t');
  const cursorUs = t === null ? undefined : uint(t);
  if (t !== null && cursorUs === undefined) errors.push(`t: not a time in µs: ${JSON.stringify(t)}`);
  return {
    state: {
      ...(scenario !== undefined ? { scenario } : {}),
      ...(method !== undefined ? { method } : {}),
      ...(seed !== undefined ? { seed } : {}),
      options,
      params: parameters,
      drops,
      links,
      compare,
      ...(cursorUs !== undefined ? { cursorUs } : {}),
    },
    errors,
  };
}

export function formatUrlState(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.scenario !== undefined) p.set('s', s.scenario);
  if (s.method !== undefined) p.set('m', s.method);
  if (s.seed !== undefined) p.set('seed', String(s.seed));
  for (const [k, v] of Object.entries(s.options)) p.append('o', `${k}:${v}`);
  for (const [k, v] of Object.entries(s.params)) p.append('p', `${k}:${v}`);
  for (const d of s.drops) p.append('drop', `${d.link}:${d.from}:${d.to}:${d.n}`);
  for (const [name, profile] of Object.entries(s.links)) {
    const parts = Object.entries(LINK_KEYS)
      .filter(([, key]) => profile[key] !== undefined)
      .map(([short, key]) => `${short}=${String(profile[key])}`);
    if (parts.length > 0) p.append('link', `${name}:${parts.join(',')}`);
  }
  if (s.compare.length > 0) p.set('cmp', s.compare.map((c) => `${c.method}@${c.seed}`).join(','));
  if (s.cursorUs !== undefined) p.set('t', String(Math.round(s.cursorUs)));
  return `#${p.toString()}`;
}
