import { HeirloomError } from '../../shared/errors.js';

/**
 * Allocation failures as ONNX Runtime words them on its providers: the CPU BFC arena,
 * CUDA (cudaMalloc / cuBLAS / cuDNN), DirectML (E_OUTOFMEMORY, device removed under memory
 * pressure), WebGPU buffer creation, and std::bad_alloc from the runtime itself.
 */
const OOM_PATTERNS = [
  /Failed to allocate memory/i,
  /bad_alloc/i,
  /out of memory/i,
  /CUDA_ERROR_OUT_OF_MEMORY|cudaErrorMemoryAllocation/i,
  /CUBLAS_STATUS_ALLOC_FAILED|CUDNN_STATUS_ALLOC_FAILED/i,
  /E_OUTOFMEMORY|0x8007000E/i,
  /DXGI_ERROR_DEVICE_REMOVED|887A0005/i,
  /Failed to create buffer|GPUOutOfMemoryError|allocation failed/i,
];

export function isOutOfMemoryError(error: unknown): boolean {
  if (error instanceof HeirloomError) return error.code === 'OUT_OF_MEMORY';
  const text = error instanceof Error ? error.message : String(error);
  return OOM_PATTERNS.some((p) => p.test(text));
}

/**
 * Test-only fault injection (off by default): raises an error worded exactly like the CPU
 * arena's real allocation failure when a batch's batch x padded-tile pixels exceed a limit,
 * so tests can prove the back-off path without exhausting the machine.
 */
export class FaultInjector {
  constructor(private readonly oomAbovePixels: number | undefined) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): FaultInjector {
    const raw = env.HEIRLOOM_INJECT_OOM_ABOVE_PIXELS;
    const value = raw === undefined ? undefined : Number(raw);
    return new FaultInjector(value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined);
  }

  get enabled(): boolean {
    return this.oomAbovePixels !== undefined;
  }

  check(batch: number, paddedTilePixels: number): void {
    if (this.oomAbovePixels === undefined) return;
    const pixels = batch * paddedTilePixels;
    if (pixels > this.oomAbovePixels) {
      const bytes = pixels * 64 * 4;
      throw new Error(
        `[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Name:'conv_0' Status Message: ` +
          `/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) ` +
          `Failed to allocate memory for requested buffer of size ${bytes} (injected: batch ${batch} x ${paddedTilePixels} px > ${this.oomAbovePixels} px)`,
      );
    }
  }
}
