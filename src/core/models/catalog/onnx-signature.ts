import { HeirloomError } from '../../../shared/errors.js';
import type { ModelTask } from '../../../shared/model-manifest.js';
import { ModelSession, type TensorInfo } from '../../inference/ort-backend.js';

/** What an ONNX file declares, plus (for upscalers) the scale measured by running it once. */
export interface OnnxSignature {
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  /** Output side / input side from a 32x32 probe run, when one was asked for and possible. */
  probedScale?: number;
}

/** The parts of a signature the manifest needs, once it has been checked against a task. */
export interface CheckedSignature {
  inputName: string;
  outputName: string;
  /** Fixed square spatial size (face models). */
  size?: [number, number];
  /** Names of scalar side inputs, fed as the fidelity weight. */
  fidelityInputs: string[];
}

const YUNET_OUTPUTS = ['cls_8', 'cls_16', 'cls_32', 'obj_8', 'obj_16', 'obj_32', 'bbox_8', 'bbox_16', 'bbox_32', 'kps_8', 'kps_16', 'kps_32'];
const PROBE_SIDE = 32;

/** Opens the model once on the CPU to read its declared inputs and outputs (and optionally probe its scale). */
export async function readOnnxSignature(path: string, options: { probeScale?: boolean } = {}): Promise<OnnxSignature> {
  let session: ModelSession;
  try {
    session = await ModelSession.open(path, { provider: 'cpu', threads: 1 });
  } catch (error) {
    throw new HeirloomError('MODEL_INVALID', `${path} is not an ONNX model ONNX Runtime can load (${(error as Error).message.split('\n')[0]}).`, { file: path, cause: error });
  }
  try {
    const signature: OnnxSignature = { inputs: session.inputs, outputs: session.outputs };
    const image = imageTensors(session.inputs)[0];
    if (!options.probeScale || !image || session.inputs.length !== 1 || typeof image.shape[2] === 'number') return signature;
    const dims = [1, 3, PROBE_SIDE, PROBE_SIDE];
    const result = await session.run({ [image.name]: { data: new Float32Array(3 * PROBE_SIDE * PROBE_SIDE), dims } });
    const out = Object.values(result)[0];
    const h = out?.dims[2];
    const w = out?.dims[3];
    if (typeof h === 'number' && h === w && h % PROBE_SIDE === 0) signature.probedScale = h / PROBE_SIDE;
    return signature;
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    throw new HeirloomError('MODEL_INVALID', `${path} failed a test run on a ${PROBE_SIDE}x${PROBE_SIDE} image (${(error as Error).message.split('\n')[0]}).`, { file: path, cause: error });
  } finally {
    await session.dispose();
  }
}

/** float32 4-D tensors with 3 channels (NCHW images). */
function imageTensors(tensors: readonly TensorInfo[]): TensorInfo[] {
  return tensors.filter((t) => t.type === 'float32' && t.shape.length === 4 && (t.shape[1] === 3 || typeof t.shape[1] === 'string'));
}

function isScalarLike(t: TensorInfo): boolean {
  return (t.type === 'float32' || t.type === 'float64') && t.shape.length <= 1 && t.shape.every((d) => d === 1 || typeof d === 'string');
}

function describe(t: TensorInfo): string {
  return `${t.name} ${t.type}[${t.shape.join(',')}]`;
}

/** The task a model's signature suggests, for imports that do not say. */
export function guessTask(signature: OnnxSignature): ModelTask {
  const names = new Set(signature.outputs.map((o) => o.name));
  if (YUNET_OUTPUTS.every((n) => names.has(n))) return 'face-detect';
  const image = imageTensors(signature.inputs)[0];
  const h = image?.shape[2];
  if (image && typeof h === 'number' && h === image.shape[3] && [256, 512, 1024].includes(h)) return 'face-restore';
  return 'restore-upscale';
}

/**
 * Checks a model's declared inputs and outputs against what Heirloom feeds a model of this
 * task, and names the tensors the manifest must point at. Throws MODEL_INVALID with the
 * reason and what the model declares.
 */
export function checkSignature(task: ModelTask, signature: OnnxSignature, file: string): CheckedSignature {
  const declared = `it declares inputs ${signature.inputs.map(describe).join(', ') || 'none'} and outputs ${signature.outputs.map(describe).join(', ') || 'none'}`;
  const refuse = (problem: string) => new HeirloomError('MODEL_INVALID', `${file} is not a usable ${task} model: ${problem}; ${declared}.`, { file });
  const images = imageTensors(signature.inputs);
  if (images.length !== 1) throw refuse('it needs exactly one float32 N x 3 x H x W image input');
  const input = images[0]!;
  const others = signature.inputs.filter((t) => t !== input);

  switch (task) {
    case 'face-detect': {
      const names = new Set(signature.outputs.map((o) => o.name));
      const missing = YUNET_OUTPUTS.filter((n) => !names.has(n));
      if (missing.length > 0) throw refuse(`face detection expects YuNet's outputs, missing ${missing.join(', ')}`);
      if (others.length > 0) throw refuse('a face detector takes only the image');
      return { inputName: input.name, outputName: 'cls_8', fidelityInputs: [] };
    }
    case 'face-restore': {
      const [, , h, w] = input.shape;
      if (typeof h !== 'number' || h !== w) throw refuse('a face model needs a fixed square input (N x 3 x S x S)');
      if (!others.every(isScalarLike) || others.length > 1) throw refuse('besides the image, a face model may only take one scalar fidelity weight');
      const output = imageTensors(signature.outputs).find((o) => o.shape[2] === h && o.shape[3] === w) ?? imageTensors(signature.outputs).find((o) => typeof o.shape[2] !== 'number');
      if (!output) throw refuse(`no N x 3 x ${h} x ${w} float32 output`);
      return { inputName: input.name, outputName: output.name, size: [h, h], fidelityInputs: others.map((o) => o.name) };
    }
    case 'restore-upscale': {
      if (others.length > 0) throw refuse('an upscaler takes only the image');
      if (typeof input.shape[2] === 'number' || typeof input.shape[3] === 'number') throw refuse('Heirloom tiles photos, so the model must accept any height and width (dynamic H and W)');
      const outputs = imageTensors(signature.outputs);
      if (outputs.length !== 1) throw refuse('it needs exactly one float32 N x 3 x H x W output');
      return { inputName: input.name, outputName: outputs[0]!.name, fidelityInputs: [] };
    }
    case 'damage-detect': {
      if (others.length > 0) throw refuse('a damage detector takes only the image');
      if (typeof input.shape[2] === 'number' || typeof input.shape[3] === 'number') throw refuse('Heirloom tiles photos, so the detector must accept any height and width (dynamic H and W)');
      const masks = signature.outputs.filter((t) => t.type === 'float32' && t.shape.length === 4 && (t.shape[1] === 1 || typeof t.shape[1] === 'string'));
      if (masks.length !== 1) throw refuse('it needs exactly one float32 N x 1 x H x W mask output');
      return { inputName: input.name, outputName: masks[0]!.name, fidelityInputs: [] };
    }
  }
}
