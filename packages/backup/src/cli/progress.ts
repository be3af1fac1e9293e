import { Presets, SingleBar } from 'cli-progress';

/** Progress of one long step: a bar on a terminal, a few plain lines otherwise (logs, CI). */
export interface Progress {
  update(done: number, total: number | undefined, label: string): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 2000;

export function createProgress(stream: NodeJS.WriteStream = process.stdout, enabled = true): Progress {
  if (!enabled) return { update() {}, stop() {} };
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    let shownTotal: number | undefined;
    return {
      update(done, total, label) {
        const t = total ?? Math.max(done, 1);
        if (!bar) {
          bar = new SingleBar(
            {
              format: ' {label} [{bar}] {percentage}% | {value}/{total}',
              hideCursor: true,
              stream,
              clearOnComplete: false,
            },
            Presets.shades_classic,
          );
          bar.start(t, done, { label });
          shownTotal = t;
          return;
        }
        if (t !== shownTotal) {
          bar.setTotal(t);
          shownTotal = t;
        }
        bar.update(done, { label });
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let last = 0;
  let lastLabel = '';
  return {
    update(done, total, label) {
      const now = Date.now();
      if (label === lastLabel && now - last < PLAIN_EVERY_MS) return;
      last = now;
      lastLabel = label;
      const share = total ? ` (${Math.floor((100 * done) / Math.max(total, 1))}%)` : '';
      stream.write(`${label}: ${done}${total ? `/${total}` : ''}${share}\n`);
    },
    stop() {},
  };
}
