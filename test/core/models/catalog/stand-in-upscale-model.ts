/**
 * Small generated ONNX models for model-manager tests: a nearest-neighbour upscaler with
 * dynamic N, H, W (a stand-in for Real-ESRGAN's signature), and variants with signatures
 * Heirloom must refuse.
 */
import { encodeModel, stringAttribute, tensorValue, FLOAT } from '../../../helpers/onnx-builder.js';

type Dim = number | string;

/** RGB in, RGB out, `scale` times larger (Resize, nearest). `fixedSide` fixes H and W instead of leaving them dynamic. */
export function buildStandInUpscaleModel(options: { scale?: number; channels?: number; fixedSide?: number } = {}): Uint8Array {
  const scale = options.scale ?? 2;
  const channels = options.channels ?? 3;
  const h: Dim = options.fixedSide ?? 'height';
  const w: Dim = options.fixedSide ?? 'width';
  return encodeModel({
    name: 'stand_in_upscale',
    node: [{ opType: 'Resize', input: ['input', '', 'scales'], output: ['output'], attribute: [stringAttribute('mode', 'nearest')] }],
    initializer: [{ name: 'scales', dataType: FLOAT, dims: [4], floatData: [1, 1, scale, scale] }],
    input: [tensorValue('input', ['batch', channels, h, w])],
    output: [tensorValue('output', ['batch', channels, 'out_height', 'out_width'])],
  });
}
