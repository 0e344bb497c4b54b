import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr when it is a terminal; silent otherwise, so pipes and logs stay clean. */
export function progressBar(total: number, label: string): { update(done: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
