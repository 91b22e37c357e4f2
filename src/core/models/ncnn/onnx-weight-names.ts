/**
 * Initializer names in the converted ONNX file, keyed by the NCNN layer name, so the weights can
 * be found again (the reference implementation reads them back to check a bundled model).
 */
export const onnxWeightNames = {
  convWeight: (layer: string): string => `${layer}.weight`,
  /** The stored half-precision kernel, cast to float32 (convWeight) inside the graph. */
  convWeightFloat16: (layer: string): string => `${layer}.weight.fp16`,
  convBias: (layer: string): string => `${layer}.bias`,
  preluSlope: (layer: string): string => `${layer}.slope`,
} as const;
