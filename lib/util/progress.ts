// A progress bar on stderr: percentage and ETA, redrawn at most four times a second on a terminal;
// on a pipe or log file, one plain line per 10 per cent instead.

export interface Progress {
  update(done: number, label: string): void;
  finish(label: string): void;
}

export function progressBar(total: number, out: NodeJS.WriteStream = process.stderr): Progress {
  const start = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  const tty = Boolean(out.isTTY);
  const line = (done: number, label: string) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (Date.now() - start) / 1000;
    const eta = frac > 0.01 ? (elapsed * (1 - frac)) / frac : NaN;
    const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
    return `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}%  ${Number.isFinite(eta) ? `ETA ${eta.toFixed(0)} s` : "ETA ?"}  ${label}`;
  };
  return {
    update(done, label) {
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 250) return;
        lastDraw = now;
        out.write(
          `\r${line(done, label)
            .slice(0, (out.columns ?? 100) - 1)
            .padEnd((out.columns ?? 100) - 1)}`,
        );
        return;
      }
      const decile = Math.floor((10 * done) / Math.max(1, total));
      if (decile > lastDecile) {
        lastDecile = decile;
        out.write(line(done, label) + "\n");
      }
    },
    finish(label) {
      const text = `${label} (${((Date.now() - start) / 1000).toFixed(1)} s)`;
      out.write(tty ? `\r${text.padEnd((out.columns ?? 100) - 1)}\n` : text + "\n");
    },
  };
}

/** Progress for a caller that routes messages itself: no bar, only the closing line, through `log`. */
export function logProgress(log: (line: string) => void): (total: number) => Progress {
  return () => ({ update: () => undefined, finish: (label) => log(label) });
}
