import { JOBS_MIGRATION } from './001-jobs.js';
import { DEVICES_MIGRATION } from './002-devices.js';
import { SCHEDULER_MIGRATION } from './003-scheduler.js';
import { WATCH_MIGRATION } from './004-watch.js';
import { RELIABILITY_MIGRATION } from './005-reliability.js';
import { STREAMING_MIGRATION } from './006-streaming.js';

/**
 * Versioned schema: migration N takes user_version N-1 to N, each in its own file.
 * Append only; never edit a migration once it has shipped in a release.
 */
export const MIGRATIONS: readonly string[] = [JOBS_MIGRATION, DEVICES_MIGRATION, SCHEDULER_MIGRATION, WATCH_MIGRATION, RELIABILITY_MIGRATION, STREAMING_MIGRATION];
