import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RememberedDetections } from '../../../src/core/faces/remembered-detections.js';
import type { DetectedFace, FaceDetector } from '../../../src/core/faces/yunet-detector.js';
import type { PixelSource } from '../../../src/core/imaging/pixel-source.js';

/** A detector that counts its runs and fails when told to. */
class CountingDetector implements FaceDetector {
  runs = 0;
  failNext = false;
  async detect(source: PixelSource): Promise<DetectedFace[]> {
    this.runs++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('cancelled');
    }
    return [{ box: { x: 0, y: 0, width: source.width, height: source.height }, score: 0.9, landmarks: [] } as unknown as DetectedFace];
  }
}

const image = (): PixelSource => ({ width: 4, height: 4, stride: 3, maxValue: 255, data: new Uint8Array(48) });

test('each image is detected once however often its faces are asked for; another image, or a failed detection, runs again', async () => {
  const counting = new CountingDetector();
  const remembered = new RememberedDetections(counting);
  const photo = image();
  const [a, b] = await Promise.all([remembered.detect(photo), remembered.detect(photo)]);
  assert.equal(counting.runs, 1);
  assert.equal(a, b);
  // The same samples seen through another PixelSource object are the same image.
  await remembered.detect({ ...photo });
  assert.equal(counting.runs, 1);
  await remembered.detect(image());
  assert.equal(counting.runs, 2, 'another decoded image is detected');

  const other = image();
  counting.failNext = true;
  await assert.rejects(remembered.detect(other), /cancelled/);
  assert.equal((await remembered.detect(other)).length, 1, 'a failed detection is not remembered');
  assert.equal(counting.runs, 4);
});
