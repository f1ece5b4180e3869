/**
 * A one-line progress indication on stderr for long runs. It appears only on a terminal,
 * only once a run has taken more than a second (short scans stay quiet), redraws at most
 * ten times a second, and erases itself before anything else is printed.
 */
import type { OutputStream } from './io.js';

export interface Progress {
  /** The text may be given as a function, called only when the line is drawn (most updates are not). */
  update(text: string | (() => string)): void;
  /** Erases the line; call before printing anything else. */
  clear(): void;
}

const DELAY_MS = 1000;
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\u001b[K';

export function createProgress(
  stream: OutputStream,
  enabled: boolean,
  clock: () => number = Date.now,
): Progress {
  if (!enabled || !stream.isTTY) return { update: () => undefined, clear: () => undefined };
  const start = clock();
  let lastDraw = 0;
  let shown = false;
  return {
    update(text) {
      const now = clock();
      if (now - start < DELAY_MS || now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      shown = true;
      stream.write(`${CLEAR_LINE}${typeof text === 'function' ? text() : text}`);
    },
    clear() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

/** `1.2 MB`, `340 kB`: sizes for progress lines. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}
