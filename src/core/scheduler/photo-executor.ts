import { HeirloomError, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { MemoryBudget, Precision } from '../../shared/devices.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type { MemoryReading, ProgressEvent, Stage } from '../../shared/events.js';
import { extractTile, growTileInput, tileDims, tileInputLength, type BatchRunner, type Tile, type TilePlan } from '../inference/tiler.js';
import type { PhotoResult, PhotoWork, PreparedPhoto } from './photo-work.js';
import { planBatch } from './batch-planner.js';
import { chooseBatchGroup, type BatchCostModel } from './batch-grouping.js';
import { estimateBatchMemory } from './memory-model.js';
import type { MemoryMonitor } from './memory-monitor.js';
import { FaultInjector, isOutOfMemoryError } from './out-of-memory.js';
import { turnsForLanes, type HostCpuTurns } from './host-cpu-turns.js';
import { PauseGate } from './pause-gate.js';
import { abortableWait } from './abortable-wait.js';
import { remainingWorkPixels } from './remaining-work.js';
import { ThroughputMeter } from './throughput-meter.js';

/** One device taking work from the shared queue, with its own session and memory model. */
export interface DeviceLane {
  deviceId: string;
  run: BatchRunner;
  monitor: MemoryMonitor;
  budget: MemoryBudget;
  maxBatch: number;
  precision: Precision;
  /** The user's fixed batch (--batch N); absent means auto. */
  fixedBatch?: number;
  /** Largest batch that pays on this device (tuned; 1 where batching gives no gain). */
  usefulBatch: number;
  /** Measured/estimated memory ratio for this device and model. */
  readonly calibration: number;
  /** Largest batch x padded-tile pixels known to fit after an out-of-memory error. */
  learnedLimitPixels?: number;
  /** The device is the host CPU itself (CPU provider): host work competes with its inference. */
  sharesHostCpu?: boolean;
  /** Run cost from the tuner (where batching pays): lets a batch pad tiles to a shared shape when that is faster. */
  batchCost?: BatchCostModel;
}

export interface ExecutorPhoto {
  /** Position in the job (for the store). */
  position: number;
  file: string;
  /** Pixels from the file's header, for the ETA before it is decoded. */
  pixels?: number;
}

/**
 * Photos that arrive while the job runs (a huge folder listed and hashed as it goes): the
 * executor takes the next when it wants one.
 */
export interface PhotoSource {
  /** The next photo, or undefined when there are no more. */
  next(): Promise<ExecutorPhoto | undefined>;
  /** Photos still to come, when known (for the ETA); undefined while their number is not known yet. */
  upcoming(): number | undefined;
}

/** A progress event as the executor knows it: the job's id and the 0..1 value are added by the engine. */
export type ProgressUpdate = Omit<ProgressEvent, 'type' | 'jobId' | 'value' | 'faces'> & { position: number };

export interface BackOffStep {
  deviceId: string;
  file: string;
  /** What was tried and what comes next. */
  from: { batch: number; tile: number };
  to: { batch: number; tile: number; deviceId: string };
  message: string;
}

export interface ExecutorCallbacks {
  progress(update: ProgressUpdate): void;
  started(photo: ExecutorPhoto): void;
  /** The tile plan a photo was cut into (benchmarks report its computed pixels). */
  planned?(photo: ExecutorPhoto, plan: TilePlan): void;
  done(photo: ExecutorPhoto, result: PhotoResult): void;
  failed(photo: ExecutorPhoto, error: ErrorInfo): void;
  backOff?(step: BackOffStep): void;
  /** A lane learned a lower limit (persist it so the next run starts lower). */
  learnedLimit?(deviceId: string, pixels: number): void;
}

export interface ExecutorOptions {
  /** What happens to each photo around the network (decode, stages, encode). */
  work: PhotoWork;
  lanes: DeviceLane[];
  /** Smallest tile the back-off may reach. */
  tileFloor?: number;
  /** Most decoded photos waiting for inference (back-pressure on decoding; default 4). */
  maxPreparedPhotos?: number;
  /** Photos being encoded at once while inference goes on. */
  maxFinishing?: number;
  /** Halve batch, then tile, then move device on out-of-memory (default). Off only to reproduce naive fixed-batch tools in benchmarks. */
  backOff?: boolean;
  faults?: FaultInjector;
  pause?: PauseGate;
  /** How host work and inference share the CPU; default: turns when every lane is the host CPU. */
  turns?: HostCpuTurns;
  signal?: AbortSignal;
}

interface PhotoState {
  photo: ExecutorPhoto;
  prepared: PreparedPhoto;
  remaining: Set<number>;
  written: number;
  failed: boolean;
  /** The lane this photo must run on after an out-of-memory move, if any. */
  pinnedLane?: string;
}

interface QueuedTile {
  state: PhotoState;
  tile: Tile;
  /** Plan generation: tiles of a re-planned photo from the old plan are dropped. */
  plan: PreparedPhoto['plan'];
}

/** A queued tile taken into a batch: `runTile` is the tile at the batch's shape (more context when it was grown). */
interface BatchItem extends QueuedTile {
  runTile: Tile;
}

/**
 * The pipelined executor: decoding and tiling of the next photos, and encoding of finished
 * ones, overlap inference. Tiles wait in one queue; each device lane takes the oldest
 * tile's shape and batches equal-shaped tiles across photos. Bounded queues keep memory in
 * check: at most `maxPreparedPhotos` decoded ahead, `maxFinishing` encoding.
 */
export class PhotoExecutor {
  private readonly queue: QueuedTile[] = [];
  private readonly pending: ExecutorPhoto[];
  /** Where further photos come from once `pending` is empty; undefined when every photo was given up front or taken. */
  private source: PhotoSource | undefined;
  private readonly throughput = new ThroughputMeter();
  private readonly pause: PauseGate;
  private readonly faults: FaultInjector;
  private readonly finishing = new Set<Promise<void>>();
  private prepared = 0;
  private preparing = 0;
  /** For the ETA: photos being decoded, and the sizes of those decoded (see remaining-work.ts). */
  private readonly decoding = new Set<ExecutorPhoto>();
  private readonly decodedSizes: Array<{ imagePixels: number; workPixels: number }> = [];
  private waiters: Array<() => void> = [];
  /** Counts notify() calls, so a lane can tell that the queue changed while it was not yet waiting. */
  private generation = 0;
  private readonly laneBatchCap = new Map<string, number>();
  /** When each lane's last batch came back (device time excludes the wait behind it). */
  private readonly laneDoneAt = new Map<string, number>();
  /** Host work and inference take turns when every device is the host CPU (see HostCpuTurns). */
  private readonly turns: HostCpuTurns;

  constructor(
    photos: ExecutorPhoto[] | PhotoSource,
    private readonly options: ExecutorOptions,
    private readonly callbacks: ExecutorCallbacks,
  ) {
    if (Array.isArray(photos)) this.pending = [...photos];
    else {
      this.pending = [];
      this.source = photos;
    }
    this.pause = options.pause ?? new PauseGate();
    this.faults = options.faults ?? new FaultInjector(undefined);
    this.turns = options.turns ?? turnsForLanes(options.lanes);
  }

  async run(): Promise<void> {
    const preparer = this.prepareLoop();
    await Promise.all(this.options.lanes.map((lane) => this.laneLoop(lane)));
    await preparer;
    await Promise.all(this.finishing);
    // Whatever is still queued (cancelled, or no lane could take it) ends here.
    for (const item of this.queue.splice(0)) this.failPhoto(item.state, cancelledOr(this.options.signal, item.state.photo.file));
  }

  private get work(): PhotoWork {
    return this.options.work;
  }

  /** The network the lanes run; only asked for once tiles exist, which needs one. */
  private get network(): ModelManifest {
    const network = this.work.network;
    if (!network) throw new HeirloomError('INTERNAL', 'Tiles were queued for a job without a network.');
    return network;
  }

  /** Wakes every lane and the decoder: the queue changed. */
  private notify(): void {
    this.generation++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async waitForWork(): Promise<void> {
    await abortableWait((release) => this.waiters.push(release), this.options.signal);
  }

  /** Decodes photos ahead of inference while fewer than `maxPreparedPhotos` wait. */
  private async prepareLoop(): Promise<void> {
    while (this.morePhotos()) {
      if (this.options.signal?.aborted) break;
      await this.pause.wait(this.options.signal);
      if (!this.wantsMorePhotos()) {
        await this.waitForWork();
        continue;
      }
      const photo = this.pending.shift() ?? (await this.pull());
      if (!photo) break;
      this.preparing++;
      this.decoding.add(photo);
      this.callbacks.started(photo);
      this.callbacks.progress(this.progressFor(photo, 'decoding', 0, 0, undefined));
      try {
        const prepared = await this.turns.take('decode', () => this.work.prepare(photo.file, (stage) => this.callbacks.progress(this.progressFor(photo, stage, 0, 0, undefined))));
        const state: PhotoState = { photo, prepared, remaining: new Set(prepared.plan.tiles.map((t) => t.index)), written: 0, failed: false };
        if (prepared.plan.tiles.length === 0) {
          // No network runs on this photo (--model none): straight on to its last stages.
          await this.finish(state);
        } else {
          prepared.networkStartedAt = Date.now();
          this.callbacks.planned?.(photo, prepared.plan);
          for (const tile of prepared.plan.tiles) this.queue.push({ state, tile, plan: prepared.plan });
          this.decodedSizes.push({ imagePixels: prepared.plan.imageWidth * prepared.plan.imageHeight, workPixels: prepared.plan.tiles.length * prepared.plan.coreWidth * prepared.plan.coreHeight });
          this.prepared++;
        }
      } catch (error) {
        this.callbacks.failed(photo, toErrorInfo(error, { file: photo.file, code: 'DECODE_FAILED' }));
      } finally {
        this.preparing--;
        this.decoding.delete(photo);
        this.notify();
      }
    }
    for (const photo of this.pending.splice(0)) this.callbacks.failed(photo, cancelledOr(this.options.signal, photo.file));
    this.notify();
  }

  /**
   * Back-pressure on decoding: keep enough tiles queued to fill the next batches (two
   * per lane), but never more than `maxPreparedPhotos` decoded photos waiting.
   */
  private wantsMorePhotos(): boolean {
    const photos = this.photosInQueue();
    const batches = this.options.lanes.map((lane) => lane.fixedBatch ?? lane.usefulBatch);
    // Enough small photos to fill the largest batch, however low the default cap.
    if (photos >= Math.max(this.options.maxPreparedPhotos ?? 4, ...batches)) return false;
    const wanted = batches.reduce((sum, batch) => sum + 2 * batch, 0);
    return photos === 0 || this.queue.length < wanted;
  }

  private photosInQueue(): number {
    return new Set(this.queue.map((q) => q.state)).size;
  }

  private allPrepared(): boolean {
    return !this.morePhotos() && this.preparing === 0;
  }

  /** Photos waiting here, or still to come from the source. */
  private morePhotos(): boolean {
    return this.pending.length > 0 || this.source !== undefined;
  }

  /** The source's next photo (counted as being prepared while it comes, so lanes wait for it); undefined at its end. */
  private async pull(): Promise<ExecutorPhoto | undefined> {
    const source = this.source;
    if (!source) return undefined;
    this.preparing++;
    try {
      const photo = await source.next();
      if (!photo) this.source = undefined;
      return photo;
    } finally {
      this.preparing--;
    }
  }

  /**
   * Takes batches until the queue is done. On an accelerator the next batch is handed to
   * the device before the last one is written back, so the device never waits for the
   * host; on the host CPU each batch is one turn (see HostCpuTurns).
   */
  private async laneLoop(lane: DeviceLane): Promise<void> {
    let writingBack: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        await this.pause.wait(this.options.signal);
        if (this.options.signal?.aborted) return;
        const seen = this.generation;
        const batch = await this.takeBatch(lane);
        if (batch === 'done') return;
        if (batch === 'wait') {
          await writingBack;
          // A wake-up while the batch was being chosen or written back would be lost: look again first.
          if (this.generation === seen) await this.waitForWork();
          continue;
        }
        if (lane.sharesHostCpu) {
          const completed = await this.turns.take('infer', () => this.completeBatch(lane, this.submitBatch(lane, batch.items), batch.recommended, batch.memory));
          await this.finishAll(completed);
        } else {
          const submitted = this.submitBatch(lane, batch.items);
          await writingBack;
          // At most two batches are with the device: the one running and the one queued behind it.
          writingBack = this.turns.take('infer', () => this.completeBatch(lane, submitted, batch.recommended, batch.memory)).then((completed) => this.finishAll(completed));
        }
        this.notify();
      }
    } finally {
      await writingBack;
      this.notify();
    }
  }

  private async finishAll(completed: PhotoState[]): Promise<void> {
    // Encoding happens outside the batch's turn: it takes a turn of its own, and may wait for a free slot.
    for (const state of completed) await this.finish(state);
  }

  /**
   * The oldest tile and the tiles that batch with it: those of its shape, or, where the lane's
   * cost model says a fuller batch pays for a few padded pixels, those that fit a shared
   * larger shape (see batch-grouping.ts). At batch 1 (the host CPU) it is the oldest tile alone.
   */
  private async takeBatch(lane: DeviceLane): Promise<'done' | 'wait' | { items: BatchItem[]; recommended: number; memory: MemoryReading }> {
    const allowed = (q: QueuedTile) => q.state.pinnedLane === undefined || q.state.pinnedLane === lane.deviceId;
    const first = this.queue.findIndex(allowed);
    if (first < 0) return this.allPrepared() && this.queue.length === 0 ? 'done' : 'wait';
    const head = this.queue[first]!;
    const dims = tileDims(head.tile);
    const freeBytes = await lane.monitor.freeBytes();
    const recommendation = this.recommend(lane, freeBytes, dims.width * dims.height);
    const cap = this.laneBatchCap.get(lane.deviceId);
    const sizeAt = (pixels: number) => {
      const size = lane.fixedBatch ?? Math.min(this.recommend(lane, freeBytes, pixels).batch, lane.usefulBatch);
      return cap === undefined ? size : Math.min(size, cap);
    };
    const size = sizeAt(dims.width * dims.height);
    const candidates = [head, ...(size > 1 ? this.queue.filter((q) => q !== head && allowed(q)) : [])];
    const group = chooseBatchGroup(
      candidates.map((q) => ({ ...tileDims(q.tile), maxWidth: q.plan.imageWidth, maxHeight: q.plan.imageHeight })),
      { batchFor: (width, height) => (width === dims.width && height === dims.height ? size : sizeAt(width * height)), ...(lane.batchCost ? { cost: lane.batchCost } : {}) },
    );
    // Smart batching: while photos that could fill this batch are still being decoded, wait for them.
    if (group.members.length < size && (this.preparing > 0 || (this.morePhotos() && this.wantsMorePhotos()))) return 'wait';
    const items = group.members.map((i) => {
      const q = candidates[i]!;
      const runTile = growTileInput(q.tile, group.width, group.height, q.plan.imageWidth, q.plan.imageHeight) ?? q.tile;
      return { ...q, runTile };
    });
    const taken = new Set(group.members.map((i) => candidates[i]!));
    for (let i = this.queue.length - 1; i >= 0; i--) if (taken.has(this.queue[i]!)) this.queue.splice(i, 1);
    // Let decoding refill the queue while this batch runs.
    this.notify();
    const memory = group.width === dims.width && group.height === dims.height ? recommendation : this.recommend(lane, freeBytes, group.width * group.height);
    return { items, recommended: memory.batch, memory: memory.memory };
  }

  private recommend(lane: DeviceLane, freeBytes: number, paddedPixels: number): { batch: number; memory: MemoryReading } {
    const plan = planBatch({
      freeBytes,
      budget: lane.budget,
      estimateFor: () => estimateBatchMemory(this.network, paddedPixels, lane.precision, lane.calibration),
      tileCandidates: [0],
      maxBatch: lane.maxBatch,
      ...(lane.learnedLimitPixels !== undefined ? { learnedLimitItems: lane.learnedLimitPixels, paddedPixelsFor: () => paddedPixels } : {}),
    });
    return { batch: plan.batchSize, memory: { budgetBytes: plan.budgetBytes, estimateBytes: plan.expectedBytes, freeBytes } };
  }

  /** Cuts the batch's tiles and hands them to the device; the run is in flight when this returns. */
  private submitBatch(lane: DeviceLane, items: BatchItem[]): SubmittedBatch | undefined {
    const live = items.filter((q) => !q.state.failed && q.state.prepared.plan === q.plan);
    if (live.length === 0) return undefined;
    const plan = live[0]!.plan;
    const dims = tileDims(live[0]!.runTile);
    const itemLength = tileInputLength(live[0]!.runTile);
    const input = new Float32Array(itemLength * live.length);
    live.forEach((q, i) => extractTile(q.state.prepared.image.pixels, q.runTile, input, i * itemLength));
    const submitted = Date.now();
    const output = (async () => {
      this.faults.check(live.length, dims.width * dims.height);
      return lane.run(input, [live.length, 3, dims.height, dims.width]);
    })();
    // Handled in completeBatch; never an unhandled rejection while the previous batch is written back.
    output.catch(() => {});
    return { live, plan, output, submitted };
  }

  /** Waits for the batch's output and writes it back; returns the photos whose last tile it wrote. */
  private async completeBatch(lane: DeviceLane, batch: SubmittedBatch | undefined, recommended: number, memory: MemoryReading): Promise<PhotoState[]> {
    if (!batch) return [];
    const { live, plan } = batch;
    let output: Float32Array;
    try {
      output = await batch.output;
    } catch (error) {
      if (isOutOfMemoryError(error) && this.options.backOff !== false) {
        // A batch queued behind one that already backed off may hold tiles of a re-cut photo: those are gone.
        const current = live.filter((q) => !q.state.failed && q.state.prepared.plan === q.plan);
        if (current.length > 0) this.backOff(lane, current, error);
        return [];
      }
      const info = toErrorInfo(error, { code: isOutOfMemoryError(error) ? 'OUT_OF_MEMORY' : 'INFERENCE_FAILED' });
      for (const state of new Set(live.map((q) => q.state))) {
        this.failPhoto(state, {
          ...info,
          code: isOutOfMemoryError(error) ? 'OUT_OF_MEMORY' : info.code,
          file: state.photo.file,
          message: isOutOfMemoryError(error)
            ? `${state.photo.file}: the device ran out of memory at batch ${live.length}, tile ${plan.coreWidth}. Lower the batch or tile size, or the memory budget.`
            : `${state.photo.file}: ${info.message}`,
        });
      }
      return [];
    }
    // Device time of this batch: from when it was handed over, or when the one before it finished.
    const now = Date.now();
    const started = Math.max(batch.submitted, this.laneDoneAt.get(lane.deviceId) ?? 0);
    this.laneDoneAt.set(lane.deviceId, now);
    this.throughput.record(live.reduce((sum, q) => sum + q.tile.owned.width * q.tile.owned.height, 0), now - started);
    const outLength = output.length / live.length;
    const completed: PhotoState[] = [];
    for (const [i, q] of live.entries()) {
      const state = q.state;
      if (state.failed || state.prepared.plan !== q.plan) continue;
      await state.prepared.canvas.writeTile(q.runTile, output, i * outLength);
      state.remaining.delete(q.tile.index);
      state.written++;
      this.callbacks.progress(
        this.progressFor(state.photo, 'inferring', state.written, q.plan.tiles.length, { batch: live.length, recommended, tileSize: q.plan.coreWidth, device: lane.deviceId, memory }),
      );
      if (state.remaining.size === 0) completed.push(state);
    }
    return completed;
  }

  /** Halve the batch; at batch 1 halve the tile; at the floor move to another lane. The photo is never lost. */
  private backOff(lane: DeviceLane, items: BatchItem[], error: unknown): void {
    const plan = items[0]!.plan;
    const dims = tileDims(items[0]!.runTile);
    const failedPixels = items.length * dims.width * dims.height;
    lane.learnedLimitPixels = Math.min(lane.learnedLimitPixels ?? Infinity, Math.max(1, Math.floor(failedPixels / 2)));
    this.callbacks.learnedLimit?.(lane.deviceId, lane.learnedLimitPixels);
    const states = [...new Set(items.map((q) => q.state))];
    const cause = error instanceof Error ? error.message : String(error);
    if (items.length > 1) {
      const next = Math.max(1, Math.floor(items.length / 2));
      this.laneBatchCap.set(lane.deviceId, next);
      this.queue.unshift(...items.map(({ state, tile, plan }) => ({ state, tile, plan })));
      for (const s of states) this.reportBackOff(lane, s, { batch: items.length, tile: plan.coreWidth }, { batch: next, tile: plan.coreWidth, deviceId: lane.deviceId }, cause);
      return;
    }
    const floor = this.options.tileFloor ?? 32;
    const currentTile = Math.max(plan.coreWidth, plan.coreHeight);
    for (const state of states) {
      if (currentTile / 2 >= floor) {
        const tile = Math.floor(currentTile / 2);
        this.restartPhoto(state, tile);
        this.reportBackOff(lane, state, { batch: 1, tile: currentTile }, { batch: 1, tile, deviceId: lane.deviceId }, cause);
        continue;
      }
      const other = this.options.lanes.find((l) => l.deviceId !== lane.deviceId && l.deviceId !== state.pinnedLane);
      if (other) {
        state.pinnedLane = other.deviceId;
        this.restartPhoto(state, this.work.tileSize || currentTile);
        this.reportBackOff(lane, state, { batch: 1, tile: currentTile }, { batch: 1, tile: this.work.tileSize || currentTile, deviceId: other.deviceId }, cause);
        continue;
      }
      this.failPhoto(state, new HeirloomError('OUT_OF_MEMORY', `${state.photo.file} does not fit in the device's memory even at batch 1 and tile ${currentTile}. Lower the memory use of other programs or restore it on another device.`, { file: state.photo.file, cause: error }).toInfo());
    }
  }

  private reportBackOff(lane: DeviceLane, state: PhotoState, from: BackOffStep['from'], to: BackOffStep['to'], cause: string): void {
    this.callbacks.backOff?.({
      deviceId: lane.deviceId,
      file: state.photo.file,
      from,
      to,
      message: `Out of memory on ${lane.deviceId} at batch ${from.batch}, tile ${from.tile}; retrying at batch ${to.batch}, tile ${to.tile}${to.deviceId !== lane.deviceId ? ` on ${to.deviceId}` : ''}. (${cause.split('\n')[0]?.slice(-160)})`,
    });
  }

  /** Re-cuts a photo with a smaller tile; its queued tiles of the old plan are dropped. */
  private restartPhoto(state: PhotoState, tileSize: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.state === state) this.queue.splice(i, 1);
    state.prepared = { ...this.work.replan(state.prepared, tileSize), networkStartedAt: state.prepared.networkStartedAt ?? Date.now() };
    state.remaining = new Set(state.prepared.plan.tiles.map((t) => t.index));
    state.written = 0;
    this.queue.unshift(...state.prepared.plan.tiles.map((tile) => ({ state, tile, plan: state.prepared.plan })));
  }

  private failPhoto(state: PhotoState, error: ErrorInfo): void {
    if (state.failed) return;
    state.failed = true;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.state === state) this.queue.splice(i, 1);
    this.callbacks.failed(state.photo, error);
  }

  /** Encoding overlaps the next batches; at most `maxFinishing` at once (back-pressure). */
  private async finish(state: PhotoState): Promise<void> {
    const limit = this.options.maxFinishing ?? 2;
    while (this.finishing.size >= limit) await Promise.race(this.finishing);
    const { photo, prepared } = state;
    const tiles = prepared.plan.tiles.length;
    const task = this.work
      .finish(prepared, {
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        turn: (work) => this.turns.take('encode', work),
        onStage: (stage) => this.callbacks.progress(this.progressFor(photo, stage, tiles, tiles, undefined)),
      })
      .then((result) => this.callbacks.done(photo, result))
      .catch((error: unknown) => this.callbacks.failed(photo, toErrorInfo(error, { file: photo.file, code: 'ENCODE_FAILED' })))
      .finally(() => this.finishing.delete(task));
    this.finishing.add(task);
  }

  private progressFor(
    photo: ExecutorPhoto,
    stage: Stage,
    tile: number,
    tiles: number,
    batch: { batch: number; recommended: number; tileSize: number; device: string; memory: MemoryReading } | undefined,
  ): ProgressUpdate {
    // Photos the source has not handed over yet count with an unknown size; while their number is unknown there is no ETA.
    const upcoming = this.source ? this.source.upcoming() : 0;
    const remainingPixels =
      upcoming === undefined
        ? undefined
        : remainingWorkPixels({
            queuedTilePixels: this.queue.reduce((sum, q) => sum + q.tile.owned.width * q.tile.owned.height, 0),
            waitingPhotos: [...this.decoding, ...this.pending].map((p) => p.pixels),
            unseenPhotos: upcoming,
            decoded: this.decodedSizes,
          });
    const eta = remainingPixels === undefined ? undefined : this.throughput.etaMs(remainingPixels);
    return {
      position: photo.position,
      file: photo.file,
      stage,
      tile,
      tiles,
      batchSize: batch?.batch ?? 0,
      recommendedBatch: batch?.recommended ?? 0,
      tileSize: batch?.tileSize ?? this.work.tileSize,
      device: batch?.device ?? this.options.lanes[0]?.deviceId ?? 'cpu',
      ...(batch ? { memory: batch.memory } : {}),
      ...(eta !== undefined ? { etaMs: eta } : {}),
    };
  }
}

interface SubmittedBatch {
  live: BatchItem[];
  plan: TilePlan;
  output: Promise<Float32Array>;
  /** When it was handed to the device. */
  submitted: number;
}

function cancelledOr(signal: AbortSignal | undefined, file: string): ErrorInfo {
  if (signal?.aborted) return new HeirloomError('CANCELLED', `Restoring ${file} was cancelled; nothing was written.`, { file }).toInfo();
  return new HeirloomError('INTERNAL', `${file} was left unprocessed: no device could take it.`, { file }).toInfo();
}
