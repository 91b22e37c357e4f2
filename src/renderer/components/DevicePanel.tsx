import type { DeviceReading } from '../../shared/contract.js';
import { formatBytes } from '../format.js';
import { Icon } from './Icon.js';
import { FarmWorkers } from './FarmWorkers.js';

/** What the scheduler is doing, in words: the batch it runs against the most it would run. */
export function batchSentence(r: Pick<DeviceReading, 'batchSize' | 'recommendedBatch' | 'tileSize'>): string {
  const tiles = r.tileSize === 0 ? 'the whole photo at once' : `${r.tileSize} px tiles`;
  if (r.batchSize >= r.recommendedBatch) return `Using batch ${r.batchSize} of ${tiles}: as many as fit in memory.`;
  return `Using batch ${r.batchSize} of up to ${r.recommendedBatch} (${tiles}): this device is fastest ${r.batchSize === 1 ? 'one tile' : `${r.batchSize} tiles`} at a time.`;
}

/**
 * What the scheduler is using on each device, from its progress events: the recommended
 * batch size, the batch it runs, the tile size, and the memory budget against the
 * estimate the recommendation is based on. Nothing here is computed in the page.
 */
export function DevicePanel({ readings, names }: { readings: DeviceReading[]; names: ReadonlyMap<string, string> }) {
  return (
    <section className="card device-panel" aria-labelledby="device-panel-title" data-testid="device-panel">
      <h2 id="device-panel-title">
        <Icon name="chip" /> Devices
      </h2>
      {readings.length === 0 && <p className="subtle">Start a job to see the batch size, tile size and memory budget the scheduler chooses for each device.</p>}
      {readings.map((r) => {
        const memory = r.memory;
        const used = memory && memory.budgetBytes > 0 ? Math.min(1, memory.estimateBytes / memory.budgetBytes) : 0;
        return (
          <div className="device-reading" key={r.device} data-testid="device-reading" data-device={r.device}>
            <p className="device-name">{names.get(r.device) ?? r.device}</p>
            <p className="device-sentence" data-testid="device-sentence">
              {batchSentence(r)}
            </p>
            <span hidden data-testid="recommended-batch">
              {r.recommendedBatch}
            </span>
            <dl className="facts">
              <div>
                <dt>Batch in use</dt>
                <dd data-testid="batch-in-use">{r.batchSize}</dd>
              </div>
              <div>
                <dt>Tile size</dt>
                <dd data-testid="tile-size">{r.tileSize === 0 ? 'whole photo' : `${r.tileSize} px`}</dd>
              </div>
            </dl>
            {memory ? (
              <div className="memory" data-testid="memory-reading">
                <div className="memory-bar" role="meter" aria-label="Estimated memory against the budget" aria-valuemin={0} aria-valuemax={memory.budgetBytes} aria-valuenow={memory.estimateBytes}>
                  <div className={`memory-fill${used > 0.9 ? ' high' : ''}`} style={{ width: `${used * 100}%` }} />
                </div>
                <p className="memory-text">
                  Estimate <strong data-testid="memory-estimate">{formatBytes(memory.estimateBytes)}</strong> of a <strong data-testid="memory-budget">{formatBytes(memory.budgetBytes)}</strong> budget
                  <span className="subtle"> · {formatBytes(memory.freeBytes)} free</span>
                </p>
              </div>
            ) : (
              <p className="subtle small">This device reports no memory reading; the batch size is the configured one.</p>
            )}
          </div>
        );
      })}
      <FarmWorkers />
    </section>
  );
}
