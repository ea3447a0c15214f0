/**
 * A statechart diagram's layout, computed from the machine's definition (pure; drawn by web/ui/state-view.ts with d3),
 * in the manner of the Stately inspector: every state a box, a compound state a box around its children (laid out
 * in rows by their distance from the initial child along the transitions between them), a parallel state's regions
 * side by side (dashed), every transition an arrow labelled `event [guard]`, each initial child marked by a dot.
 * Transitions declared on the machine itself (handled in every state) start from an `any state` box at the top.
 */
import type { WalkedMachine, WalkedState } from '../../scenarios/metrics/machine-walk.ts';

export interface BoxLayout {
  readonly path: string;
  readonly key: string;
  readonly kind: WalkedState['kind'];
  readonly parent: string;
  readonly depth: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** Events handled without leaving this state (targetless transitions). */
  readonly internal: readonly string[];
}

export interface EdgeLayout {
  /** `from→to` ('' = the machine itself, drawn from the `any state` box). */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** `event [guard]`, one per transition definition, in definition order. */
  readonly labels: readonly string[];
  /** A quadratic curve: start, control, end. */
  readonly path: readonly [number, number, number, number, number, number];
  readonly labelX: number;
  readonly labelY: number;
  /** SVG text-anchor of the label: a back arrow's label runs from its lane towards the boxes. */
  readonly labelAnchor: 'start' | 'middle' | 'end';
}

export interface DiagramLayout {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly BoxLayout[];
  readonly edges: readonly EdgeLayout[];
  /** Initial markers: a dot at (x, y) with an arrow into the initial child's left side at (tx, y). */
  readonly initials: readonly { readonly x: number; readonly y: number; readonly tx: number; readonly to: string }[];
  /** The box root-level transitions start from, when the machine has any. */
  readonly any?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
}

const CHAR_W = 6.4;
const ATOM_H = 26;
const PAD = 14;
const HEAD = 18;
const GAP_X = 30;
const GAP_Y = 46;
const PER_ROW = 4;
const MAX_W = 540;
const ANY_H = 20;
/** How far an arrow bows out from the straight line, so that a→b and b→a do not overlap (plus a share of its length,
 * so that a long arrow passes beside the boxes between its ends rather than through them). */
const BOW = 12;
const BOW_PER_LENGTH = 0.12;
/** Room on each side of the chart for the arrows that go back up (to an earlier row), routed around the boxes. */
const SIDE = 70;
/** Spacing between back arrows routed on the same side. */
const LANE = 9;

export const edgeLabel = (t: { readonly event: string; readonly guard?: string }): string =>
  t.guard ? `${t.event} [${t.guard}]` : t.event;

interface Size {
  w: number;
  h: number;
  /** Child placement relative to the box's top-left. */
  place: { path: string; dx: number; dy: number }[];
}

/** `a.b.c` under `a`, relative to `a`'s children: `a.b`. */
function childUnder(parent: string, path: string): string | undefined {
  const prefix = parent === '' ? '' : `${parent}.`;
  if (!path.startsWith(prefix) || path === parent) return undefined;
  const rest = path.slice(prefix.length).split('.')[0];
  return rest === undefined ? undefined : prefix + rest;
}

export function layoutMachine(def: WalkedMachine): DiagramLayout {
  const children = new Map<string, WalkedState[]>();
  for (const s of def.states) children.set(s.parent, [...(children.get(s.parent) ?? []), s]);
  const byPath = new Map(def.states.map((s) => [s.path, s]));
  const internal = new Map<string, string[]>();
  for (const t of def.transitions)
    if (t.to.length === 0 && t.from !== '') {
      const list = internal.get(t.from) ?? [];
      const label = edgeLabel(t);
      if (!list.includes(label)) list.push(label);
      internal.set(t.from, list);
    }
  const hasAny = def.transitions.some((t) => t.from === '' && t.to.length > 0);
  const sizes = new Map<string, Size>();

  /** Rows of a compound's children: rank = BFS distance from the initial child over the edges between children. */
  const rows = (parent: string, kids: readonly WalkedState[], initial: string | undefined): WalkedState[][] => {
    const next = new Map<string, Set<string>>();
    for (const t of def.transitions)
      for (const to of t.to) {
        const a = t.from === '' ? undefined : childUnder(parent, t.from);
        const b = childUnder(parent, to);
        if (a !== undefined && b !== undefined && a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
      }
    const rank = new Map<string, number>();
    const start = initial ?? kids[0]?.path;
    if (start !== undefined) {
      rank.set(start, 0);
      const queue = [start];
      for (let q = queue.shift(); q !== undefined; q = queue.shift())
        for (const b of next.get(q) ?? [])
          if (!rank.has(b)) {
            rank.set(b, (rank.get(q) ?? 0) + 1);
            queue.push(b);
          }
    }
    let last = Math.max(-1, ...rank.values());
    for (const k of kids) if (!rank.has(k.path)) rank.set(k.path, ++last);
    const out: WalkedState[][] = [];
    for (let r = 0; r <= last; r++) {
      const inRank = kids.filter((k) => rank.get(k.path) === r);
      for (let i = 0; i < inRank.length; i += PER_ROW) out.push(inRank.slice(i, i + PER_ROW));
    }
    return out;
  };

  const measure = (path: string, kind: WalkedState['kind'] | 'root', initial: string | undefined): Size => {
    const kids = children.get(path) ?? [];
    const key = byPath.get(path)?.key ?? '';
    const head = kind === 'root' ? 0 : HEAD;
    const top = kind === 'root' && hasAny ? ANY_H + GAP_Y : 0;
    if (kids.length === 0) {
      const s = { w: Math.max(64, Math.ceil(key.length * CHAR_W) + 18), h: ATOM_H, place: [] };
      sizes.set(path, s);
      return s;
    }
    const kidSizes = new Map(kids.map((k) => [k.path, measure(k.path, k.kind, k.initial)]));
    const place: Size['place'] = [];
    let w: number;
    let h: number;
    const sideBySide =
      kind === 'parallel' &&
      kids.reduce((a, k) => a + (kidSizes.get(k.path)?.w ?? 0), 0) + GAP_X * (kids.length - 1) <= MAX_W - 2 * PAD;
    if (kind === 'parallel' && sideBySide) {
      let x = PAD;
      let maxH = 0;
      for (const k of kids) {
        const s = kidSizes.get(k.path) as Size;
        place.push({ path: k.path, dx: x, dy: head + PAD });
        x += s.w + GAP_X;
        maxH = Math.max(maxH, s.h);
      }
      w = x - GAP_X + PAD;
      h = head + PAD + maxH + PAD;
    } else {
      const grid = kind === 'parallel' ? kids.map((k) => [k]) : rows(path, kids, initial);
      const gapY = kind === 'parallel' ? PAD : GAP_Y;
      const rowW = grid.map((r) => r.reduce((a, k) => a + (kidSizes.get(k.path)?.w ?? 0), 0) + GAP_X * (r.length - 1));
      const inner = Math.max(...rowW, key.length * CHAR_W);
      let y = head + PAD + top;
      grid.forEach((r, i) => {
        let x = PAD + (inner - (rowW[i] ?? 0)) / 2;
        let rowH = 0;
        for (const k of r) {
          const s = kidSizes.get(k.path) as Size;
          place.push({ path: k.path, dx: x, dy: y });
          x += s.w + GAP_X;
          rowH = Math.max(rowH, s.h);
        }
        y += rowH + gapY;
      });
      w = inner + 2 * PAD;
      h = y - gapY + PAD;
    }
    const s = { w, h, place };
    sizes.set(path, s);
    return s;
  };

  const root = measure('', 'root', def.initial || undefined);
  const boxes: BoxLayout[] = [];
  const abs = new Map<string, { x: number; y: number; w: number; h: number }>();
  const put = (path: string, x: number, y: number): void => {
    const s = sizes.get(path) as Size;
    if (path !== '') {
      const st = byPath.get(path) as WalkedState;
      abs.set(path, { x, y, w: s.w, h: s.h });
      boxes.push({
        path,
        key: st.key,
        kind: st.kind,
        parent: st.parent,
        depth: path.split('.').length - 1,
        x,
        y,
        w: s.w,
        h: s.h,
        internal: internal.get(path) ?? [],
      });
    }
    for (const p of s.place) put(p.path, x + p.dx, y + p.dy);
  };
  put('', SIDE, 0);

  const initials: DiagramLayout['initials'][number][] = [];
  const markInitial = (to: string | undefined): void => {
    const b = to === undefined ? undefined : abs.get(to);
    if (b && to !== undefined) initials.push({ x: b.x - 11, y: b.y + Math.min(b.h, ATOM_H) / 2, tx: b.x, to });
  };
  markInitial(def.initial || undefined);
  for (const s of def.states) if (s.kind === 'compound') markInitial(s.initial);

  const any = hasAny ? { x: SIDE + PAD, y: 0, w: 90, h: ANY_H } : undefined;
  const grouped = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const t of def.transitions)
    for (const to of t.to) {
      const id = `${t.from}→${to}`;
      const g = grouped.get(id) ?? { from: t.from, to, labels: [] };
      g.labels.push(edgeLabel(t));
      grouped.set(id, g);
    }
  const edges: EdgeLayout[] = [];
  const lanes = { left: 0, right: 0 };
  const middle = SIDE + root.w / 2;
  for (const [id, g] of grouped) {
    const a = g.from === '' ? any : abs.get(g.from);
    const b = abs.get(g.to);
    if (!a || !b) continue;
    const back = g.from !== g.to && b.y + b.h <= a.y + 1 && !contains(a, b) && !contains(b, a);
    let geometry: Pick<EdgeLayout, 'path' | 'labelX' | 'labelY' | 'labelAnchor'>;
    if (back) {
      // Back up to an earlier row: out of the side nearer the chart's edge, around the boxes, into the target's side.
      const side = a.x + a.w / 2 <= middle ? 'left' : 'right';
      const lane = lanes[side]++ % 6;
      geometry = sideRoute(a, b, side, side === 'left' ? SIDE - 14 - lane * LANE : SIDE + root.w + 14 + lane * LANE);
    } else geometry = route(a, b, g.from === g.to);
    edges.push({ id, from: g.from, to: g.to, labels: g.labels, ...geometry });
  }
  return {
    id: def.id,
    width: Math.max(root.w + 2 * SIDE, any ? any.x + any.w : 0),
    height: root.h,
    boxes,
    edges,
    initials,
    ...(any ? { any } : {}),
  };
}

type Rect = { readonly x: number; readonly y: number; readonly w: number; readonly h: number };

/** Where the ray from the centre of `r` towards (px, py) leaves `r`. */
function clip(r: Rect, px: number, py: number): [number, number] {
  const cx = r.x + r.w / 2;
  const cy = r.y + r.h / 2;
  const dx = px - cx;
  const dy = py - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const t = Math.min(dx === 0 ? Infinity : r.w / 2 / Math.abs(dx), dy === 0 ? Infinity : r.h / 2 / Math.abs(dy));
  return [cx + dx * Math.min(t, 1), cy + dy * Math.min(t, 1)];
}

const contains = (outer: Rect, inner: Rect): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.w <= outer.x + outer.w &&
  inner.y + inner.h <= outer.y + outer.h;

function route(a: Rect, b: Rect, self: boolean): Pick<EdgeLayout, 'path' | 'labelX' | 'labelY' | 'labelAnchor'> {
  if (self) {
    // A loop on the right side of the box (a re-entry or a guarded retry).
    const x = a.x + a.w;
    const y1 = a.y + Math.min(a.h, ATOM_H) * 0.25;
    const y2 = a.y + Math.min(a.h, ATOM_H) * 0.75;
    return {
      path: [x, y1, x + 34, (y1 + y2) / 2, x, y2],
      labelX: x + 22,
      labelY: (y1 + y2) / 2 - 8,
      labelAnchor: 'start',
    };
  }
  let s: [number, number];
  let e: [number, number];
  if (contains(a, b)) {
    // From a compound state into its own descendant: from the compound's header down into the child.
    s = [a.x + 8, a.y + HEAD / 2];
    e = clip(b, a.x + 8, a.y + HEAD / 2);
  } else if (contains(b, a)) {
    // To an ancestor (re-entering it): out of the child to the ancestor's header.
    e = [b.x + b.w - 8, b.y + HEAD / 2];
    s = clip(a, e[0], e[1]);
  } else {
    s = clip(a, b.x + b.w / 2, b.y + b.h / 2);
    e = clip(b, a.x + a.w / 2, a.y + a.h / 2);
  }
  const len = Math.hypot(e[0] - s[0], e[1] - s[1]) || 1;
  const nx = -(e[1] - s[1]) / len;
  const ny = (e[0] - s[0]) / len;
  const bow = BOW + BOW_PER_LENGTH * len;
  const c: [number, number] = [(s[0] + e[0]) / 2 + nx * bow, (s[1] + e[1]) / 2 + ny * bow];
  // The curve's midpoint (quadratic Bézier at t = ½).
  return {
    path: [s[0], s[1], c[0], c[1], e[0], e[1]],
    labelX: 0.25 * s[0] + 0.5 * c[0] + 0.25 * e[0],
    labelY: 0.25 * s[1] + 0.5 * c[1] + 0.25 * e[1],
    labelAnchor: 'middle',
  };
}

/** An arrow from `a`'s side to `b`'s side bowing out to `x` (a quadratic whose apex reaches x). */
function sideRoute(
  a: Rect,
  b: Rect,
  side: 'left' | 'right',
  x: number,
): Pick<EdgeLayout, 'path' | 'labelX' | 'labelY' | 'labelAnchor'> {
  const sx = side === 'left' ? a.x : a.x + a.w;
  const ex = side === 'left' ? b.x : b.x + b.w;
  const sy = a.y + Math.min(a.h, ATOM_H) / 2;
  const ey = b.y + Math.min(b.h, ATOM_H) / 2;
  // The curve's apex at t = ½ is ¼ s + ½ c + ¼ e: put the control point where the apex lands on x.
  const cx = 2 * x - (sx + ex) / 2;
  const cy = (sy + ey) / 2;
  return {
    path: [sx, sy, cx, cy, ex, ey],
    labelX: x + (side === 'left' ? 3 : -3),
    labelY: cy - 3,
    labelAnchor: side === 'left' ? 'start' : 'end',
  };
}

/**
 * The arrow a traced step `from → to` took: the definition's transition whose source is `from` or one of its
 * ancestors (or the machine itself) and whose target is `to` or one of its ancestors, the most specific one.
 */
export function edgeFor(edges: readonly EdgeLayout[], from: string, to: string): EdgeLayout | undefined {
  const within = (path: string, of: string): boolean => of === '' || path === of || path.startsWith(`${of}.`);
  let best: EdgeLayout | undefined;
  let score = -1;
  for (const e of edges) {
    if (!within(from, e.from) || !within(to, e.to)) continue;
    const sc = (e.from === '' ? 0 : e.from.length + 1) + e.to.length;
    if (sc > score) {
      score = sc;
      best = e;
    }
  }
  return best;
}
