/**
 * The progress bar of a run in the worker: virtual time of the run's duration, clients addressed, simulator events,
 * and a Cancel button. Updated from the worker's progress messages (scenarios/run.ts `progress`), at most once a frame.
 */
import type { LabProgress } from '../runner.ts';
import { el } from './dom.ts';

const secs = (us: number): string => (us / 1_000_000).toFixed(1);

export class ProgressView {
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;
  private readonly title: HTMLElement;
  private readonly cancel: HTMLButtonElement;
  /** Says once that a run started and how it ended (the moving text is not a live region: it changes every frame). */
  private readonly status: HTMLElement;
  private latest: LabProgress | undefined;
  private frame = 0;

  constructor(
    private readonly root: HTMLElement,
    onCancel: () => void,
  ) {
    this.title = el('span', { class: 'progress-title' });
    this.bar = el('progress', { id: 'run-progress', max: '1', value: '0', 'aria-label': 'virtual time simulated' });
    this.text = el('span', { class: 'progress-text', id: 'run-progress-text' });
    this.status = el('span', { class: 'sr-only', role: 'status' });
    this.cancel = el('button', { type: 'button', id: 'run-cancel' }, 'Cancel');
    this.cancel.addEventListener('click', onCancel);
    root.replaceChildren(this.title, this.bar, this.text, this.cancel, this.status);
    root.hidden = true;
  }

  start(title: string): void {
    this.latest = undefined;
    this.title.textContent = title;
    this.bar.value = 0;
    this.text.textContent = 'starting the worker…';
    this.cancel.disabled = false;
    this.root.hidden = false;
    this.root.dataset.state = 'running';
    this.status.textContent = title;
  }

  update(p: LabProgress): void {
    this.latest = p;
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const q = this.latest;
      if (!q) return;
      this.bar.max = Math.max(1, q.durationUs);
      this.bar.value = Math.min(q.atUs, q.durationUs);
      this.text.textContent =
        `${secs(q.atUs)} s of ${secs(q.durationUs)} s virtual time · ` +
        `${q.addressed} of ${q.clients} clients addressed · ${q.eventsRun.toLocaleString('en')} events`;
      this.root.dataset.atUs = String(q.atUs);
    });
  }

  /** The run ended (`done`), was cancelled or failed: the line says so and stays until the next run. */
  finish(state: 'done' | 'cancelled' | 'failed', text: string): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.cancel.disabled = true;
    this.root.dataset.state = state;
    this.title.textContent = this.title.textContent.replace(/^Running /, state === 'done' ? 'Ran ' : 'Stopped ');
    this.text.textContent = text;
    this.status.textContent = `${this.title.textContent}: ${text}`;
    if (state === 'done') this.bar.value = this.bar.max;
  }

  hide(): void {
    this.root.hidden = true;
    delete this.root.dataset.state;
  }

  /** The last progress seen (for the cancelled line). */
  get last(): LabProgress | undefined {
    return this.latest;
  }
}
