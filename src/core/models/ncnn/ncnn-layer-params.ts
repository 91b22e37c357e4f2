import { HeirloomError } from '../../../shared/errors.js';
import { describeLayer } from './ncnn-graph.js';
import type { NcnnLayer } from './ncnn-graph.js';

/**
 * Typed reads of one layer's params with ncnn's defaults supplied by the caller. ncnn itself
 * reinterprets bits when a float is written where an int is expected; we convert instead, and
 * refuse only what has no sensible reading (3.5 channels, an array where a number belongs).
 */
export class NcnnLayerParams {
  constructor(
    private readonly layer: NcnnLayer,
    private readonly paramFile: string,
  ) {}

  has(id: number): boolean {
    return this.layer.params.has(id);
  }

  int(id: number, fallback: number): number {
    const param = this.layer.params.get(id);
    if (param === undefined) return fallback;
    if ((param.kind === 'int' || param.kind === 'float') && Number.isInteger(param.value)) return param.value;
    throw this.invalid(id, 'a whole number');
  }

  float(id: number, fallback: number): number {
    const param = this.layer.params.get(id);
    if (param === undefined) return fallback;
    if (param.kind === 'int' || param.kind === 'float') return Math.fround(param.value);
    throw this.invalid(id, 'a number');
  }

  /** An array param (`-233xx=n,...`), as float32 values the way ncnn holds them; empty when absent. */
  floats(id: number): number[] {
    const param = this.layer.params.get(id);
    if (param === undefined) return [];
    if (param.kind === 'array') return param.values.map((v) => Math.fround(v));
    throw this.invalid(id, `an array (written -${23300 + id}=count,v1,v2,...)`);
  }

  private invalid(id: number, expected: string): HeirloomError {
    return new HeirloomError(
      'MODEL_INVALID',
      `Layer ${describeLayer(this.layer)} (line ${this.layer.line}) in ${this.paramFile} has param ${id} that is not ${expected}; the .param file is damaged or was written for another ncnn layer version.`,
      { file: this.paramFile },
    );
  }
}
