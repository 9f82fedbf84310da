/**
 * Progress for long work: a bar on a TTY, structured pino lines otherwise (CI, pipes, files).
 */
import cliProgress from 'cli-progress';
import { pino, type Logger } from 'pino';

export function logger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'info', base: null }, pino.destination(2));
}

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

export function progress(log: Logger, quiet = false): Progress {
  if (quiet) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{label} [{bar}] {percentage}% {value}/{total} accounts', stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(label, done, total) {
        if (!started) {
          bar.start(total, done, { label });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { label });
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let lastLogged = -1;
  return {
    update(label, done, total) {
      // small runs are summarised when they finish; large ones log every ~10%
      if (total < 100_000) return;
      const step = Math.max(1, Math.floor(total / 10));
      if (done === total || done === 0 || Math.floor(done / step) !== Math.floor(lastLogged / step)) {
        log.info({ label, done, total }, 'progress');
        lastLogged = done;
      }
    },
    stop() {},
  };
}
