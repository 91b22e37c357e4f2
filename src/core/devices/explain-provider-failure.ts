import type { ProviderName } from '../../shared/devices.js';

/** Native libraries the CUDA provider needs beside onnxruntime-node's own (installed only with --onnxruntime-node-install=cuda12). */
export function cudaProviderLibraries(platform: NodeJS.Platform): string[] {
  return platform === 'win32'
    ? ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll']
    : ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
}

const INSTALL_CUDA = 'install them with "npm install --onnxruntime-node-install=cuda12" (needs CUDA 12 and cuDNN 9; see docs/gpu.md)';

/**
 * Turns a session-open error into a reason a user can act on. ONNX Runtime's messages carry
 * source paths and assertion text ("webgpu_context.cc:136 ... was false. Failed to get a
 * WebGPU adapter"), and the CUDA one says only "Failed to load shared library".
 */
export function explainProviderFailure(provider: ProviderName, error: string, context: { missingLibraries: string[]; libraryDir: string }): string {
  const text = cleanRuntimeMessage(error);
  switch (provider) {
    case 'cuda':
      if (context.missingLibraries.length > 0) {
        return `the CUDA provider libraries are not installed (${context.missingLibraries.join(', ')} missing from ${context.libraryDir}); ${INSTALL_CUDA}`;
      }
      if (/failed to load|cannot open shared object|loadlibrary|error 126/i.test(text)) {
        return `the CUDA provider is installed but cannot load its dependencies: the CUDA 12 runtime, cuDNN 9 or a recent NVIDIA driver is missing (${text})`;
      }
      if (/no cuda-capable device|cudaErrorNoDevice|CUDA failure 100\b/i.test(text)) {
        return `no CUDA-capable GPU is visible: the NVIDIA driver is not loaded or CUDA_VISIBLE_DEVICES hides it (${text})`;
      }
      if (/invalid device ordinal|CUDA failure 101\b/i.test(text)) return `CUDA has no GPU with that device number (${text})`;
      if (/driver version is insufficient|CUDA failure 35\b/i.test(text)) return `the NVIDIA driver is too old for CUDA 12; update it (${text})`;
      return text;
    case 'webgpu':
      if (/adapter/i.test(text)) {
        return `${text} (no Vulkan, Direct3D 12 or Metal driver that WebGPU can use was found; on Linux install the GPU's Vulkan driver, e.g. mesa-vulkan-drivers or the vendor's)`;
      }
      return text;
    case 'dml':
    case 'coreml':
      if (/backend not found/i.test(text)) return `this onnxruntime-node build has no ${provider === 'dml' ? 'DirectML provider (Windows only)' : 'CoreML provider (macOS only)'}`;
      return text;
    case 'cpu':
      return text;
  }
}

/** Drops source locations, assertion text and ONNX Runtime's status prefixes; keeps the message. */
export function cleanRuntimeMessage(error: string): string {
  // ONNX Runtime colours its log lines; the escape character is built, not written, for the linter.
  let text = error.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const afterAssertion = /\bwas false\.\s*([\s\S]+)$/.exec(text);
  if (afterAssertion) text = afterAssertion[1]!;
  text = text.replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/g, '').replace(/^\S+\.(?:cc|cpp|h):\d+\s+/, '');
  text = text.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '');
  return text.length > 400 ? `${text.slice(0, 397)}...` : text || 'unknown error';
}
