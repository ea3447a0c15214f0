/**
 * The event timeline beside the ladder (web/model/timeline.ts): a display filter, then the rows, the one at the
 * cursor marked and kept in view. A click or ↑/↓ on the list moves the cursor to a row; Enter on a packet row opens
 * it in the inspector. Long runs show a window of rows around the cursor (the filter narrows it further).
 */
import { formatSeconds } from '../../sim/ladder.ts';
import { parseTimelineFilter, rowAtCursor, type TimelineRow } from '../model/timeline.ts';
import { el } from './dom.ts';

/** Rows drawn at once; beyond this the list is a window around the cursor. */
const WINDOW_ROWS = 600;

export interface TimelineHandlers {
  /** A row was chosen (click, ↑/↓): move the cursor to it. */
  onRow(row: TimelineRow): void;
  /** Enter on a packet row: open it in the inspector. */
  onOpen(row: TimelineRow): void;
}

export class TimelineView {
  private rows: readonly TimelineRow[] = [];
  private shown: readonly TimelineRow[] = [];
  private readonly filter: HTMLInputElement;
  private readonly problems: HTMLElement;
  private readonly count: HTMLElement;
  private readonly list: HTMLOListElement;
  private items: HTMLLIElement[] = [];
  private windowStart = 0;
  private current = -1;
  private cursorUs = 0;

  constructor(
    root: HTMLElement,
    private readonly handlers: TimelineHandlers,
  ) {
    this.filter = el('input', {
      type: 'search',
      class: 'timeline-filter',
      placeholder: 'filter: kind:note node:gw method:mode-cfg msg:IKE_AUTH note:dhcp. -kind:state',
      'aria-label': 'Timeline display filter',
    });
    this.problems = el('div', { class: 'timeline-problems', role: 'status' });
    this.count = el('div', { class: 'timeline-count' });
    this.list = el('ol', { class: 'timeline', role: 'listbox', tabindex: '0', 'aria-label': 'Trace events' });
    root.replaceChildren(this.filter, this.problems, this.count, this.list);
    this.filter.addEventListener('input', () => this.refilter());
    this.list.addEventListener('click', (ev) => {
      const li = (ev.target as HTMLElement).closest('li');
      const row = li ? this.shown[Number(li.dataset.i)] : undefined;
      if (row) this.handlers.onRow(row);
    });
    this.list.addEventListener('keydown', (ev) => {
      const step = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : 0;
      if (step !== 0) {
        ev.preventDefault();
        ev.stopPropagation();
        const next = this.shown[Math.max(0, Math.min(this.shown.length - 1, this.current + step))];
        if (next) this.handlers.onRow(next);
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        ev.stopPropagation();
        const row = this.shown[this.current];
        if (row?.packetId !== undefined) this.handlers.onOpen(row);
      } else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight' || ev.key === ' ') ev.stopPropagation();
    });
  }

  setRows(rows: readonly TimelineRow[]): void {
    this.rows = rows;
    this.refilter();
  }

  private refilter(): void {
    const f = parseTimelineFilter(this.filter.value);
    this.problems.textContent = f.problems.join('; ');
    this.shown = this.rows.filter(f.test);
    this.count.textContent = `${this.shown.length} of ${this.rows.length} events`;
    this.windowStart = -1;
    this.current = -1;
    this.setCursor(this.cursorUs);
  }

  /** Marks the row at the cursor (the last at or before it) and keeps it in view. */
  setCursor(atUs: number): void {
    this.cursorUs = atUs;
    const at = rowAtCursor(this.shown, atUs);
    const start = this.shown.length <= WINDOW_ROWS ? 0 : Math.max(0, at - WINDOW_ROWS / 2);
    if (start !== this.windowStart && (this.windowStart < 0 || Math.abs(start - this.windowStart) > WINDOW_ROWS / 4)) {
      this.draw(start);
    }
    if (at === this.current) return;
    this.items[this.current - this.windowStart]?.classList.remove('current');
    this.items[this.current - this.windowStart]?.setAttribute('aria-selected', 'false');
    this.current = at;
    const li = this.items[at - this.windowStart];
    if (li) {
      li.classList.add('current');
      li.setAttribute('aria-selected', 'true');
      this.list.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  private draw(start: number): void {
    this.windowStart = start;
    this.items = this.shown.slice(start, start + WINDOW_ROWS).map((r, k) => {
      const li = el(
        'li',
        { class: `row ${r.kind}`, role: 'option', id: `tl-${start + k}`, 'aria-selected': 'false' },
        el('span', { class: 'at' }, formatSeconds(r.atUs)),
        el('span', { class: 'kind' }, r.kind),
        el('span', { class: 'node', title: r.method }, r.lane > 0 ? `${r.node} ·${r.lane + 1}` : r.node),
        el('span', { class: 'text' }, r.text),
      );
      li.dataset.i = String(start + k);
      return li;
    });
    this.list.replaceChildren(...this.items);
    this.current = -1;
  }
}
