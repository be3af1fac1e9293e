import { Presets, SingleBar } from 'cli-progress';
import type { MigrationPhase } from '../migrate/migrate.js';

/** Below this many keys a migration is quick and the bar is noise (unless forced). */
const BAR_FROM = 1_000;

/** One cli-progress bar per phase, on stderr; a no-op for small runs unless `force`. */
export function progressBar(stream: NodeJS.WritableStream, force: boolean) {
  let bar: SingleBar | undefined;
  let phase: MigrationPhase | undefined;
  const update = ({ phase: p, done, total }: { phase: MigrationPhase; done: number; total: number }) => {
    if (p === 'scan' || (!force && total < BAR_FROM)) return;
    if (p !== phase) {
      bar?.stop();
      phase = p;
      bar = new SingleBar(
        {
          stream,
          format: `${p.padEnd(8)} [{bar}] {percentage}% | {value}/{total} keys | {eta_formatted} left`,
          noTTYOutput: force,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    }
    bar?.update(done);
  };
  return { update, stop: () => bar?.stop() };
}
