"""Run the detector on the real damaged prints in shared/testdata/old/ (look only: never trained on,
never copied into the repo) and write side-by-side PNGs (photo | mask overlay in red) to --out.

    /usr/bin/python3 training/look_real.py --weights W.pt --out /tmp/heirloom-train/real
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate import run_model  # noqa: E402
from model import load_weights  # noqa: E402

OLD = os.path.join(HERE, '..', '..', 'shared', 'testdata', 'old')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--weights', required=True)
    ap.add_argument('--out', default='/tmp/heirloom-train/real')
    ap.add_argument('--dir', default=OLD if os.path.isdir(OLD) else '/work/shared/testdata/old')
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = load_weights(args.weights)
    os.makedirs(args.out, exist_ok=True)
    for f in sorted(glob.glob(os.path.join(args.dir, '*.png'))):
        img = np.asarray(Image.open(f).convert('RGB'), dtype=np.float32) / 255
        prob = run_model(model, img)
        over = img.copy()
        over[prob > 0.5] = [1, 0, 0]
        vis = np.concatenate([img, over], 1)
        Image.fromarray((vis * 255).astype(np.uint8)).save(os.path.join(args.out, os.path.basename(f)))
        print(os.path.basename(f), img.shape, 'flagged %.2f%%' % (100 * float((prob > 0.5).mean())))


if __name__ == '__main__':
    main()
