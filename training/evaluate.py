"""Validate the damage detector on the held-out photos (training/eval_photos.json), and compare
with a classical baseline (white/black top-hat + threshold).

    /usr/bin/python3 training/evaluate.py --weights W.pt --json training/validation.json [--viz DIR]

Eval set: each held-out photo gets VARIANTS damaged versions from damage.make_sample with
seed EVAL_SEED (training uses another seed and never sees these photos). Pixel metrics at
threshold 0.5, pooled over all pixels. False-positive rate on clean photos: fraction of pixels
flagged on (a) the untouched photo and (b) its undamaged "old look" (tone, fading, grain, blur).
The baseline's structuring-element radius and threshold are tuned on synthetic damage of the
training photos (never on the eval set).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import damage  # noqa: E402
import photos  # noqa: E402
from model import SIZE_MULTIPLE, load_weights  # noqa: E402

EVAL_SEED = 777001
TUNE_SEED = 555
VARIANTS = 2


def run_model(model, img):
    """img HxWx3 float32 -> HxW probability; reflect-pads to a multiple of SIZE_MULTIPLE."""
    h, w, _ = img.shape
    ph, pw = (-h) % SIZE_MULTIPLE, (-w) % SIZE_MULTIPLE
    x = np.pad(img, ((0, ph), (0, pw), (0, 0)), mode='reflect').transpose(2, 0, 1)[None]
    with torch.no_grad():
        y = model(torch.from_numpy(np.ascontiguousarray(x)))
    return y[0, 0, :h, :w].numpy()


def disk(r):
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    return (xx * xx + yy * yy) <= r * r


def tophat_score(img, r):
    g = damage.luminance(img)
    fp = disk(r)
    white = g - ndimage.grey_opening(g, footprint=fp)
    black = ndimage.grey_closing(g, footprint=fp) - g
    return np.maximum(white, black)


def counts(pred, mask):
    tp = float(np.sum(pred & mask))
    fp = float(np.sum(pred & ~mask))
    fn = float(np.sum(~pred & mask))
    return np.array([tp, fp, fn, float(mask.size)])


def metrics(c):
    tp, fp, fn, n = c
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    f1 = 2 * p * r / max(1e-9, p + r)
    iou = tp / max(1, tp + fp + fn)
    return {'precision': round(p, 4), 'recall': round(r, 4), 'f1': round(f1, 4), 'iou': round(iou, 4)}


def eval_set(names_imgs, seed):
    out = []
    for i, (name, img) in enumerate(names_imgs):
        clean = img.astype(np.float32) / 255
        for v in range(VARIANTS):
            rng = np.random.default_rng([seed, i, v])
            dam, mask, look = damage.make_sample(clean, rng, damage=True)
            out.append((name, v, clean, dam, mask > 0.5, look))
    return out


def tune_baseline():
    train = photos.training_photos()
    rng = np.random.default_rng(TUNE_SEED)
    picks = [train[int(k)] for k in rng.choice(len(train), 12, replace=False)]
    data = []
    for name, p in picks:
        crop, edges = damage.random_crop(p, rng, 256)
        dam, mask, _ = damage.make_sample(crop, rng, damage=True, edges=edges)
        data.append((dam, mask > 0.5))
    best = None
    for r in (2, 3, 4, 5, 7):
        scores = [tophat_score(d, r) for d, _ in data]
        for t in np.arange(0.02, 0.4, 0.01):
            c = sum(counts(s > t, m) for s, (_, m) in zip(scores, data))
            f1 = metrics(c)['f1']
            if best is None or f1 > best[0]:
                best = (f1, r, float(t))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--weights', required=True)
    ap.add_argument('--json')
    ap.add_argument('--viz', help='write side-by-side PNGs here (not committed)')
    ap.add_argument('--limit', type=int, default=0, help='only the first N eval photos (smoke test)')
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = load_weights(args.weights)
    evs = photos.eval_photos()
    data = eval_set(evs[:args.limit] if args.limit else evs, EVAL_SEED)
    c_net = np.zeros(4)
    per_photo = {}
    fp_clean = np.zeros(2)
    fp_look = np.zeros(2)
    tune_f1, r, t = tune_baseline()
    c_base = np.zeros(4)
    fp_base = np.zeros(2)
    for name, v, clean, dam, mask, look in data:
        prob = run_model(model, dam)
        c = counts(prob > 0.5, mask)
        c_net += c
        per_photo.setdefault(name, np.zeros(4))
        per_photo[name] += c
        if v == 0:
            pc = run_model(model, clean) > 0.5
            fp_clean += [pc.sum(), pc.size]
        pl = run_model(model, look) > 0.5
        fp_look += [pl.sum(), pl.size]
        c_base += counts(tophat_score(dam, r) > t, mask)
        bl = tophat_score(look, r) > t
        fp_base += [bl.sum(), bl.size]
        if args.viz:
            from PIL import Image
            os.makedirs(args.viz, exist_ok=True)
            vis = np.concatenate([dam, np.repeat(mask[..., None], 3, 2).astype(np.float32),
                                  np.repeat(prob[..., None], 3, 2)], 1)
            Image.fromarray((vis * 255).astype(np.uint8)).save(os.path.join(args.viz, f'{name}_{v}.png'))
    res = {
        'evalPhotos': photos.EVAL_PHOTOS,
        'evalSeed': EVAL_SEED,
        'variantsPerPhoto': VARIANTS,
        'threshold': 0.5,
        'damagedPixelFraction': round(float((c_net[0] + c_net[2]) / c_net[3]), 4),
        'network': metrics(c_net),
        'networkPerPhoto': {k: metrics(v) for k, v in per_photo.items()},
        'falsePositiveRateCleanPhoto': round(float(fp_clean[0] / fp_clean[1]), 5),
        'falsePositiveRateCleanOldLook': round(float(fp_look[0] / fp_look[1]), 5),
        'baseline': {'method': 'max(white top-hat, black top-hat) of luminance, disk radius r, threshold t',
                     'r': r, 't': round(t, 3), 'tunedOn': 'synthetic damage on 12 training-photo crops, seed %d' % TUNE_SEED,
                     'tuneF1': round(tune_f1, 4), **metrics(c_base),
                     'falsePositiveRateCleanOldLook': round(float(fp_base[0] / fp_base[1]), 5)},
    }
    print(json.dumps(res, indent=2))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
