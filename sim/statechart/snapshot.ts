/**
 * Machine snapshots with exactly the own properties of xstate's `createMachineSnapshot` (status, output, error,
 * machine, context, _nodes, value, tags, children, historyValue and xstate's own `matches`, `hasTag`, `can`,
 * `getMeta`, `toJSON` functions), built once per macrostep instead of once per assign. The state value depends on
 * the configuration's node order (xstate builds it from the order nodes were entered: a parallel state's regions
 * appear in that order), so it is cached per ordered configuration and shared between snapshots, with its tags and
 * its `_nodes` array. An empty `children` or `historyValue` is one frozen object shared by every snapshot: xstate never
 * writes into a snapshot's (it copies them when they change), nor does the interpreter.
 */
import { createMachine } from 'xstate';
import type { CompiledMachine, ValueAndTags, ValueTrie } from './compile.ts';
import type { XMachineSnapshot, XStateNode, XStateValue } from './xstate-shapes.ts';

/** xstate's snapshot methods, taken from a snapshot xstate built itself (they are shared module functions). */
const xstateMethods = ((): Pick<XMachineSnapshot, 'matches' | 'hasTag' | 'can' | 'getMeta' | 'toJSON'> => {
  const probe = createMachine({ initial: 'a', states: { a: {} } }).resolveState({
    value: 'a',
  }) as unknown as XMachineSnapshot;
  return {
    matches: probe.matches,
    hasTag: probe.hasTag,
    can: probe.can,
    getMeta: probe.getMeta,
    toJSON: probe.toJSON,
  };
})();

function isAtomic(n: XStateNode): boolean {
  return n.type === 'atomic' || n.type === 'final';
}

/** xstate's `getAllStateNodes` + `getAdjList` + `getValueFromAdj` (config completion kept for faithfulness). */
function stateValueOf(root: XStateNode, nodes: readonly XStateNode[]): XStateValue {
  const set = new Set(nodes);
  const adj = (s: Set<XStateNode>): Map<XStateNode, XStateNode[]> => {
    const m = new Map<XStateNode, XStateNode[]>();
    for (const n of s) {
      if (!m.has(n)) m.set(n, []);
      if (n.parent !== undefined) {
        if (!m.has(n.parent)) m.set(n.parent, []);
        m.get(n.parent)?.push(n);
      }
    }
    return m;
  };
  const initialWithAncestors = (s: XStateNode): XStateNode[] => {
    const out = new Set<XStateNode>();
    const iter = (d: XStateNode): void => {
      if (out.has(d)) return;
      out.add(d);
      if (d.type === 'compound') {
        const t = d.initial.target?.[0];
        if (t !== undefined) iter(t);
      } else if (d.type === 'parallel') for (const c of Object.values(d.states)) if (c.type !== 'history') iter(c);
    };
    iter(s);
    for (const x of [...out]) for (let m = x.parent; m !== undefined && m !== s; m = m.parent) out.add(m);
    return [...out];
  };
  const adj0 = adj(set);
  for (const s of set) {
    if (s.type === 'compound' && !adj0.get(s)?.length) for (const n of initialWithAncestors(s)) set.add(n);
    else if (s.type === 'parallel')
      for (const child of Object.values(s.states))
        if (child.type !== 'history' && !set.has(child)) for (const n of initialWithAncestors(child)) set.add(n);
  }
  for (const s of set) for (let m = s.parent; m !== undefined; m = m.parent) set.add(m);
  const adjList = adj(set);
  const fromAdj = (base: XStateNode): XStateValue => {
    const children = adjList.get(base);
    if (children === undefined) return {};
    if (base.type === 'compound') {
      const first = children[0];
      if (first === undefined) return {};
      if (isAtomic(first)) return first.key;
    }
    const value: Record<string, XStateValue> = {};
    for (const c of children) value[c.key] = fromAdj(c);
    return value;
  };
  return fromAdj(root);
}

/**
 * The state value and tags of an ordered configuration (the first `count` of `nodes`, all by default), cached per
 * machine in a trie on the nodes' orders (one array index per node: no key string per configuration change).
 */
export function valueAndTags(
  cm: CompiledMachine,
  nodes: readonly XStateNode[],
  count: number = nodes.length,
): ValueAndTags {
  let at: ValueTrie = cm.values;
  for (let i = 0; i < count; i++) {
    const n = nodes[i] as XStateNode;
    let next = at.next[n.order];
    if (next === undefined) {
      next = { entry: undefined, next: [] };
      at.next[n.order] = next;
    }
    at = next;
  }
  let hit = at.entry;
  if (hit === undefined) {
    const own = nodes.slice(0, count);
    hit = {
      value: stateValueOf(cm.machine.root, own),
      tags: new Set(own.flatMap((n) => n.tags)),
      nodes: own,
    };
    at.entry = hit;
  }
  return hit;
}

export interface SnapshotFields {
  readonly status: XMachineSnapshot['status'];
  readonly output: unknown;
  readonly error: unknown;
  readonly context: Record<string, unknown>;
  readonly _nodes: readonly XStateNode[];
  readonly value: unknown;
  readonly tags: Set<string>;
  readonly children: XMachineSnapshot['children'];
  readonly historyValue: Record<string, unknown>;
}

/** The `children` and `historyValue` of every snapshot that has none. */
export const EMPTY_RECORD: Record<string, never> = Object.freeze({});

/**
 * A snapshot object shaped as xstate's `createMachineSnapshot` makes it (`f` may be the work state itself: reading its
 * value first makes its `_nodes` the configuration's shared array).
 */
export function makeSnapshot(cm: CompiledMachine, f: SnapshotFields): XMachineSnapshot {
  const value = f.value as XStateValue;
  const tags = f.tags;
  return {
    status: f.status,
    output: f.output,
    error: f.error,
    machine: cm.machine,
    context: f.context,
    _nodes: f._nodes,
    value,
    tags,
    children: f.children,
    historyValue: f.historyValue,
    matches: xstateMethods.matches,
    hasTag: xstateMethods.hasTag,
    can: xstateMethods.can,
    getMeta: xstateMethods.getMeta,
    toJSON: xstateMethods.toJSON,
  };
}
