/**
 * The only module that imports onnxruntime-node. Everything else sees plain typed arrays,
 * so the engine, tests and benchmarks do not depend on the runtime's object model.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ProviderName } from '../../shared/devices.js';

export type { ProviderName };

export interface SessionConfig {
  provider: ProviderName;
  /** The provider's own device index (already mapped from a PCI bus id by devices/). */
  deviceId?: number;
  /** CPU threads for intra-op parallelism; 0 or absent lets ONNX Runtime decide. */
  threads?: number;
  /** Reuse one arena across runs (fast) or release memory after each run (lean). */
  memoryArena?: boolean;
}

export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

/** A float32 image tensor, or a float64 side input (some exports declare scalars as double, e.g. CodeFormer's weight). */
export interface InputTensorData {
  data: Float32Array | Float64Array;
  dims: readonly number[];
}

/** What a model declares for one input or output: element type ("float32", "float64", ...) and shape (strings are symbolic dims). */
export interface TensorInfo {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

/** Backends this build of onnxruntime-node knows about (not a guarantee that a device exists). */
export function listRuntimeBackends(): BackendInfo[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

function providerConfig(config: SessionConfig): ort.InferenceSession.ExecutionProviderConfig {
  switch (config.provider) {
    case 'cpu':
      return 'cpu';
    case 'cuda':
      return { name: 'cuda', deviceId: config.deviceId ?? 0 } as ort.InferenceSession.ExecutionProviderConfig;
    case 'dml':
      return { name: 'dml', deviceId: config.deviceId ?? 0 } as ort.InferenceSession.ExecutionProviderConfig;
    case 'webgpu':
      return { name: 'webgpu' } as ort.InferenceSession.ExecutionProviderConfig;
    case 'coreml':
      return { name: 'coreml' } as ort.InferenceSession.ExecutionProviderConfig;
  }
}

/** One loaded model on one execution provider. Not thread-safe: callers run one batch at a time. */
export class ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    readonly config: SessionConfig,
    /** Declared inputs and outputs, in the model's order, for signature checks. */
    readonly inputs: readonly TensorInfo[] = [],
    readonly outputs: readonly TensorInfo[] = [],
  ) {}

  /** Opens a model file, or model bytes (devices/ probes providers with a tiny in-memory model). */
  static async open(modelPath: string | Uint8Array, config: SessionConfig): Promise<ModelSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [providerConfig(config)],
      graphOptimizationLevel: 'all',
      enableCpuMemArena: config.memoryArena ?? true,
      enableMemPattern: config.memoryArena ?? true,
    };
    if (config.threads && config.threads > 0) options.intraOpNumThreads = config.threads;
    const session = typeof modelPath === 'string' ? await ort.InferenceSession.create(modelPath, options) : await ort.InferenceSession.create(modelPath, options);
    return new ModelSession(session, session.inputNames, session.outputNames, config, session.inputMetadata.map(tensorInfo), session.outputMetadata.map(tensorInfo));
  }

  /** Runs float32 (or float64 side) inputs by name; returns every output as float32 with its dims. */
  async run(inputs: Record<string, InputTensorData>): Promise<Record<string, TensorData>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] = t.data instanceof Float64Array ? new ort.Tensor('float64', t.data, t.dims) : new ort.Tensor('float32', t.data, t.dims);
    }
    const results = await this.session.run(feeds);
    const out: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      tensor.dispose?.();
    }
    for (const t of Object.values(feeds)) t.dispose?.();
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function tensorInfo(meta: ort.InferenceSession.ValueMetadata): TensorInfo {
  return meta.isTensor ? { name: meta.name, type: meta.type, shape: [...meta.shape] } : { name: meta.name, type: 'non-tensor', shape: [] };
}

/**
 * Folder holding onnxruntime-node's native libraries: the optional CUDA provider libraries
 * must sit here, so devices/ can tell "not installed" from "installed but cannot load".
 */
export function runtimeLibraryDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
}
