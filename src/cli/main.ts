import { Command, CommanderError } from 'commander';
import { HeirloomError, toErrorInfo } from '../shared/errors.js';
import { inUseStoreError } from '../core/store/store-errors.js';
import { registerBench } from './commands/bench.js';
import { registerDevices } from './commands/devices.js';
import { registerHistory } from './commands/history.js';
import { registerModels } from './commands/models.js';
import { registerRestore } from './commands/restore.js';
import { registerResume } from './commands/resume.js';
import { registerServe } from './commands/serve.js';
import { registerSettings } from './commands/settings.js';
import { registerWatch } from './commands/watch.js';
import { registerWorker } from './commands/worker.js';
import { registerFarm } from './commands/farm.js';

/** Exit codes: 0 all good, 1 some work failed, 2 the command itself was wrong. */
const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('heirloom')
    .description('Restore old photos with neural networks (headless; the same core as the app)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerRestore(program);
  registerResume(program);
  registerHistory(program);
  registerModels(program);
  registerServe(program);
  registerDevices(program);
  registerSettings(program);
  registerBench(program);
  registerWatch(program);
  registerWorker(program);
  registerFarm(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    // A SQLite failure while the database was in use: said as what it is, not as "unexpected".
    const info = toErrorInfo(inUseStoreError(error) ?? error);
    const json = argv.includes('--json');
    if (json) process.stdout.write(`${JSON.stringify({ type: 'error', ...info })}\n`);
    process.stderr.write(`heirloom: ${info.message}\n`);
    process.exitCode = error instanceof HeirloomError && error.code === 'USAGE' ? EXIT_USAGE : 1;
  }
}

await main(process.argv);
