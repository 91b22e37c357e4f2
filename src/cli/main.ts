import { Command, CommanderError } from 'commander';
import { HeirloomError, toErrorInfo } from '../shared/errors.js';
import { inUseStoreError } from '../core/store/store-errors.js';

/**
 * Each command's module, loaded only when that command runs: `restore` never loads the
 * studio, the HTTP server, the watcher or the model importer (start-up time is paid per
 * module). `--help` and an unknown command load them all.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  restore: async () => (await import('./commands/restore.js')).registerRestore,
  resume: async () => (await import('./commands/resume.js')).registerResume,
  history: async () => (await import('./commands/history.js')).registerHistory,
  models: async () => (await import('./commands/models.js')).registerModels,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  devices: async () => (await import('./commands/devices.js')).registerDevices,
  settings: async () => (await import('./commands/settings.js')).registerSettings,
  bench: async () => (await import('./commands/bench.js')).registerBench,
  watch: async () => (await import('./commands/watch.js')).registerWatch,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  farm: async () => (await import('./commands/farm.js')).registerFarm,
};

/** The command named on the command line, when it is one of ours and no top-level help is asked for. */
function namedCommand(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first in COMMANDS && argv.indexOf(first) === 2 ? first : undefined;
}

/** Exit codes: 0 all good, 1 some work failed, 2 the command itself was wrong. */
const EXIT_USAGE = 2;

export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('heirloom')
    .description('Restore old photos with neural networks (headless; the same core as the app)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const name of only !== undefined ? [only] : Object.keys(COMMANDS)) (await COMMANDS[name]!())(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(namedCommand(argv))).parseAsync(argv);
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
