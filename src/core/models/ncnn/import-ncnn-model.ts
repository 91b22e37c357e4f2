import { basename, extname } from 'node:path';
import { HeirloomError } from '../../../shared/errors.js';
import type { ModelManifest } from '../../../shared/model-manifest.js';
import { ModelManifestSchema } from '../../../shared/model-manifest.js';
import type { NcnnConversion } from './convert-ncnn-to-onnx.js';
import { convertNcnnToOnnx } from './convert-ncnn-to-onnx.js';
import { installModelDir } from '../catalog/install-model-dir.js';
import { modelIdFromFileName } from './model-id-from-file-name.js';
import { readNcnnSource } from './read-ncnn-source.js';
import { MODEL_FILE_NAME, buildRestoreUpscaleManifest } from './restore-upscale-manifest.js';

export interface ImportNcnnModelOptions {
  paramPath: string;
  binPath: string;
  /** The folder holding one sub-folder per installed model. */
  modelsDir: string;
  /** Defaults to the .param file name, made into a valid manifest id. */
  id?: string;
  /** Checked against the scale the graph implies (PixelShuffle factors, Interp scales). */
  scale?: number;
  /** Display name; defaults to the file name with "(imported)". */
  name?: string;
  overwrite?: boolean;
  licence?: ModelManifest['licence'];
}

const ID_PATTERN = ModelManifestSchema.shape.id;

/**
 * `heirloom models import <model.param> <model.bin> [--id ID] [--scale N]`: converts an ncnn
 * restore-upscale network (RGB 0..1 in, RGB 0..1 out, Real-ESRGAN style) to ONNX and installs
 * it as `<modelsDir>/<id>/` with model.onnx and manifest.json, atomically.
 */
export async function importNcnnModel(options: ImportNcnnModelOptions): Promise<ModelManifest> {
  const id = options.id ?? modelIdFromFileName(options.paramPath);
  if (!ID_PATTERN.safeParse(id).success) {
    throw new HeirloomError('USAGE', `"${id}" cannot be a model id: use 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.`);
  }
  const source = await readNcnnSource(options.paramPath, options.binPath);
  const conversion = convertNcnnToOnnx(source);
  const paramFile = options.paramPath;
  if (conversion.inputChannels !== 3 || conversion.outputChannels !== 3) {
    throw new HeirloomError(
      'MODEL_CONVERSION_FAILED',
      `${paramFile} takes ${conversion.inputChannels} channels and returns ${conversion.outputChannels}; Heirloom's restore models take and return RGB (3 channels).`,
      { file: paramFile },
    );
  }
  const scale = checkedScale(conversion, options.scale, paramFile);
  const stem = basename(paramFile, extname(paramFile));
  const manifest = buildRestoreUpscaleManifest({
    id,
    name: options.name ?? `${stem} (imported)`,
    scale,
    conversion,
    licence: options.licence ?? { name: 'unknown', source: `user-supplied file ${basename(paramFile)}` },
    source: 'imported',
    origin: `Imported with "heirloom models import" from ${basename(paramFile)} (sha256 ${conversion.paramSha256}) and ${basename(options.binPath)} (sha256 ${conversion.binSha256}).`,
  });
  await installModelDir(
    options.modelsDir,
    id,
    [
      { name: MODEL_FILE_NAME, contents: conversion.onnx },
      { name: 'manifest.json', contents: `${JSON.stringify(manifest, null, 2)}\n` },
    ],
    { replace: options.overwrite === true },
  );
  return manifest;
}

/** The graph's own upscale factor, which a given --scale must agree with. */
function checkedScale(conversion: NcnnConversion, requested: number | undefined, paramFile: string): number {
  const scale = conversion.cost.scale;
  const refuse = (problem: string): HeirloomError =>
    new HeirloomError('MODEL_CONVERSION_FAILED', `${paramFile} cannot be used to restore tiles of any size: ${problem}.`, { file: paramFile });
  if (scale === null) throw refuse('it resizes to a fixed output size');
  if (scale.x !== scale.y) throw refuse(`it scales width by ${scale.x} but height by ${scale.y}`);
  if (!Number.isInteger(scale.x) || scale.x < 1 || scale.x > 8) throw refuse(`its scale ${scale.x} is not a whole factor from 1 to 8`);
  if (requested !== undefined && requested !== scale.x) {
    throw new HeirloomError(
      'USAGE',
      `--scale ${requested} contradicts ${paramFile}, whose layers upscale by ${scale.x}; leave --scale out or give ${scale.x}.`,
      { file: paramFile },
    );
  }
  return scale.x;
}
