import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderProbe } from '../../../src/core/devices/provider-probe.js';
import { cleanRuntimeMessage, cudaProviderLibraries, explainProviderFailure } from '../../../src/core/devices/explain-provider-failure.js';
import { runtimeLibraryDir } from '../../../src/core/inference/ort-backend.js';

// Error texts as onnxruntime-node 1.30 throws them (recorded on a Linux machine without a GPU).
const WEBGPU_NO_ADAPTER =
  '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';
const CUDA_LOAD = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

test('the CPU provider passes a real probe: a session opens and the test convolution comes back unchanged', async () => {
  const outcome = await new ProviderProbe().probe('cpu', undefined);
  assert.equal(outcome.ok, true, outcome.reason);
  assert.equal(outcome.reason, undefined);
});

test('CUDA probe on this machine: without the provider libraries it fails and says how to install them', async () => {
  const dir = runtimeLibraryDir();
  assert.ok(existsSync(dir), `onnxruntime-node's library folder ${dir} exists`);
  const missing = cudaProviderLibraries(process.platform).filter((f) => !existsSync(join(dir, f)));
  const outcome = await new ProviderProbe().probe('cuda', 0);
  if (missing.length > 0) {
    assert.equal(outcome.ok, false);
    for (const file of missing) assert.ok(outcome.reason?.includes(file), outcome.reason);
    assert.match(outcome.reason ?? '', /npm install --onnxruntime-node-install=cuda12/);
  } else {
    // A GPU machine with the libraries installed: either it runs, or the reason is the runtime's.
    assert.ok(outcome.ok || (outcome.reason ?? '').length > 0);
  }
});

test('WebGPU probe: a failure carries the runtime reason without source paths, and probes are cached per provider and device', async () => {
  const probe = new ProviderProbe();
  const first = probe.probe('webgpu', undefined);
  assert.equal(probe.probe('webgpu', undefined), first, 'the same promise: no second session open');
  const [cuda0, cuda1] = [probe.probe('cuda', 0), probe.probe('cuda', 1)];
  assert.notEqual(cuda0, cuda1, 'another device is probed on its own');
  await Promise.all([cuda0, cuda1]);
  const outcome = await first;
  if (!outcome.ok) {
    assert.doesNotMatch(outcome.reason ?? '', /\.cc:\d+|onnxruntime_src/);
    assert.ok((outcome.reason ?? '').length > 10, outcome.reason);
  }
});

test('explanations name the cause and the fix', () => {
  const context = { missingLibraries: [], libraryDir: '/x' };
  assert.equal(
    explainProviderFailure('webgpu', WEBGPU_NO_ADAPTER, context),
    "Failed to get a WebGPU adapter: No supported adapters (no Vulkan, Direct3D 12 or Metal driver that WebGPU can use was found; on Linux install the GPU's Vulkan driver, e.g. mesa-vulkan-drivers or the vendor's)",
  );
  assert.equal(
    explainProviderFailure('cuda', CUDA_LOAD, { missingLibraries: ['libonnxruntime_providers_cuda.so'], libraryDir: '/ort/bin' }),
    'the CUDA provider libraries are not installed (libonnxruntime_providers_cuda.so missing from /ort/bin); install them with "npm install --onnxruntime-node-install=cuda12" (needs CUDA 12 and cuDNN 9; see docs/gpu.md)',
  );
  assert.match(explainProviderFailure('cuda', CUDA_LOAD, context), /installed but cannot load its dependencies: the CUDA 12 runtime, cuDNN 9/);
  assert.match(explainProviderFailure('cuda', 'CUDA failure 100: no CUDA-capable device is detected ; GPU=0', context), /no CUDA-capable GPU is visible/);
  assert.match(explainProviderFailure('cuda', 'CUDA failure 101: invalid device ordinal ; GPU=3', context), /no GPU with that device number/);
  assert.equal(explainProviderFailure('dml', 'no available backend found. ERR: [dml] backend not found.', context), 'this onnxruntime-node build has no DirectML provider (Windows only)');
  assert.equal(explainProviderFailure('coreml', 'no available backend found. ERR: [coreml] backend not found.', context), 'this onnxruntime-node build has no CoreML provider (macOS only)');
});

test('runtime messages lose colour codes, status prefixes and trailing dots', () => {
  const esc = String.fromCharCode(27);
  assert.equal(cleanRuntimeMessage(`${esc}[1;31m[ONNXRuntimeError] : 1 : FAIL : Load model failed.${esc}[m`), 'Load model failed');
  assert.equal(cleanRuntimeMessage(''), 'unknown error');
  assert.equal(cleanRuntimeMessage('x'.repeat(500)).length, 400);
});
