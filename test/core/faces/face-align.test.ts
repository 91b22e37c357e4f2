import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { alignFace, inverseWarp } from '../../../src/core/faces/face-align.js';
import { applyAffine } from '../../../src/core/faces/face-geometry.js';
import { faceTemplate } from '../../../src/core/faces/face-template.js';
import { YuNetDetector, type DetectedFace } from '../../../src/core/faces/yunet-detector.js';
import { FaceTemplateSchema } from '../../../src/shared/model-manifest.js';
import type { DecodedImage } from '../../../src/core/imaging/codec.js';
import { loadFixture, openYuNet } from './face-test-helpers.js';

const FACE_TEMPLATES = FaceTemplateSchema.options;

function psnr(image: DecodedImage, back: { data: Float32Array }, region: { x: number; y: number; width: number; height: number }): number {
  const plane = region.width * region.height;
  let squared = 0;
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      for (let c = 0; c < 3; c++) {
        const original = image.pixels.data[((region.y + y) * image.width + region.x + x) * 3 + c]! / 255;
        squared += (original - back.data[c * plane + y * region.width + x]!) ** 2;
      }
    }
  }
  return 10 * Math.log10(1 / (squared / (plane * 3)));
}

describe('face alignment', () => {
  let session: ModelSession;
  let image: DecodedImage;
  let face: DetectedFace;
  before(async () => {
    session = await openYuNet();
    image = await loadFixture('astronaut.png');
    [face] = (await new YuNetDetector(session).detect(image.pixels)) as [DetectedFace];
  });
  after(async () => {
    await session.dispose();
  });

  it('puts the detected landmarks near the points of either template', () => {
    for (const template of FACE_TEMPLATES) {
      for (const size of [256, 512]) {
        const aligned = alignFace(image.pixels, face.landmarks, { size, template });
        const points = faceTemplate(template, size);
        face.landmarks.forEach((p, i) => {
          const q = applyAffine(aligned.toCrop, p);
          // A similarity cannot match five detected points exactly; on a frontal face the residual
          // is small (largest at the mouth with arcface_128, whose mouth sits lower than this face's: 3.2 % of the crop).
          assert.ok(Math.hypot(q.x - points[i]!.x, q.y - points[i]!.y) < size * 0.04, `${template} ${size}: landmark ${i} lands ${q.x.toFixed(1)},${q.y.toFixed(1)}`);
        });
      }
    }
  });

  it('round-trips the face region (align, then inverse-warp) at 35 dB or better with either template', () => {
    for (const template of FACE_TEMPLATES) {
      for (const size of [512, 256]) {
        const aligned = alignFace(image.pixels, face.landmarks, { size, template });
        const region = { x: Math.round(face.box.x + 6), y: Math.round(face.box.y + 10), width: Math.round(face.box.width - 12), height: Math.round(face.box.height - 16) };
        const back = inverseWarp(aligned.crop, aligned.toCrop, region);
        const db = psnr(image, back, region);
        assert.ok(db >= 35, `PSNR ${db.toFixed(1)} dB at crop ${size} (${template})`);
      }
    }
  });

  it('shrinks a face that is larger in the photo than the crop without overshoot', () => {
    // The 90 px astronaut face into a 64 px crop (box-prefiltered): values stay in 0..1 and
    // the round trip keeps the face's coarse structure but, at that size, not its detail.
    const aligned = alignFace(image.pixels, face.landmarks, { size: 64, template: 'ffhq' });
    assert.ok(aligned.crop.data.every((v) => v >= 0 && v <= 1));
    const region = { x: 200, y: 95, width: 40, height: 40 };
    const db = psnr(image, inverseWarp(aligned.crop, aligned.toCrop, region), region);
    assert.ok(db > 22 && db < 35, `a 64 px crop keeps the face only roughly: ${db.toFixed(1)} dB`);
  });
});

describe('a face at the photo\'s edge', () => {
  it('is cropped with the edge pixels replicated, not mirrored', () => {
    // Every column has its own colour (rows are alike), so a crop pixel beyond the left edge
    // shows which photo column it came from: column 0 when replicated, column |x| when mirrored.
    const width = 200;
    const height = 200;
    const data = new Uint8Array(width * height * 3);
    const column = (x: number) => [40 + x, 230 - x, (17 + 3 * x) % 256];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data.set(column(x), (y * width + x) * 3);
    }
    const photo = { width, height, stride: 3, data, maxValue: 255 };
    // The template at a quarter of its size, shifted 40 px past the left edge: the left eye is
    // 8 px inside the photo, the crop's first 160 columns come from outside it.
    const landmarks = faceTemplate('ffhq', 512).map((p) => ({ x: p.x / 4 - 40, y: p.y / 4 + 30 }));
    const aligned = alignFace(photo, landmarks, { size: 512, template: 'ffhq' });
    const plane = 512 * 512;
    const edge = column(0).map((v) => v / 255);
    let outside = 0;
    for (let v = 0; v < 512; v += 5) {
      for (let u = 0; u < 512; u++) {
        // Crop column u samples photo x = u / 4 - 40; every bicubic tap is left of the photo when x < -1.
        if (u / 4 - 40 >= -1) break;
        outside++;
        for (let c = 0; c < 3; c++) {
          const got = aligned.crop.data[c * plane + v * 512 + u]!;
          assert.ok(Math.abs(got - edge[c]!) < 1e-6, `crop ${u},${v} channel ${c}: ${(got * 255).toFixed(1)}, the edge pixel is ${edge[c]! * 255}`);
        }
      }
    }
    assert.ok(outside > 100 * 150, `the crop reaches past the photo's edge (${outside} pixels checked)`);
    // Inside the photo the crop still follows the columns: x = 60 is column 60.
    assert.ok(Math.abs(aligned.crop.data[256 * 512 + 400]! - column(60)[0]! / 255) < 1e-6);
  });
});
