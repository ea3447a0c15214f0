/**
 * The packet inspector: what the message is for (a paragraph with its RFC section), the decoded fields as a
 * collapsible tree opened on the innermost layer (the DHCP message inside the IKE payload or the ESP packet, the CP
 * attributes), and the bytes as hex with an ASCII column; hovering a field lights its bytes. Values are never cut.
 */
import { formatSeconds } from '../../sim/ladder.ts';
import type { SendEvent } from '../../sim/trace.ts';
import type { SaKeyLookup } from '../../models/wire/crypto/sa-key-store.ts';
import { fieldMap, type FieldNode } from '../inspector/field-map.ts';
import type { Arrow } from '../model/ladder-model.ts';
import { hexToBytes } from '../model/exports.ts';
import { messageNote } from '../model/message-notes.ts';
import { el } from './dom.ts';

export function renderInspector(
  root: HTMLElement,
  arrow: Arrow | undefined,
  send: SendEvent | undefined,
  onDrop: (() => void) | undefined,
  method = '',
  keys?: SaKeyLookup,
): void {
  root.replaceChildren();
  if (!arrow || !send) {
    root.append(el('p', { class: 'hint' }, 'Click a packet on the ladder to decode it.'));
    return;
  }
  const bytes = hexToBytes(send.bytes);
  const head = el('div', { class: 'inspector-head' });
  head.append(
    el('div', { class: 'summary' }, arrow.summary),
    el(
      'div',
      { class: 'meta' },
      `#${arrow.packetId} · ${formatSeconds(arrow.sentAtUs)} s · ${arrow.from} → ${arrow.to} · ${bytes.length} bytes` +
        (arrow.outcome === 'dropped' ? ` · dropped (${arrow.reason ?? '?'})` : '') +
        (arrow.retransmit ? ' · retransmission' : '') +
        (arrow.duplicate ? ' · duplicate' : ''),
    ),
  );
  const note = messageNote(arrow.summary, method);
  if (note !== undefined)
    head.append(
      el(
        'p',
        { class: 'message-note' },
        el('strong', {}, `${note.title}. `),
        note.text,
        ' ',
        el('span', { class: 'source' }, `(${note.source})`),
      ),
    );
  const copy = el('button', { class: 'copy-hex', type: 'button', title: 'Copy the packet’s bytes as hex' }, 'Copy hex');
  copy.addEventListener('click', () => void navigator.clipboard?.writeText(send.bytes));
  head.append(copy);
  if (onDrop) {
    const b = el(
      'button',
      {
        class: 'drop-btn',
        type: 'button',
        title: 'Add a targeted drop (drop.nth) for this packet and re-run from the same seed',
      },
      '✗ Drop this packet',
    );
    b.addEventListener('click', onDrop);
    head.append(b);
  }
  const tree = el('div', { class: 'fields', role: 'tree' });
  const hexView = el('div', { class: 'hex' });
  const cells: HTMLSpanElement[] = [];
  const chars: HTMLSpanElement[] = [];
  for (let row = 0; row < bytes.length; row += 8) {
    hexView.append(el('span', { class: 'offset' }, row.toString(16).padStart(4, '0')));
    const ascii = el('span', { class: 'ascii' });
    for (let i = row; i < Math.min(row + 8, bytes.length); i++) {
      const b = bytes[i] ?? 0;
      const c = el('span', { class: 'byte' }, b.toString(16).padStart(2, '0'));
      cells.push(c);
      hexView.append(c);
      const a = el('span', { class: 'char' }, b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·');
      chars.push(a);
      ascii.append(a);
    }
    hexView.append(ascii, el('br'));
  }
  let lit: [number, number] = [0, 0];
  const light = (start: number, end: number): void => {
    for (let i = lit[0]; i < lit[1]; i++) {
      cells[i]?.classList.remove('lit');
      chars[i]?.classList.remove('lit');
    }
    for (let i = start; i < end; i++) {
      cells[i]?.classList.add('lit');
      chars[i]?.classList.add('lit');
    }
    lit = [start, end];
    cells[start]?.scrollIntoView({ block: 'nearest' });
  };
  // A real-crypto run: SK and ESP open with the run's keys, so the tree is the one the modelled crypto shows.
  const roots = fieldMap(bytes, keys);
  const { open, through } = openPath(roots);
  const addNode = (parent: HTMLElement, n: FieldNode, depth: number): void => {
    const row = el('div', {
      class: `field depth-${Math.min(depth, 6)}${n.children ? ' group' : ''}${n.error ? ' error' : ''}`,
      role: 'treeitem',
    });
    row.dataset.start = String(n.start);
    row.dataset.end = String(n.end);
    let box: HTMLElement | undefined;
    if (n.children) {
      const expanded = open.has(n);
      const toggle = el('button', { class: 'twisty', type: 'button', 'aria-label': `expand ${n.label}` }, '▸');
      row.append(toggle);
      box = el('div', { class: 'children', role: 'group' });
      const set = (on: boolean): void => {
        (box as HTMLElement).hidden = !on;
        toggle.textContent = on ? '▾' : '▸';
        row.setAttribute('aria-expanded', String(on));
      };
      set(expanded);
      toggle.addEventListener('click', () => set((box as HTMLElement).hidden));
    }
    row.append(el('span', { class: 'label' }, n.label));
    if (n.value !== undefined) row.append(el('span', { class: 'value' }, n.value));
    if (n.error) row.append(el('span', { class: 'err' }, n.error));
    if (n.ref) row.append(el('span', { class: 'ref' }, n.ref));
    row.append(el('span', { class: 'range' }, `[${n.start}, ${n.end})`));
    row.addEventListener('mouseenter', () => light(n.start, n.end));
    parent.append(row);
    if (n.children && box !== undefined) {
      parent.append(box);
      if (!through.has(n)) {
        for (const c of n.children) addNode(box, c, depth + 1);
        return;
      }
      // A layer passed through on the way in (IPv4, UDP, the IKE header's parent): its own fields fold into one
      // row, so the layer the packet is about shows near the top.
      const leaves = n.children.filter((c) => !c.children);
      if (leaves.length > 0) {
        const more = el('div', { class: `field depth-${Math.min(depth + 1, 6)} folded`, role: 'treeitem' });
        const toggle = el('button', { class: 'twisty', type: 'button', 'aria-label': `${n.label} fields` }, '▸');
        const inner = el('div', { class: 'children', role: 'group' });
        inner.hidden = true;
        more.setAttribute('aria-expanded', 'false');
        toggle.addEventListener('click', () => {
          inner.hidden = !inner.hidden;
          toggle.textContent = inner.hidden ? '▸' : '▾';
          more.setAttribute('aria-expanded', String(!inner.hidden));
        });
        more.append(toggle, el('span', { class: 'label' }, `${leaves.length} fields of ${n.label}`));
        box.append(more, inner);
        for (const c of leaves) addNode(inner, c, depth + 2);
      }
      for (const c of n.children) if (c.children) addNode(box, c, depth + 1);
    }
  };
  for (const n of roots) addNode(tree, n, 0);
  tree.addEventListener('mouseleave', () => light(0, 0));
  const body = el('div', { class: 'inspector-body' });
  body.append(tree, hexView);
  root.append(head, body);
}

/** A layer a student came for: the DHCP message (inside IKE, ESP or plain UDP) or the Configuration Payload. */
const INNERMOST = /^(DHCP message|CP payload)/;

/**
 * The groups open when a packet is first shown: the path down to its innermost layer and that layer's own groups
 * (its options, its attributes); every other group starts closed. Without such a layer, the path to the deepest
 * group along the last branch (e.g. IKE_SA_INIT's payloads). `through`: the layers above it on that path, whose own
 * fields start folded.
 */
export function openPath(roots: readonly FieldNode[]): { open: Set<FieldNode>; through: Set<FieldNode> } {
  const find = (ns: readonly FieldNode[], path: FieldNode[]): FieldNode[] | undefined => {
    for (const n of ns) {
      if (!n.children) continue;
      if (INNERMOST.test(n.label)) return [...path, n];
      const deeper = find(n.children, [...path, n]);
      if (deeper) return deeper;
    }
    return undefined;
  };
  const found = find(roots, []);
  if (found !== undefined) {
    const layer = found[found.length - 1] as FieldNode;
    return {
      open: new Set([...found, ...(layer.children ?? []).filter((c) => c.children)]),
      through: new Set(found.slice(0, -1)),
    };
  }
  const path: FieldNode[] = [];
  let level: readonly FieldNode[] = roots;
  for (;;) {
    const groups = level.filter((n) => n.children);
    const last = groups[groups.length - 1];
    if (last === undefined) return { open: new Set(path), through: new Set(path.slice(0, -1)) };
    path.push(last);
    level = last.children ?? [];
  }
}
