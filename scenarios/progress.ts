/** A progress bar on a terminal; silent when stderr is not a TTY or when disabled (--json). */
import cliProgress from 'cli-progress';

export interface Progress { tick(n?: number): void; stop(): void }

export function progressBar(enabled: boolean, label: string, total: number): Progress {
  if (!enabled || !process.stderr.isTTY) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    format: `${label} |{bar}| {value}/{total} {eta_formatted} left`, stream: process.stderr, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { tick(n = 1) { bar.increment(n); }, stop() { bar.stop(); } };
}
