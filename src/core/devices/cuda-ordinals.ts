/**
 * Which CUDA device ordinal (ORT's CUDA `deviceId`) each NVIDIA GPU gets, by PCI bus id.
 *
 * CUDA numbers GPUs fastest-first by default, nvidia-smi by PCI bus, and systeminformation in
 * whatever order lspci / WMI list them, so list positions must never be passed to the runtime.
 * With CUDA_DEVICE_ORDER=PCI_BUS_ID (which DeviceService sets when the user has not chosen),
 * ordinal i is the i-th GPU in bus order among those CUDA_VISIBLE_DEVICES lets through.
 */
export interface CudaOrdinals {
  byBusId: Map<string, number>;
  /** Why some or all GPUs got no ordinal, for the device list and warnings. */
  problem?: string;
}

export function cudaOrdinals(busIds: readonly string[], env: Record<string, string | undefined>): CudaOrdinals {
  const sorted = [...new Set(busIds)].sort();
  const byBusId = new Map<string, number>();
  const order = env.CUDA_DEVICE_ORDER;
  const visible = env.CUDA_VISIBLE_DEVICES;

  if (order !== undefined && order !== 'PCI_BUS_ID') {
    if (sorted.length === 1 && visible === undefined) {
      byBusId.set(sorted[0]!, 0);
      return { byBusId };
    }
    return { byBusId, problem: `CUDA_DEVICE_ORDER=${order} numbers GPUs in an order that cannot be tied to their PCI bus ids; unset it or set it to PCI_BUS_ID to use CUDA on these GPUs.` };
  }
  if (visible === undefined) {
    sorted.forEach((bus, ordinal) => byBusId.set(bus, ordinal));
    return { byBusId };
  }
  // CUDA's own rule: the listed devices are renumbered 0.. in the listed order, and the list
  // ends at the first entry that is not a valid device.
  const tokens = visible.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const token of tokens) {
    if (!/^\d+$/.test(token)) {
      return { byBusId, problem: `CUDA_VISIBLE_DEVICES="${visible}" names GPUs by UUID or MIG instance, which Heirloom cannot tie to PCI bus ids; use indices (0,1,...) in PCI bus order or unset it.` };
    }
    const bus = sorted[Number(token)];
    if (bus === undefined || byBusId.has(bus)) break;
    byBusId.set(bus, byBusId.size);
  }
  if (byBusId.size < sorted.length) {
    const hidden = sorted.filter((bus) => !byBusId.has(bus));
    return { byBusId, problem: `CUDA_VISIBLE_DEVICES="${visible}" hides ${hidden.join(', ')} from CUDA.` };
  }
  return { byBusId };
}
