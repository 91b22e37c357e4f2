import type { ConversionGraph, GraphOp, RelativeScale } from './conversion-graph.js';

export interface GraphCost {
  /** Output size / input size per axis; null when a layer resizes to a fixed size. */
  scale: RelativeScale | null;
  /** 2 x multiply-adds of every convolution per input pixel, each at its own resolution; null with a fixed-size resize. */
  flopsPerInputPixel: number | null;
  /**
   * Peak float32 bytes of simultaneously live tensors per input pixel, walking the ops in order
   * and freeing each tensor after its last reader (the model input and output included).
   * An estimate: the runtime may reuse buffers or keep a few more temporaries.
   */
  activationBytesPerInputPixel: number | null;
  /** Float32 bytes of all weights as the runtime holds them (float16 weights are cast up). */
  weightBytes: number;
  parameterCount: number;
  /** How far, in input pixels, an output pixel can see (rounded up); null with a fixed-size resize. */
  receptiveFieldRadius: number | null;
}

/** Cost and reach of a converted network, for memory planning and tile overlap. */
export function analyseConversionGraph(graph: ConversionGraph): GraphCost {
  const scaleOf = (tensor: string): RelativeScale | null => graph.values.get(tensor)?.scale ?? null;
  const parameterCount = graph.ops.reduce((sum, op) => sum + parametersOf(op), 0);
  return {
    scale: scaleOf(graph.outputName),
    flopsPerInputPixel: convolutionFlops(graph, scaleOf),
    activationBytesPerInputPixel: peakActivationBytes(graph),
    weightBytes: parameterCount * 4,
    parameterCount,
    receptiveFieldRadius: receptiveFieldRadius(graph, scaleOf),
  };
}

function parametersOf(op: GraphOp): number {
  if (op.op === 'conv') return op.weight.values.length + (op.bias?.length ?? 0);
  if (op.op === 'prelu') return op.slopes.length;
  return 0;
}

function convolutionFlops(graph: ConversionGraph, scaleOf: (t: string) => RelativeScale | null): number | null {
  let flops = 0;
  for (const op of graph.ops) {
    if (op.op !== 'conv') continue;
    const scale = scaleOf(op.output);
    if (scale === null) return null;
    const macsPerOutputPixel = op.outChannels * op.inChannels * op.kernel[0] * op.kernel[1];
    flops += 2 * macsPerOutputPixel * scale.y * scale.x;
  }
  return flops;
}

function peakActivationBytes(graph: ConversionGraph): number | null {
  const bytes = new Map<string, number>();
  for (const [name, value] of graph.values) {
    if (value.scale === null) return null;
    bytes.set(name, value.channels * 4 * value.scale.y * value.scale.x);
  }
  const lastRead = new Map<string, number>();
  graph.ops.forEach((op, index) => op.inputs.forEach((t) => lastRead.set(t, index)));
  lastRead.set(graph.outputName, Number.POSITIVE_INFINITY);

  const live = new Set<string>([graph.inputName]);
  let peak = 0;
  graph.ops.forEach((op, index) => {
    live.add(op.output);
    const total = [...live].reduce((sum, t) => sum + (bytes.get(t) ?? 0), 0);
    peak = Math.max(peak, total);
    for (const t of [...live]) if ((lastRead.get(t) ?? -1) <= index) live.delete(t);
  });
  return peak;
}

function receptiveFieldRadius(graph: ConversionGraph, scaleOf: (t: string) => RelativeScale | null): number | null {
  const reach = new Map<string, RelativeScale | null>([[graph.inputName, { y: 0, x: 0 }]]);
  for (const op of graph.ops) {
    const inputReaches = op.inputs.map((t) => reach.get(t) ?? null);
    const inScale = scaleOf(op.inputs[0]!);
    if (inputReaches.includes(null) || inScale === null) {
      reach.set(op.output, null);
      continue;
    }
    const widest = (inputReaches as RelativeScale[]).reduce((a, b) => ({ y: Math.max(a.y, b.y), x: Math.max(a.x, b.x) }));
    // Each op adds its own reach, measured in pixels of its input, so divided by that input's scale.
    const own = ownReach(op);
    if (own === null) reach.set(op.output, null);
    else reach.set(op.output, { y: widest.y + own.y / inScale.y, x: widest.x + own.x / inScale.x });
  }
  const final = reach.get(graph.outputName) ?? null;
  // Rounded to 1e-9 first so 34 computed as 34.000000001 does not become 35.
  return final === null ? null : Math.ceil(Math.round(Math.max(final.y, final.x) * 1e9) / 1e9);
}

/** Pixels of its input an op looks beyond the pixel under an output pixel, per axis. */
function ownReach(op: GraphOp): RelativeScale | null {
  switch (op.op) {
    case 'conv': {
      const extentY = op.dilation[0] * (op.kernel[0] - 1);
      const extentX = op.dilation[1] * (op.kernel[1] - 1);
      const p = op.padding;
      if (p.kind !== 'explicit') return { y: Math.ceil(extentY / 2), x: Math.ceil(extentX / 2) };
      return { y: Math.max(p.top, extentY - p.top), x: Math.max(p.left, extentX - p.left) };
    }
    case 'resize':
      if (op.size !== null) return null;
      return op.mode === 'nearest' ? { y: 0, x: 0 } : op.mode === 'linear' ? { y: 1, x: 1 } : { y: 2, x: 2 };
    default:
      return { y: 0, x: 0 };
  }
}
