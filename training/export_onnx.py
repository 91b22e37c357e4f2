"""Export DamageUNet weights to ONNX, count its cost from the graph, save a check input/output.

    /usr/bin/python3 training/export_onnx.py --weights W.pt --out models/damage-unet --work /tmp/heirloom-train/run
Writes OUT/model.onnx, WORK/export_info.json (params, flops/px, activation bytes/px, weight bytes),
WORK/check_input.bin + check_output.bin + check_meta.json (PyTorch reference for check_onnx.mjs).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import SIZE_MULTIPLE, load_weights  # noqa: E402

OPSET = 13


def graph_cost(path):
    """2*MACs and peak live float32 activation bytes per input pixel, walking the ONNX graph.

    Each tensor gets (channels, area factor relative to the input); Conv adds
    Cout*Cin*kh*kw/factor MACs, MaxPool multiplies the factor by its stride^2, Resize divides it by
    its scale^2. Liveness: a tensor is freed after its last consumer runs.
    """
    m = onnx.load(path)
    g = m.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    consts = dict(inits)
    for n in g.node:
        if n.op_type == 'Constant':
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    info = {g.input[0].name: (3, 1.0)}
    last_use = {}
    for i, n in enumerate(g.node):
        for t in n.input:
            last_use[t] = i
    macs = 0.0
    live = {g.input[0].name}
    peak = 0.0

    def live_bytes():
        return sum(4 * info[t][0] / info[t][1] for t in live if t in info)

    for i, n in enumerate(g.node):
        ins = [t for t in n.input if t in info]
        if n.op_type == 'Constant':
            continue
        if n.op_type == 'Conv':
            w = inits[n.input[1]]
            c, f = info[n.input[0]]
            strides = [a.ints for a in n.attribute if a.name == 'strides']
            s = strides[0][0] if strides else 1
            f2 = f * s * s
            macs += w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] / f2
            out = (w.shape[0], f2)
        elif n.op_type == 'MaxPool':
            c, f = info[n.input[0]]
            s = [a.ints for a in n.attribute if a.name == 'strides'][0][0]
            out = (c, f * s * s)
        elif n.op_type == 'Resize':
            c, f = info[n.input[0]]
            scales = consts.get(n.input[2]) if len(n.input) > 2 and n.input[2] else None
            if scales is None or scales.size == 0:
                raise ValueError('Resize without constant scales')
            out = (c, f / (scales[2] * scales[3]))
        elif n.op_type == 'Concat':
            out = (sum(info[t][0] for t in ins), info[ins[0]][1])
        else:
            out = info[ins[0]] if ins else None
        if out is not None:
            info[n.output[0]] = out
            live.add(n.output[0])
        peak = max(peak, live_bytes())
        for t in list(live):
            if last_use.get(t, -1) <= i and t != n.output[0]:
                live.discard(t)
    weight_bytes = sum(a.nbytes for a in inits.values())
    return 2 * macs, peak, weight_bytes


CALIB_SEED = 4242


CALIB_BETA = 0.5  # F-beta: precision weighs 1/beta = 2x recall (a false mark paints over an intact photo)


def calibrate(model, n=48, size=256, beta=CALIB_BETA):
    """Threshold with the best pixel F-beta on synthetic damage of TRAINING photos (seed CALIB_SEED,
    20 % undamaged crops as in training); never looks at the eval photos. beta 0.5 (since the
    generator-v2 model; v1 used F1): a pixel wrongly repaired loses real detail for good, while
    a speck missed stays as it was and the studio's brush adds it in a stroke."""
    import damage
    import photos
    train = photos.training_photos()
    rng = np.random.default_rng(CALIB_SEED)
    probs, masks = [], []
    for _ in range(n):
        _, p = train[int(rng.integers(len(train)))]
        crop, edges = damage.random_crop(p, rng, size, edge_p=0.25)
        dam, mask, _ = damage.make_sample(crop, rng, edges=edges)
        with torch.no_grad():
            probs.append(model(torch.from_numpy(np.ascontiguousarray(dam.transpose(2, 0, 1)[None])))[0, 0].numpy())
        masks.append(mask > 0.5)
    probs, masks = np.stack(probs), np.stack(masks)
    best = (0.0, 0.5)
    b2 = beta * beta
    # up to 0.99: the wider GPU-trained network is confident, its best threshold was the old grid's top (0.95)
    for t in np.concatenate([np.arange(0.3, 0.96, 0.025), [0.96, 0.97, 0.98, 0.99]]):
        pred = probs > t
        tp = np.sum(pred & masks)
        fp = np.sum(pred & ~masks)
        fn = np.sum(~pred & masks)
        score = (1 + b2) * tp / max(1, (1 + b2) * tp + b2 * fn + fp)
        if score > best[0]:
            best = (score, float(t))
    print(f'calibrated threshold {best[1]:.3f} (F{beta:g} {best[0]:.3f} on {n} training-photo crops)', flush=True)
    return best[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--weights', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--work', default='/tmp/heirloom-train/run')
    ap.add_argument('--no-calibrate', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = load_weights(args.weights)
    threshold = None
    if not args.no_calibrate:
        threshold = calibrate(model)
        with torch.no_grad():  # fold the threshold into the head bias: mask > 0.5 <=> p > threshold
            model.head.bias -= math.log(threshold / (1 - threshold))
    torch.save(model.state_dict(), os.path.join(args.work, 'weights_final.pt'))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, 'model.onnx')
    dummy = torch.rand(1, 3, 64, 96)
    torch.onnx.export(model, dummy, path, input_names=['image'], output_names=['mask'], opset_version=OPSET,
                      dynamic_axes={'image': {0: 'batch', 2: 'height', 3: 'width'},
                                    'mask': {0: 'batch', 2: 'height', 3: 'width'}},
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    flops, act, wbytes = graph_cost(path)
    params = sum(p.numel() for p in model.parameters())
    info = {'params': params, 'flopsPerInputPixel': round(flops), 'activationBytesPerInputPixel': round(act),
            'weightBytes': int(wbytes), 'opset': OPSET, 'sizeMultiple': SIZE_MULTIPLE,
            'ops': sorted({n.op_type for n in onnx.load(path).graph.node}),
            'calibratedThreshold': threshold}
    print(json.dumps(info))
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.work, 'export_info.json'), 'w') as f:
        json.dump(info, f, indent=2)
    # reference input/output for the onnxruntime-node check: a damaged held-out photo, 2 x 3 x 256 x 320
    import damage
    import photos
    from PIL import Image
    rng = np.random.default_rng(7)
    clean = photos.load_rgb(os.path.join(photos.SKIMAGE_DATA, 'astronaut.png')).astype(np.float32) / 255
    xs = []
    for k in range(2):
        d, _, _ = damage.make_sample(clean[k * 100:k * 100 + 256, 64:384], rng, damage=True)
        xs.append(d.transpose(2, 0, 1))
    x = np.ascontiguousarray(np.stack(xs), dtype=np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
    x.tofile(os.path.join(args.work, 'check_input.bin'))
    y.tofile(os.path.join(args.work, 'check_output.bin'))
    with open(os.path.join(args.work, 'check_meta.json'), 'w') as f:
        json.dump({'inputShape': list(x.shape), 'outputShape': list(y.shape)}, f)


if __name__ == '__main__':
    main()
