"""Measure how much context (tileOverlap) a tile needs so tiled inference matches a whole-image run.

    /usr/bin/python3 training/tile_overlap.py --weights W.pt --json /tmp/heirloom-train/run/tile_overlap.json

Reference: the whole image (a damaged held-out photo, 512x768) reflect-padded by 160 px, run
once, cropped back (i.e. every pixel sees all the context it can use). Tiled: tiles of T x T core,
each run on core + N px of context per side (mirrored at the photo border, like the product's
planTiles), writing only the core. Max abs difference of the mask for several N. Core origins and
N are multiples of 8 (the net's pooling grid); a misaligned case (origins shifted by 4 px) is
reported too, to show why alignment matters.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import damage  # noqa: E402
import photos  # noqa: E402
from model import SIZE_MULTIPLE, load_weights  # noqa: E402

BIG = 160


def run(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None])))[0, 0].numpy()


def tiled(model, padded, h, w, tile, n, shift=0):
    out = np.zeros((h, w), np.float32)
    for y in range(0, h, tile):
        for x in range(0, w, tile):
            cy, cx = min(y, h - tile), min(x, w - tile)
            y0, x0 = BIG + cy - n - shift, BIG + cx - n - shift
            size = tile + 2 * n + 2 * shift
            size += (-size) % SIZE_MULTIPLE
            m = run(model, padded[y0:y0 + size, x0:x0 + size])
            oy, ox = n + shift, n + shift
            out[y:min(y + tile, h), x:min(x + tile, w)] = m[oy + (y - cy):oy + tile, ox + (x - cx):ox + tile][
                :min(tile, h - y), :min(tile, w - x)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--weights', required=True)
    ap.add_argument('--json')
    ap.add_argument('--tile', type=int, default=128)
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = load_weights(args.weights)
    clean = photos.load_rgb(os.path.join(photos.SKIMAGE_DATA, 'hubble_deep_field.jpg')).astype(np.float32) / 255
    clean = clean[:512, :768]
    dam, _, _ = damage.make_sample(clean, np.random.default_rng(3), damage=True)
    h, w, _ = dam.shape
    padded = np.pad(dam, ((BIG, BIG), (BIG, BIG), (0, 0)), mode='reflect')
    ref = run(model, padded)[BIG:BIG + h, BIG:BIG + w]
    rows = []
    for n in (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128):
        d = float(np.abs(tiled(model, padded, h, w, args.tile, n) - ref).max())
        rows.append({'overlap': n, 'maxAbsDiff': d})
        print(n, d, flush=True)
    ok = [r['overlap'] for r in rows if r['maxAbsDiff'] < 1e-3]
    pick = ok[0] if ok else None
    # misaligned: the tile's input starts 4 px off the 8-px pooling grid
    mis = float(np.abs(tiled(model, padded, h, w, args.tile, pick or 64, shift=4) - ref).max())
    res = {'tile': args.tile, 'rows': rows, 'tileOverlap': pick, 'criterion': 'max abs diff < 1e-3',
           'misalignedBy4pxMaxAbsDiff': mis}
    print(json.dumps(res, indent=2))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=2)


if __name__ == '__main__':
    main()
