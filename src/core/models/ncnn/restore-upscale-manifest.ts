import { createHash } from 'node:crypto';
import type { ModelManifest } from '../../../shared/model-manifest.js';
import { ModelManifestSchema } from '../../../shared/model-manifest.js';
import type { NcnnConversion } from './convert-ncnn-to-onnx.js';

export const MODEL_FILE_NAME = 'model.onnx';

/**
 * Overlap beyond this is not worth its cost: the theoretical receptive field of deep networks
 * (hundreds of pixels for RRDBNet) is far wider than what measurably changes the output.
 * The lead tunes the real value by measuring tiled-vs-whole PSNR.
 */
export const MAX_TILE_OVERLAP = 32;

export interface RestoreUpscaleManifestInput {
  id: string;
  name: string;
  scale: number;
  conversion: NcnnConversion;
  licence: ModelManifest['licence'];
  source: 'bundled' | 'imported';
  origin: string;
  /** Measured context a tile needs (see scripts/convert-models.ts); else from the receptive field. */
  tileOverlap?: number;
}

/** The manifest of a converted restore-upscale model (RGB 0..1 in and out, like Real-ESRGAN). */
export function buildRestoreUpscaleManifest(input: RestoreUpscaleManifestInput): ModelManifest {
  const { conversion } = input;
  const { cost } = conversion;
  const manifest = {
    id: input.id,
    name: input.name,
    task: 'restore-upscale',
    scale: input.scale,
    file: MODEL_FILE_NAME,
    sha256: createHash('sha256').update(conversion.onnx).digest('hex'),
    sizeBytes: conversion.onnx.byteLength,
    input: { name: conversion.graph.inputName, layout: 'NCHW', channels: 'RGB', range: [0, 1] },
    output: { name: conversion.graph.outputName, range: [0, 1] },
    tileOverlap: input.tileOverlap ?? Math.min(cost.receptiveFieldRadius ?? MAX_TILE_OVERLAP, MAX_TILE_OVERLAP),
    weightsPrecision: conversion.weightsPrecision,
    ...(cost.flopsPerInputPixel !== null && cost.activationBytesPerInputPixel !== null
      ? {
          cost: {
            flopsPerInputPixel: cost.flopsPerInputPixel,
            activationBytesPerInputPixel: cost.activationBytesPerInputPixel,
            weightBytes: cost.weightBytes,
          },
        }
      : {}),
    licence: input.licence,
    source: input.source,
    origin: input.origin,
  };
  return ModelManifestSchema.parse(manifest);
}
