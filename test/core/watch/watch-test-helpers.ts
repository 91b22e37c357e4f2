import { join } from 'node:path';
import { installTestModel } from '../../helpers/install-test-model.js';
import type { WatchEvent } from '../../../src/shared/watch.js';
import { buildStandInUpscaleModel } from '../models/catalog/stand-in-upscale-model.js';

export const STAND_IN_MODEL = 'stand-in-up2';

/** A 2x nearest-neighbour ONNX model installed into a home's models folder: real ONNX Runtime, milliseconds per photo. */
export function installStandInUpscaler(home: string): void {
  const bytes = buildStandInUpscaleModel({ scale: 2 });
  installTestModel(join(home, 'models'), { id: STAND_IN_MODEL, name: 'Stand-in 2x upscaler (tests only)', bytes, scale: 2, tileOverlap: 0 });
}

/** Collects a service's events and waits for one that matches. */
export class EventLog {
  readonly events: WatchEvent[] = [];
  readonly push = (event: WatchEvent): void => {
    this.events.push(event);
  };

  async waitFor(predicate: (event: WatchEvent) => boolean, timeoutMs = 20_000, from = 0): Promise<WatchEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found) return found;
      if (Date.now() > end) throw new Error(`No matching event in ${timeoutMs} ms; got: ${this.events.map((e) => (e.type === 'watch' ? `watch:${e.kind}` : e.type)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
