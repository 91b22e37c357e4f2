import { useEffect, useMemo, useState } from 'react';
import type { DeviceReading, HeirloomApi, QueueSnapshot } from '../../shared/contract.js';
import type { ProgressEvent } from '../../shared/events.js';

export interface QueueState {
  snapshot: QueueSnapshot | null;
  /** Latest progress per photo (key: jobId + file): newer than the snapshot between its updates. */
  live: ReadonlyMap<string, ProgressEvent>;
  /** What the scheduler is using, per device. */
  readings: DeviceReading[];
}

export const liveKey = (jobId: string | undefined, file: string) => `${jobId ?? ''}\u0000${file}`;

/**
 * The queue as the host sees it: a snapshot on load and on every change of shape, plus the
 * streamed progress events. Device readings come from the newest progress event per device
 * (events arrive in order); the snapshot's readings cover devices with none since loading.
 */
export function useQueue(api: HeirloomApi): QueueState {
  const [snapshot, setSnapshot] = useState<QueueSnapshot | null>(null);
  const [live, setLive] = useState<ReadonlyMap<string, ProgressEvent>>(new Map());
  const [latestByDevice, setLatestByDevice] = useState<ReadonlyMap<string, ProgressEvent>>(new Map());

  useEffect(() => {
    let active = true;
    const offQueue = api.onQueueChanged((next) => {
      setSnapshot(next);
      setLive((previous) => unfinishedOnly(previous, next));
    });
    const offEvents = api.onJobEvent((event) => {
      if (event.type !== 'progress') return;
      setLive((previous) => new Map(previous).set(liveKey(event.jobId, event.file), event));
      // recommendedBatch 0: no batch planned yet for this photo (it is being decoded): no reading.
      if (event.recommendedBatch > 0) setLatestByDevice((previous) => new Map(previous).set(event.device, event));
    });
    void api.getQueue().then((result) => {
      if (active && result.ok) setSnapshot((current) => current ?? result.value);
    });
    return () => {
      active = false;
      offQueue();
      offEvents();
    };
  }, [api]);

  const readings = useMemo(() => {
    const byDevice = new Map<string, DeviceReading>(Object.entries(snapshot?.devices ?? {}));
    for (const [device, p] of latestByDevice) {
      byDevice.set(device, { device, batchSize: p.batchSize, recommendedBatch: p.recommendedBatch, tileSize: p.tileSize, ...(p.memory ? { memory: p.memory } : {}), at: Date.now() });
    }
    return [...byDevice.values()].sort((a, b) => a.device.localeCompare(b.device));
  }, [snapshot, latestByDevice]);

  return { snapshot, live, readings };
}

/**
 * The live progress of photos the snapshot still lists as waiting or running: a finished
 * photo's row shows its final state, and a job of 100,000 photos must not keep (and copy on
 * every progress event) an entry for each photo it ever ran.
 */
function unfinishedOnly(live: ReadonlyMap<string, ProgressEvent>, snapshot: QueueSnapshot): ReadonlyMap<string, ProgressEvent> {
  const keep = new Set<string>();
  for (const item of snapshot.items) for (const file of item.files) if (file.status === 'running' || file.status === 'queued') keep.add(liveKey(item.jobId, file.path));
  let pruned: Map<string, ProgressEvent> | undefined;
  for (const key of live.keys()) {
    if (keep.has(key)) continue;
    pruned ??= new Map(live);
    pruned.delete(key);
  }
  return pruned ?? live;
}
