/**
 * OpenCV (the WebAssembly build from @techstark/opencv-js, no native code) loaded once, on
 * first use. The package's module object is an Emscripten "thenable" that calls back when its
 * runtime is ready; a promise resolved with a thenable adopts it instead of returning it, so
 * once ready its `then` is removed and the module itself is what the promise holds.
 *
 * Only the few functions repair uses are typed here (the package's own types come from an
 * unmaintained generator). Every Mat made must be `.delete()`d: they live in the WASM heap.
 */
import { createRequire } from 'node:module';

export interface CvMat {
  readonly data: Uint8Array;
  readonly data16U: Uint16Array;
  readonly data32F: Float32Array;
  rows: number;
  cols: number;
  type(): number;
  delete(): void;
}

export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  CV_8UC1: number;
  CV_8UC3: number;
  CV_16UC1: number;
  CV_32FC1: number;
  INPAINT_TELEA: number;
  INPAINT_NS: number;
  inpaint(src: CvMat, mask: CvMat, dst: CvMat, radius: number, flags: number): void;
  Size: new (width: number, height: number) => unknown;
  BORDER_REFLECT_101: number;
  GaussianBlur(src: CvMat, dst: CvMat, size: unknown, sigmaX: number, sigmaY: number, borderType: number): void;
  /** Turns the number a failed call throws (a pointer into the WASM heap) into its message. */
  exceptionFromPtr?(ptr: number): { msg: string };
}

interface EmscriptenModule {
  then?: (callback: (module: unknown) => void) => void;
}

let loading: Promise<OpenCv> | undefined;

/**
 * The module object itself, never through import(): a bundler's import() wraps it in a
 * namespace that copies `then`, and awaiting that recurses forever. In the app's CommonJS
 * bundle `require` exists and esbuild bundles this literal require (only native modules ship
 * beside the bundle); under plain Node ESM (the CLI, the tests) createRequire loads it.
 */
function requireOpenCv(): EmscriptenModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (typeof require === 'function') return require('@techstark/opencv-js') as EmscriptenModule;
  return createRequire(import.meta.url)('@techstark/opencv-js') as EmscriptenModule;
}

/** The OpenCV module, initialised once per process (about 0.3 s the first time). */
export function loadOpenCv(): Promise<OpenCv> {
  loading ??= new Promise<OpenCv>((resolve, reject) => {
    try {
      const module = requireOpenCv();
      const ready = () => {
        delete module.then;
        resolve(module as unknown as OpenCv);
      };
      if (module.then) module.then(ready);
      else ready();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  return loading;
}

/** OpenCV throws bare numbers from WASM; this turns one into an Error with OpenCV's message. */
export function openCvError(cv: OpenCv, thrown: unknown): Error {
  if (typeof thrown === 'number' && cv.exceptionFromPtr) return new Error(`OpenCV: ${cv.exceptionFromPtr(thrown).msg.trim()}`);
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
