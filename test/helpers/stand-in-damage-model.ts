/**
 * A stand-in damage detector for tests, with the bundled detector's signature (image in,
 * N x 1 x H x W mask out, dynamic H and W): it marks near-white pixels (the brightest channel
 * above 0.85) as damage, so a test that draws white scratches knows exactly what is found.
 */
import { join } from 'node:path';
import { DEFAULT_DAMAGE_MODEL_ID } from '../../src/core/repair/damage-detector.js';
import type { ModelManifest } from '../../src/shared/model-manifest.js';
import { encodeModel, FLOAT, onnx, tensorValue } from './onnx-builder.js';
import { installTestModel } from './install-test-model.js';

export function buildStandInDamageModel(): Uint8Array {
  const scalar = (name: string, value: number) => ({ name, dataType: FLOAT, dims: [], floatData: [value] });
  return encodeModel({
    name: 'stand_in_damage',
    node: [
      { opType: 'ReduceMax', input: ['image'], output: ['brightest'], attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }, { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      { opType: 'Sub', input: ['brightest', 'threshold'], output: ['above'] },
      { opType: 'Mul', input: ['above', 'steepness'], output: ['logit'] },
      { opType: 'Sigmoid', input: ['logit'], output: ['mask'] },
    ],
    initializer: [scalar('threshold', 0.85), scalar('steepness', 200)],
    input: [tensorValue('image', ['batch', 3, 'height', 'width'])],
    output: [tensorValue('mask', ['batch', 1, 'height', 'width'])],
  });
}

/** Installs the stand-in under the bundled detector's id in `<home>/models`, where it takes precedence. */
export function installStandInDamageModel(home: string, manifest: Partial<ModelManifest> = {}): ModelManifest {
  return installTestModel(join(home, 'models'), {
    id: DEFAULT_DAMAGE_MODEL_ID,
    name: 'Near-white detector (test stand-in)',
    bytes: buildStandInDamageModel(),
    scale: 1,
    tileOverlap: 0,
    manifest: { task: 'damage-detect', input: { name: 'image', layout: 'NCHW', channels: 'RGB', range: [0, 1] }, output: { name: 'mask', range: [0, 1] }, sizeMultiple: 8, cost: { flopsPerInputPixel: 10, activationBytesPerInputPixel: 32, weightBytes: 0 }, ...manifest },
  });
}
