/**
 * The page's layout around the ladder (issue 16): the ladder gets the width. The side panels are a column the user
 * resizes by a splitter (drag, or ←/→ when it has focus) on a wide screen, a drawer over the ladder below 1100 px
 * (closed until asked for, opened by a packet click so the inspector shows), and a section below the ladder on a
 * phone. Presentation mode (projectors) hides the panels, enlarges the type, raises the contrast and draws one lane.
 * Whenever the ladder's width changes, `onResize` redraws it so its lifelines fit.
 */
export interface LayoutHandlers {
  /** The ladder's width or the presentation mode changed: draw it again. */
  onResize(): void;
}

const NARROW = '(max-width: 1099px)';
const PHONE = '(max-width: 699px)';
const SIDE_MIN_PX = 260;
const KEY_STEP_PX = 32;

export class LabLayout {
  private readonly narrow = window.matchMedia(NARROW);
  private readonly phone = window.matchMedia(PHONE);
  private lastWidthPx = -1;
  private pending = 0;

  constructor(
    private readonly ladder: HTMLElement,
    private readonly side: HTMLElement,
    private readonly handlers: LayoutHandlers,
  ) {
    const splitter = document.createElement('div');
    splitter.className = 'splitter';
    splitter.setAttribute('role', 'separator');
    splitter.setAttribute('aria-orientation', 'vertical');
    splitter.setAttribute('aria-label', 'Resize the side panels (← wider, → narrower)');
    splitter.tabIndex = 0;
    side.before(splitter);
    splitter.addEventListener('pointerdown', (ev) => {
      splitter.setPointerCapture(ev.pointerId);
      const move = (e: PointerEvent): void => this.setSideWidth(window.innerWidth - e.clientX);
      const up = (): void => {
        splitter.removeEventListener('pointermove', move);
        splitter.removeEventListener('pointerup', up);
      };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up);
    });
    splitter.addEventListener('keydown', (ev) => {
      if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
      ev.preventDefault();
      this.setSideWidth(side.getBoundingClientRect().width + (ev.key === 'ArrowLeft' ? KEY_STEP_PX : -KEY_STEP_PX));
    });
    new ResizeObserver(() => this.schedule()).observe(ladder);
  }

  /** The ladder's usable width in pixels (what its lifelines are spread over). */
  ladderWidthPx(): number {
    return this.ladder.clientWidth;
  }

  get presenting(): boolean {
    return document.body.classList.contains('present');
  }

  /** The panels button: the drawer on a narrow screen, the column on a wide one. */
  togglePanels(): void {
    if (this.narrow.matches && !this.phone.matches) document.body.classList.toggle('drawer-open');
    else document.body.classList.toggle('wide');
  }

  /** A packet was clicked: make sure the inspector is on screen. */
  reveal(): void {
    if (this.presenting) return;
    if (this.narrow.matches && !this.phone.matches) document.body.classList.add('drawer-open');
    else document.body.classList.remove('wide');
  }

  togglePresentation(): void {
    document.body.classList.toggle('present');
    this.lastWidthPx = -1;
    this.schedule();
  }

  private setSideWidth(px: number): void {
    const max = Math.max(SIDE_MIN_PX, Math.round(window.innerWidth * 0.7));
    const w = Math.min(max, Math.max(SIDE_MIN_PX, Math.round(px)));
    document.body.style.setProperty('--side-px', `${w}px`);
  }

  private schedule(): void {
    if (this.pending !== 0) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      const w = this.ladderWidthPx();
      if (w === this.lastWidthPx) return;
      this.lastWidthPx = w;
      this.handlers.onResize();
    });
  }
}
