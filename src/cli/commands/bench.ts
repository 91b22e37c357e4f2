import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SECTIONS = ['compute', 'pipeline', 'startup', 'gpen', 'backoff', 'scan', 'tiling', 'repair', 'repair-again', 'farm', 'bigfolder'];

/** `heirloom bench [section...]`: the benchmark suite of the source tree (bench/run.ts), same as `npm run bench`. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`measure this machine: ${SECTIONS.join(', ')} (default: all but tiling, repair-again, farm and bigfolder); prints tables, then one JSON object`)
    .argument('[sections...]', 'which sections to run')
    .action((sections: string[]) => {
      const root = fileURLToPath(new URL('../../../', import.meta.url));
      const script = `${root}bench/run.ts`;
      if (!existsSync(script)) {
        process.stderr.write('heirloom: the benchmarks ship with the source tree only; run this from a clone of the repository.\n');
        process.exitCode = 1;
        return;
      }
      const unknown = sections.filter((s) => !SECTIONS.includes(s));
      if (unknown.length > 0) {
        process.stderr.write(`heirloom: unknown bench section ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}.\n`);
        process.exitCode = 2;
        return;
      }
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...sections], { cwd: root, stdio: 'inherit' });
      process.exitCode = run.status ?? 1;
    });
}
