import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderName } from '../../shared/devices.js';
import type { ModelSession } from '../inference/ort-backend.js';
import type { ProbeOutcome } from './discovery-sources.js';
import { cudaProviderLibraries, explainProviderFailure } from './explain-provider-failure.js';

const PROBE_SIDE = 8;

/**
 * Whether a provider can really run here: opens a session with a tiny model on it, runs one
 * batch and checks the result. Listing a backend (listSupportedBackends) only says the build
 * knows it; the probe says the libraries, driver and device are there. A probe costs a session
 * open (for CUDA, a context: about a second), so each (provider, device) is probed once per
 * instance and the composition root keeps one instance per process.
 */
export class ProviderProbe {
  private readonly results = new Map<string, Promise<ProbeOutcome>>();
  private model: Uint8Array | undefined;

  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  /** Bound so it can be handed around as a SessionProber. */
  readonly probe = (provider: ProviderName, deviceId: number | undefined): Promise<ProbeOutcome> => {
    const key = `${provider}:${deviceId ?? 'default'}`;
    let result = this.results.get(key);
    if (!result) {
      result = this.run(provider, deviceId);
      this.results.set(key, result);
    }
    return result;
  };

  private async run(provider: ProviderName, deviceId: number | undefined): Promise<ProbeOutcome> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    let session: ModelSession | undefined;
    // The runtime and the probe model's protobuf library load only when a probe really runs.
    const [{ ModelSession, runtimeLibraryDir }, { buildProbeModel, PROBE_INPUT, PROBE_OUTPUT }] = await Promise.all([import('../inference/ort-backend.js'), import('./probe-model.js')]);
    try {
      this.model ??= buildProbeModel();
      session = await ModelSession.open(this.model, { provider, ...(deviceId === undefined ? {} : { deviceId }), threads: 1 });
      const input = new Float32Array(3 * PROBE_SIDE * PROBE_SIDE).map((_, i) => (i % 97) / 97);
      const output = (await session.run({ [PROBE_INPUT]: { data: input, dims: [1, 3, PROBE_SIDE, PROBE_SIDE] } }))[PROBE_OUTPUT];
      const wrong = !output || output.data.length !== input.length || output.data.some((v, i) => Math.abs(v - input[i]!) > 1e-2);
      if (wrong) return { ok: false, reason: 'the provider opened but computed a wrong result on a test convolution', ms: ms() };
      return { ok: true, ms: ms() };
    } catch (error) {
      const libraryDir = runtimeLibraryDir();
      const missingLibraries = provider === 'cuda' ? cudaProviderLibraries(this.platform).filter((f) => !existsSync(join(libraryDir, f))) : [];
      return { ok: false, reason: explainProviderFailure(provider, (error as Error).message ?? String(error), { missingLibraries, libraryDir }), ms: ms() };
    } finally {
      await session?.dispose().catch(() => undefined);
    }
  }
}
