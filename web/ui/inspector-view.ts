/** The packet inspector: decoded fields layer by layer beside the hex bytes; hovering a field lights its bytes. */
import { formatSeconds } from '../../sim/ladder.ts';
import type { SendEvent } from '../../sim/trace.ts';
import { fieldMap, type FieldNode } from '../inspector/field-map.ts';
import type { Arrow } from '../model/ladder-model.ts';
import { hexToBytes } from '../model/exports.ts';
import { el } from './dom.ts';

export function renderInspector(
  root: HTMLElement,
  arrow: Arrow | undefined,
  send: SendEvent | undefined,
  onDrop: (() => void) | undefined,
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
  const tree = el('div', { class: 'fields' });
  const hexView = el('div', { class: 'hex' });
  const cells: HTMLSpanElement[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (i % 8 === 0) hexView.append(el('span', { class: 'offset' }, i.toString(16).padStart(4, '0')));
    const c = el('span', { class: 'byte' }, (bytes[i] ?? 0).toString(16).padStart(2, '0'));
    cells.push(c);
    hexView.append(c);
    if (i % 8 === 7) hexView.append(el('br'));
  }
  let lit: [number, number] = [0, 0];
  const light = (start: number, end: number): void => {
    for (let i = lit[0]; i < lit[1]; i++) cells[i]?.classList.remove('lit');
    for (let i = start; i < end; i++) cells[i]?.classList.add('lit');
    lit = [start, end];
    cells[start]?.scrollIntoView({ block: 'nearest' });
  };
  const addNode = (parent: HTMLElement, n: FieldNode, depth: number): void => {
    const row = el('div', {
      class: `field depth-${Math.min(depth, 6)}${n.children ? ' group' : ''}${n.error ? ' error' : ''}`,
    });
    row.dataset.start = String(n.start);
    row.dataset.end = String(n.end);
    row.append(el('span', { class: 'label' }, n.label));
    if (n.value !== undefined) row.append(el('span', { class: 'value' }, n.value));
    if (n.error) row.append(el('span', { class: 'err' }, n.error));
    if (n.ref) row.append(el('span', { class: 'ref' }, n.ref));
    row.append(el('span', { class: 'range' }, `[${n.start}, ${n.end})`));
    row.addEventListener('mouseenter', () => light(n.start, n.end));
    parent.append(row);
    if (n.children) {
      const box = el('div', { class: 'children' });
      parent.append(box);
      for (const c of n.children) addNode(box, c, depth + 1);
    }
  };
  for (const n of fieldMap(bytes)) addNode(tree, n, 0);
  tree.addEventListener('mouseleave', () => light(0, 0));
  const body = el('div', { class: 'inspector-body' });
  body.append(tree, hexView);
  root.append(head, body);
}
