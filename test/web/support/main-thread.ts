/**
 * How busy the page's main thread was while a run loaded, for `npm run bench -- web`: long tasks (PerformanceObserver
 * `longtask`, Chromium: tasks over 50 ms) and the gaps between animation frames (a rAF monitor), both recorded from
 * before the page's own script runs (an init script). Figures only; no test asserts on them.
 */
import type { Page } from 'playwright-core';

/** Installed with page.addInitScript: plain source text, so nothing of the bundler's reaches the page. */
export const MAIN_THREAD_MONITOR = `(() => {
  const m = { longTasks: [], frames: [] };
  window.__mainThread = m;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) m.longTasks.push({ startMs: e.startTime, durationMs: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    m.unsupported = String(e);
  }
  const tick = (now) => {
    m.frames.push(now);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

interface Recorded {
  longTasks: { startMs: number; durationMs: number }[];
  frames: number[];
  unsupported?: string;
}

export interface MainThreadFigures {
  /** Navigation → the ready selector (wall clock). */
  readonly loadMs: number;
  /** Longest long task of the whole load, page start-up included (0: none over 50 ms). */
  readonly longestTaskMs: number;
  /** Longest long task after the first frame (the run and the drawing of its result). */
  readonly longestTaskAfterFirstFrameMs: number;
  readonly longTasks: number;
  /** Longest gap between two animation frames after the first frame. */
  readonly frameGapMsMax: number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Opens `url` with the monitor, waits for `readySelector` and `settleMs` more, and reads the figures. */
export async function measureLoad(
  page: Page,
  url: string,
  readySelector: string,
  o: { readonly timeoutMs: number; readonly settleMs: number },
): Promise<MainThreadFigures> {
  await page.addInitScript(MAIN_THREAD_MONITOR);
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector(readySelector, { timeout: o.timeoutMs });
  const loadMs = Date.now() - t0;
  await page.waitForTimeout(o.settleMs);
  const r = (await page.evaluate('window.__mainThread')) as Recorded;
  const firstFrameMs = (await page.evaluate('window.__labStats ? window.__labStats.firstFrameMs : 0')) as number;
  if (r.unsupported !== undefined) throw new Error(`longtask observer: ${r.unsupported}`);
  const after = r.longTasks.filter((t) => t.startMs >= firstFrameMs);
  const frames = r.frames.filter((f) => f >= firstFrameMs);
  let gap = 0;
  for (let i = 1; i < frames.length; i++) gap = Math.max(gap, (frames[i] as number) - (frames[i - 1] as number));
  return {
    loadMs,
    longestTaskMs: round1(Math.max(0, ...r.longTasks.map((t) => t.durationMs))),
    longestTaskAfterFirstFrameMs: round1(Math.max(0, ...after.map((t) => t.durationMs))),
    longTasks: r.longTasks.length,
    frameGapMsMax: round1(gap),
  };
}
