/**
 * The NCNN network as written in a text .param file, before any interpretation:
 * layers in file order (which NCNN guarantees is a topological order) with their raw params.
 */

/** One `key=value` of a layer line; ncnn decides int or float by the presence of '.', 'e' or 'E'. */
export type NcnnParamValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'array'; values: number[]; float: boolean }
  | { kind: 'string'; value: string };

export interface NcnnLayer {
  type: string;
  name: string;
  bottoms: string[];
  tops: string[];
  /** Param id (0..31) to value; arrays are stored under their id, not the -233xx key. */
  params: ReadonlyMap<number, NcnnParamValue>;
  /** 1-based line in the .param file, for messages. */
  line: number;
}

export interface NcnnGraph {
  layers: NcnnLayer[];
  blobCount: number;
}

/** `Convolution "Conv_0"`: how every message names a layer. */
export function describeLayer(layer: Pick<NcnnLayer, 'type' | 'name'>): string {
  return `${layer.type} "${layer.name}"`;
}
